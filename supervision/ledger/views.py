"""One supervised item: registering it (SUP-1, the office only), its page (督查事项), the print-ready 督查事项交办单,
and every action on it.

Views only parse input, ask the ledger's `permissions` (through `selectors.item_page`, which gives a 404 to
whoever may not see the item), call ONE service and report its message. A refusal re-renders the page with
what the user typed; a click on a page that someone else has meanwhile moved on is answered "已由…处理" by the
kernel step (the page sends the state it showed, `seen_state`). Only the actions the user may do now are shown —
the FSM's own answer (`can_proceed` and the transition's object permission).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django_fsm import can_proceed, has_transition_perm

from documents.submissions import selectors as submissions
from supervision.outcomes.services import outcome_allowed
from supervision.public import permissions as public_permissions
from supervision.public import services as public_services
from supervision.reports import services as report_services
from supervision.shared.downloads import file_response
from supervision.shared.errors import ActionNotAllowed, AlreadyHandled, SupervisionError
from tiexi_gov.deadlines import rules as deadline_rules
from tiexi_gov.deadlines.display import count_mark, due_label
from tiexi_gov.deadlines.models import Deadline
from tiexi_gov.deadlines.selectors import due_text
from tiexi_gov.http import to_int
from tiexi_gov.org.selectors import who_handles
from tiexi_gov.workflow import once
from tiexi_gov.workflow.kernel import as_seen

from . import forms, permissions, selectors, services
from .models import (
    CLOSED_STATES,
    OPEN_STATES,
    REPORTING_STATES,
    WORKING_STATES,
    ItemState,
    Light,
    Source,
    SupervisionItem,
)

St = ItemState

LIGHT_STYLE = {
    Light.RED: "text-bg-danger",
    Light.AMBER: "text-bg-warning",
    Light.GREEN: "text-bg-success",
    Light.DONE: "text-bg-secondary",
    Light.NONE: "text-bg-light border",
}
DEADLINE_STYLE = {
    Deadline.State.OPEN: "text-bg-primary",
    Deadline.State.MET: "text-bg-success",
    Deadline.State.MISSED: "text-bg-danger",
    Deadline.State.SETTLED: "text-bg-secondary",
    Deadline.State.CANCELLED: "text-bg-light border",
}


# --- who may do what now ---------------------------------------------------------------------------------


def _one(item: SupervisionItem, name: str):
    """A one-to-one extension (rectification, proposal) or None."""
    return item._one(name)


def _can(item: SupervisionItem, transition: str, user) -> bool:
    """The FSM's own answer: the transition may fire from this state (its conditions hold) and its object
    permission lets `user`."""
    method = getattr(item, transition)
    return can_proceed(method) and has_transition_perm(method, user)


def allowed_actions(user, item: SupervisionItem, day: dt.date) -> set[str]:
    """The actions `user` may take on `item` today (each also re-checked by its service)."""
    item._day = day
    state = item.state
    manage = permissions.can_manage(user, item)
    lead = permissions.can_act_as_lead(user, item)
    allowed: set[str] = set()
    if _can(item, "assign", user) or _can(item, "submit_for_approval", user):
        allowed.add("issue")
    if _can(item, "approve", user):
        allowed |= {"approve", "refuse"}
    if _can(item, "accept", user):
        allowed.add("accept")
    if _can(item, "report_progress", user) or _can(item, "report_part", user):
        allowed.add("report")  # the lead unit's report, or a cooperating unit's part of this cycle
    if _can(item, "claim_completion", user):
        allowed.add("claim")
    if _can(item, "return_for_rework", user):
        allowed.add("return")
    if _can(item, "close_on_time", user) or _can(item, "close_late", user) or (state == St.CLAIMED and manage):
        allowed.add("verify")  # also while a cleared mechanism blocks it: the service says why (SUP-3)
    if _can(item, "cancel", user):
        allowed.add("cancel")
    if _one(item, "rectification") is not None and state in OPEN_STATES and (lead or manage):
        allowed.add("rectification")
    if manage and item.is_major and state in OPEN_STATES:
        allowed.add("joint")
    if _can(item, "reply_proposal", user) or _can(item, "amend_proposal_reply", user):
        allowed.add("proposal-reply")
    proposal = _one(item, "proposal")
    if manage and proposal is not None and proposal.published_on is None and state in (*WORKING_STATES, *CLOSED_STATES):
        allowed.add("proposal-publish")  # before the reply too: the service says why it must wait (PUB-3)
    return allowed


# --- the actions: each parses its form and calls one service ------------------------------------------------


@dataclass(frozen=True)
class Action:
    form: type
    label: str
    run: Callable  # (request, item, cleaned_data) -> success message
    form_kwargs: Callable = lambda item: {}


def _run_issue(request, item, d):
    item = services.issue_item(actor=request.user, item=item)
    if item.state == St.AWAITING_APPROVAL:
        return f"以区政府名义督查，已报{item.leader_post.title}审批（第五十条）。"
    return f"已交办{item.lead_unit.display_name}，完成时限 {item.due:%Y-%m-%d}。"


def _run_approve(request, item, d):
    item = services.approve_item(actor=request.user, item=item, opinion=d["opinion"])
    return f"已批准，督办事项已交办{item.lead_unit.display_name}。"


def _run_refuse(request, item, d):
    services.refuse_item(actor=request.user, item=item, opinion=d["opinion"])
    return "已不同意以区政府名义督查，事项退回办公室。"


def _run_accept(request, item, d):
    item = services.accept_item(actor=request.user, item=item)
    return f"已签收。请{item.get_cycle_display()}报告进展，下次报告截止 {due_label(item.next_report_due)}。"


def _run_report(request, item, d):
    report = report_services.file_progress_report(
        actor=request.user,
        item=item,
        percent=d["percent"],
        done=d["done"],
        problems=d["problems"],
        next_steps=d["next_steps"],
        files=d["files"],
        seen_report=to_int(request.POST.get("seen_report"), low=0),
    )
    if report.is_part:
        return f"{report.unit.display_name}的协办进展已报牵头单位。"
    fresh = SupervisionItem.objects.only("next_report_due").get(pk=item.pk)
    when = f"，下次报告截止 {due_label(fresh.next_report_due)}" if fresh.next_report_due else ""
    return f"进展已报告（{report.percent}%）{when}。"


def _run_claim(request, item, d):
    services.claim_completion(
        actor=request.user, item=item, evidence=d["evidence"], mechanism=d.get("mechanism") or "", files=d["files"]
    )
    return "已报办结，待区政府办公室复查核验。"


def _run_return(request, item, d):
    services.return_for_rework(actor=request.user, item=item, reason=d["reason"])
    return "复查核验不合格，已退回牵头单位整改。"


def _run_verify(request, item, d):
    item = services.verify_item(actor=request.user, item=item, note=d["note"])
    return f"复查核验通过：{item.get_state_display()}。"


def _run_cancel(request, item, d):
    services.cancel_item(actor=request.user, item=item, reason=d["reason"])
    return "督办事项已撤销。"


def _run_rectification(request, item, d):
    rect = _one(item, "rectification")
    newly_major = bool(d.get("is_major")) and not (rect is not None and rect.is_major)
    as_was = (item.state, rect.measures, rect.mechanism, rect.is_major) if rect is not None else None
    rect = report_services.update_rectification(
        actor=request.user,
        item=item,
        measures=d["measures"],
        mechanism=d["mechanism"],
        is_major=True if newly_major else None,
    )
    state = SupervisionItem.objects.only("state").get(pk=item.pk).state
    if (state, rect.measures, rect.mechanism, rect.is_major) == as_was:
        return "整改情况未作修改。"  # the form as shown, posted back: the service recorded nothing
    return "整改情况已更新" + ("，重大问题已报告区政府领导（第四十九条、第四十三条）。" if newly_major else "。")


def _run_joint(request, item, d):
    services.add_joint_unit(actor=request.user, item=item, unit=d["unit"])
    return f"已增加联合督查单位：{d['unit'].display_name}。"


def _run_proposal_reply(request, item, d):
    was = _one(item, "proposal")
    as_was = (item.state, was.reply, was.replied_on, was.satisfaction) if was is not None and was.reply else None
    proposal = public_services.record_proposal_reply(
        actor=request.user,
        item=item,
        reply=d["reply"],
        satisfaction=d["satisfaction"],
        replied_on=d["replied_on"],
    )
    state = SupervisionItem.objects.only("state").get(pk=item.pk).state
    if (state, proposal.reply, proposal.replied_on, proposal.satisfaction) == as_was:
        return "答复未作修改。"  # the recorded reply, posted back as shown: the service recorded nothing
    return f"答复已登记（{proposal.get_satisfaction_display() or '满意度待反馈'}）。"


def _run_proposal_publish(request, item, d):
    public_services.publish_proposal_result(actor=request.user, item=item, summary=d["summary"])
    return "办理结果已公开，列入公开目录（第四十二条）。"


ACTIONS: dict[str, Action] = {
    "issue": Action(forms.PlainForm, "交办", _run_issue),
    "approve": Action(forms.ApproveForm, "批准", _run_approve),
    "refuse": Action(forms.RefuseForm, "不同意", _run_refuse),
    "accept": Action(forms.PlainForm, "签收", _run_accept),
    "report": Action(forms.ReportForm, "报告进展", _run_report),
    "claim": Action(forms.ClaimForm, "报办结", _run_claim, lambda item: {"rectification": _one(item, "rectification")}),
    "return": Action(forms.ReturnForm, "退回整改", _run_return),
    "verify": Action(forms.VerifyForm, "复查核验", _run_verify),
    "cancel": Action(forms.CancelForm, "撤销", _run_cancel),
    "rectification": Action(
        forms.RectificationForm,
        "更新整改情况",
        _run_rectification,
        lambda item: {"rectification": _one(item, "rectification")},
    ),
    "joint": Action(forms.JointForm, "增加联合督查单位", _run_joint, lambda item: {"item": item}),
    "proposal-reply": Action(
        forms.ProposalReplyForm, "登记答复", _run_proposal_reply, lambda item: {"proposal": _one(item, "proposal")}
    ),
    "proposal-publish": Action(
        forms.ProposalPublishForm,
        "公开办理结果",
        _run_proposal_publish,
        lambda item: {"proposal": _one(item, "proposal")},
    ),
}
FILE_ACTION = "file"


# --- the page ------------------------------------------------------------------------------------------------


def _source(item: SupervisionItem) -> dict | None:
    """The object the item was raised from: a leader's instruction links to its submission's page."""
    if not item.source_type_id or not item.source_id:
        return None
    try:
        obj = item.source_object
    except Exception:  # a source of a removed model or a malformed id: show the reference only
        obj = None
    if obj is None:
        return None
    link = submissions.instruction_link(obj)
    if link is not None:
        return link
    url = ""
    get_url = getattr(obj, "get_absolute_url", None)
    if callable(get_url):
        try:
            url = get_url()
        except Exception:
            url = ""
    return {"text": str(obj), "url": url}


def _deadline_rows(item: SupervisionItem, today: dt.date) -> list[dict]:
    rows = []
    for d in selectors.item_deadlines(item):
        running = d.closed_at is None and d.state in (Deadline.State.OPEN, Deadline.State.MISSED)
        text, tone = due_text(d.due, today) if running else ("", "")
        rows.append(
            {
                "deadline": d,
                "rule": deadline_rules.describe(d.rule_id),
                "remaining": text,
                "tone": tone,
                "style": DEADLINE_STYLE.get(d.state, "text-bg-light border"),
            }
        )
    return rows


def _build_forms(item: SupervisionItem, allowed: set[str]) -> dict:
    built = {}
    for name in allowed:
        spec = ACTIONS[name]
        built[name] = forms.styled(spec.form(prefix=name, **spec.form_kwargs(item)))
    return built


def _context(request, item: SupervisionItem, *, bound: tuple[str, object] | None = None) -> dict:
    today = timezone.localdate()
    allowed = allowed_actions(request.user, item, today)
    action_forms = _build_forms(item, allowed)
    if bound is not None and bound[0] in allowed:
        action_forms[bound[0]] = forms.styled(bound[1])
    light = selectors.light_of(item, today)
    working = item.state in WORKING_STATES and item.state != St.CLAIMED
    due_remaining, due_tone = due_text(item.due, today) if working else ("", "")
    report_remaining, report_tone = (
        due_text(item.next_report_due, today) if item.next_report_due and item.state in REPORTING_STATES else ("", "")
    )
    handler = who_handles(item.leader_post, today)
    reports = list(item.reports.all())
    files = list(item.files.all())
    report_dates = {r.pk: r.reported_on for r in reports}
    # The lead unit's latest report as the page shows it: a second post of the same form (a double click, a second
    # tab) is then told it was reported already instead of filing it twice (SUP-2).
    latest_lead_report = max((r.pk for r in reports if not r.is_part), default=0)
    manage = permissions.can_manage(request.user, item)
    return {
        "item": item,
        "today": today,
        "allowed": allowed,
        "latest_lead_report": latest_lead_report,
        "forms": action_forms,
        "light": light,
        "light_label": Light(light).label,
        "light_style": LIGHT_STYLE.get(light, ""),
        "amber_reasons": selectors.amber_reasons(item, today) if light == Light.AMBER else [],
        "due_remaining": due_remaining,
        "due_mark": count_mark(today, item.due) if due_remaining else "",  # CAL-2: the office's date, a guessed count
        "due_tone": due_tone,
        "report_remaining": report_remaining,
        "report_tone": report_tone,
        "source": _source(item),
        "handler": handler,
        "cooperating_units": list(item.cooperating_units.all()),
        "joint_units": list(item.joint_units.all()),
        "reports": reports,
        "last_report": next((r for r in reports if not r.is_part), None),
        "files": [(f, report_dates.get(f.report_id)) for f in files],
        "file_url": reverse("supervision:item_action", args=[item.pk, FILE_ACTION]),
        "rectification": _one(item, "rectification"),
        "proposal": _one(item, "proposal"),
        "outcomes": list(item.outcomes.all()),
        "deadlines": _deadline_rows(item, today),
        "proposal_reply_form": action_forms.get("proposal-reply"),
        "proposal_publish_form": action_forms.get("proposal-publish"),
        "is_lead": permissions.can_act_as_lead(request.user, item),
        "may_edit": manage and item.state == St.DRAFT,
        "may_propose_outcome": manage and outcome_allowed(item, today),
        "is_closed": item.state in CLOSED_STATES,
    }


@login_required
def item(request, pk: int):
    """督查事项: every field of the ledger row, the progress, the reports, the files, the clocks, the history,
    and the actions the user may take now."""
    it = selectors.item_page(request.user, pk)
    return render(request, "supervision/item.html", _context(request, it))


@login_required
def item_print(request, pk: int):
    """督查事项交办单, print-ready on one page, with the progress reports."""
    it = selectors.item_page(request.user, pk)
    today = timezone.localdate()
    handler = who_handles(it.leader_post, today)
    return render(
        request,
        "supervision/item_print.html",
        {
            "item": it,
            "today": today,
            "source": _source(it),
            "handler": handler,
            "cooperating_units": list(it.cooperating_units.all()),
            "joint_units": list(it.joint_units.all()),
            "reports": list(it.reports.all())[::-1],  # oldest first, as on the paper sheet
            "rectification": _one(it, "rectification"),
            "proposal": _one(it, "proposal"),
        },
    )


def _download(request, it: SupervisionItem):
    """An attachment of the item, through the item's permission check; media is never served directly (X-2)."""
    return file_response(selectors.item_file(it, request.GET.get("id") or request.POST.get("id")))


def _rerender(request, pk: int, *, status: int, bound=None):
    it = selectors.item_page(request.user, pk)
    return render(request, "supervision/item.html", _context(request, it, bound=bound), status=status)


@login_required
def item_action(request, pk: int, action: str):
    """One action on the item page: parse the small form, check, call the service, show its message."""
    it = selectors.item_page(request.user, pk)  # 404 for whoever may not see the item, before anything else
    if action == FILE_ACTION:
        return _download(request, it)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404("没有该操作。")
    if request.method != "POST":
        return redirect("supervision:item", pk=it.pk)
    form = spec.form(request.POST, request.FILES, prefix=action, **spec.form_kwargs(it))
    seen = request.POST.get("seen_state", "")
    allowed = allowed_actions(request.user, it, timezone.localdate())
    stale = bool(seen) and seen in St.values and seen != it.state
    if action not in allowed and not stale:
        messages.error(request, f"您当前不能对该督办事项进行“{spec.label}”操作。")
        return _rerender(request, pk, status=403)
    if not form.is_valid():
        errors = [str(e) for field in form.errors.values() for e in field]
        messages.error(request, "请检查填写的内容：" + "；".join(errors) if errors else "请检查填写的内容。")
        return _rerender(request, pk, status=400, bound=(action, form))
    try:
        text = spec.run(request, as_seen(it, seen), form.cleaned_data)
    except AlreadyHandled as exc:  # someone was first: say who, keep what was typed (shown if still allowed)
        messages.error(request, exc.message)
        return _rerender(request, pk, status=409, bound=(action, form))
    except ActionNotAllowed as exc:
        messages.error(request, exc.message)
        return _rerender(request, pk, status=403)
    except SupervisionError as exc:
        messages.error(request, exc.message)
        return _rerender(request, pk, status=400, bound=(action, form))
    messages.success(request, text)
    return redirect("supervision:item", pk=it.pk)


# --- registering and editing items (SUP-1, SUP-5): the office only --------------------------------------------
# An item is registered from the form, from a leader's instruction on a submission's processing slip (one click,
# linked both ways through `source_object`) or from a public inquiry (PUB-1). The duplicate check (SUP-5) is the
# service's: a refusal is shown with a link to the existing item and the form keeps everything typed. Anyone who
# is not the office gets a 404.


def saved_message(item: SupervisionItem) -> str:
    if item.state == ItemState.AWAITING_APPROVAL:
        who = item.leader_post.title
        return f"已登记督办事项{item.number}，以区政府名义督查，已报{who}审批（第五十条）。"
    if item.state == ItemState.ASSIGNED:
        return f"已登记并交办督办事项{item.number}，已通知{item.lead_unit.display_name}签收。"
    return f"督办事项{item.number}已保存为草稿，交办前可继续修改。"


def _register(request, *, initial: dict, fixed_source: str = "", source_object=None, origin: dict | None = None):
    """The form page shared by the three ways in: parse, call create_item once, message, redirect. The same form
    posted again (a double click, Back and 保存) is answered with the item it made, not the SUP-5 duplicate refusal."""
    if request.method == "POST" and (made := once.made_before(request)):
        return once.answer_again(request, made)
    form = forms.ItemForm(
        request.POST if request.method == "POST" else None, initial=initial, fixed_source=fixed_source
    )
    duplicate = None
    if request.method == "POST" and form.is_valid():
        try:
            with once.once(request) as done:
                item = services.create_item(
                    actor=request.user,
                    source_object=source_object,
                    issue=bool(request.POST.get("issue")),
                    **form.create_kwargs(),
                )
                done(reverse("supervision:item", args=[item.pk]))
        except once.AlreadyPosted as exc:
            return once.answer_again(request, exc.url)
        except services.DuplicateItem as exc:
            duplicate = exc.existing
            form.add_error(None, exc.message)
        except SupervisionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, saved_message(item))
            return redirect("supervision:item", pk=item.pk)
    context = {
        "form": forms.styled(form),
        "item": None,
        "duplicate": duplicate,
        "origin": origin or {},
        "once_token": once.token_for(request),
        "sources_with_rectification": [Source.INSPECTION],
        "sources_with_proposal": [Source.NPC_SUGGESTION, Source.CPPCC_PROPOSAL],
    }
    return render(request, "supervision/item_form.html", context)


@login_required
def item_new(request):
    """SUP-1: the office registers an item. `?inquiry=<id>` raises it from a public inquiry (PUB-1);
    `?source=<value>` only preselects the source."""
    permissions.require_manager(request.user)
    ref = request.POST.get("inquiry") or request.GET.get("inquiry")
    if ref:
        inquiry = public_permissions.get_inquiry_or_404(request.user, ref)
        return _register(
            request,
            initial=forms.initial_from_inquiry(inquiry),
            fixed_source=Source.PUBLIC_INQUIRY,
            source_object=inquiry,
            origin={"inquiry": inquiry},
        )
    initial = {}
    if request.GET.get("source") in Source.values:
        initial["source"] = request.GET["source"]
    return _register(request, initial=initial)


@login_required
def item_from_instruction(request, instruction_id: int):
    """SUP-1 "领导批示": one click from a leader's instruction on a submission's processing slip. The form is
    pre-filled from the instruction; the item keeps the instruction as its source (the link both ways)."""
    permissions.require_manager(request.user)
    instruction = submissions.visible_leader_instruction(request.user, instruction_id)
    if instruction is None:
        raise Http404("没有找到该批示。")
    return _register(
        request,
        initial=forms.initial_from_instruction(instruction),
        fixed_source=Source.LEADER_INSTRUCTION,
        source_object=instruction,
        origin={
            "instruction": instruction,
            "raised": selectors.items_for_source(instruction, user=request.user),
        },
    )


@login_required
def item_edit(request, pk: int):
    """The office edits a draft (not yet issued); the duplicate check runs again (SUP-5)."""
    permissions.require_manager(request.user)
    qs = SupervisionItem.objects.select_related(
        "lead_unit", "leader_post", "supervising_unit", "rectification", "proposal"
    ).prefetch_related("cooperating_units", "joint_units")
    item = permissions.get_item_or_404(request.user, pk, qs)
    if item.state != ItemState.DRAFT:
        messages.error(request, f"督办事项{item.number}已{item.get_state_display()}，只有草稿可以修改。")
        return redirect("supervision:item", pk=item.pk)
    form = forms.ItemForm(request.POST if request.method == "POST" else None, item=item)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        handled = item.last_handled_at
        try:
            saved = services.update_draft(actor=request.user, item=item, **form.update_kwargs())
        except services.DuplicateItem as exc:
            duplicate = exc.existing
            form.add_error(None, exc.message)
        except SupervisionError as exc:
            form.add_error(None, exc.message)
        else:
            if saved.last_handled_at == handled:  # posted back as shown: the service recorded nothing
                messages.info(request, f"督办事项{item.number}未作修改。")
            else:
                messages.success(request, f"督办事项{item.number}的修改已保存。")
            return redirect("supervision:item", pk=item.pk)
    context = {"form": forms.styled(form), "item": item, "duplicate": duplicate, "origin": {}}
    return render(request, "supervision/item_form.html", context)
