"""Pages of flow A: lists, drafting, the item page and its actions, the leaders' queue, the slip."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from documents.outgoing import selectors as outgoing_selectors
from documents.shared import forms as shared_forms
from documents.shared import normative
from documents.shared.access import may_draft_submission
from documents.shared.choices import Urgency
from documents.shared.models import NormativeStep
from documents.shared.views import _change_readers, _readers_context
from documents.submissions.models import (
    Attachment,
    ConsultationRequest,
    DisagreementStatement,
    Instruction,
    LeaderAssignment,
    SubmissionKind,
    SubmissionState,
)
from tiexi_gov.deadlines.display import count_mark, due_html, due_label
from tiexi_gov.deadlines.selectors import due_text
from tiexi_gov.followups import followups
from tiexi_gov.forms import styled, typed_text
from tiexi_gov.http import require_id, to_id
from tiexi_gov.listing import TemplateRow, url_for_each
from tiexi_gov.org.roles import home_unit_id
from tiexi_gov.org.selectors import leader_for_unit
from tiexi_gov.pagecache.cache import cached_page
from tiexi_gov.workflow import once
from tiexi_gov.workflow.errors import ActionRefused, AlreadyHandled, NotAllowed
from tiexi_gov.workflow.kernel import as_seen

from . import checks, forms, permissions, selectors, services
from .slip_docx import build_slip_docx

PAGE_SIZE = 20


QUEUE_PAGE_SIZE = 20


RULES = [
    ("DOC-1", "经区政府办公室报文，不多头报文、不越级行文"),
    ("DOC-2", "报送公文由单位主要负责人或授权的分管负责人签发"),
    ("DOC-3", "单位印发后 3 个工作日内报送，办公室登记并附公文处理单"),
    ("DOC-5", "请示一文一事，报告不夹带请示事项"),
    ("DOC-6", "涉及其他单位职权的事项须书面征求意见"),
    ("DOC-7", "征求意见 5 个工作日内答复，逾期不回复视为无不同意见"),
    ("DOC-10", "给区政府留出办理时间：一般 10 个工作日，紧急 5 个工作日"),
    ("DOC-11", "办公室分管副主任、主任审核后按分管领导呈批"),
    ("DOC-13", "审批时限：一般 10、加急 5、特急 3、特急重要 2 个工作日"),
    ("DOC-14", "按发文名义确定审核、签发领导"),
    ("DOC-17", "每份文稿注明公开属性"),
]


URGENCY_TAG = {
    Urgency.CRITICAL: "tag-urgent-critical",
    Urgency.EXTRA_URGENT: "tag-urgent",
    Urgency.URGENT: "tag-expedited",
}


def urgency_badge(sub) -> str:
    """The urgency badge (一般, 加急, 特急, 特急重要) of the item page and of every list row, made here once."""
    if sub.urgency == Urgency.NORMAL:
        return URGENCY_NORMAL_BADGE
    cls, label = URGENCY_TAG.get(sub.urgency, ""), sub.get_urgency_display()
    return format_html('<span class="badge {}" data-testid="urgency">{}</span>', cls, label)


URGENCY_NORMAL_BADGE = mark_safe('<span class="badge text-bg-light border" data-testid="urgency">一般</span>')


@dataclass(frozen=True)
class ListRow:
    """A document on 公文办理 with its words and link made once in Python (issue 14.2)."""

    submission: object
    due_text: str
    due_tone: str
    urgency: str  # the badge's HTML (urgency_badge)
    url: str
    kind: str
    state: str
    created: str  # Y-m-d, local time
    due_mark: str = ""  # 暂定 after the count when it runs into a year without an official calendar (CAL-2)


KIND_LABELS = dict(SubmissionKind.choices)
STATE_LABELS = dict(SubmissionState.choices)


def _rows(submissions, today) -> list[ListRow]:
    detail_url = url_for_each("documents:detail")
    out = []
    for sub in submissions:
        text, tone, due = selectors.row_due(sub, today)
        out.append(
            ListRow(
                sub,
                text,
                tone,
                urgency_badge(sub),
                url=detail_url(sub.pk),
                kind=KIND_LABELS.get(sub.kind, sub.kind),
                state=STATE_LABELS.get(sub.state, sub.state),
                created=timezone.localtime(sub.created_at).date().isoformat(),
                due_mark=count_mark(today, due) if text else "",
            )
        )
    return out


@login_required
@cached_page
def index(request):
    """公文办理: 待办 / 已办 / 办结 tabs, search by title, 收文编号 or unit, filters, most urgent or newest first."""
    today = timezone.localdate()
    filters = selectors.list_filters(request.GET)
    page = Paginator(selectors.document_list(request.user, filters, today), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "documents/index.html",
        {
            "filters": filters,
            "tabs": selectors.TABS,
            "sorts": selectors.SORTS,
            "page": page,
            "rows": _rows(selectors.page_rows(page.object_list), today),
            "states": SubmissionState.choices,
            "urgencies": Urgency.choices,
            "units": selectors.filter_units(),
            "page_query": filters.query(),
            "may_draft": may_draft_submission(request.user),
            "rules": RULES,
            "today": today,
        },
    )


def _saved(request, sub, text: str) -> None:
    """Every submission rule is checked when the draft is saved, not first at 报送: the drafter reads all that is
    still missing at once, while only the drafter has touched it."""
    problems = checks.signature_problems(sub, timezone.localdate())
    if problems:
        messages.warning(request, f"{text}送签前还须完善{len(problems)}项，见“办理”栏中的清单。")
    else:
        messages.success(request, text)


@login_required
def create(request):
    """A unit's clerk drafts a submission (the unit is the clerk's own); one service saves the draft, the
    touched units and the files together."""
    if not may_draft_submission(request.user):
        raise Http404
    if request.method == "POST" and (made := once.made_before(request)):
        return once.answer_again(request, made)  # the same form again: what it made, not a second draft
    form = forms.SubmissionForm(request.POST or None, request.FILES or None, unit=request.user.unit)
    if request.method == "POST" and form.is_valid():
        try:
            with once.once(request) as done:
                sub = services.create_draft(actor=request.user, **form.draft_fields())
                done(reverse("documents:detail", args=[sub.pk]))
        except once.AlreadyPosted as exc:
            return once.answer_again(request, exc.url)
        except ActionRefused as exc:
            messages.error(request, exc.message)
        else:
            _saved(request, sub, "草稿已保存。")
            url = reverse("documents:detail", args=[sub.pk])
            if form.cleaned_data.get("touched_units"):
                messages.info(request, "请在下方“征求意见”中确认相关单位和回复时限后发出。")
                url += "?consult=open#act-consult"
            return redirect(url)
    context = {"form": styled(form), "submission": None, "once_token": once.token_for(request)}
    return render(request, "documents/form.html", context)


@login_required
def edit(request, pk: int):
    sub = selectors.submission_detail(request.user, pk)
    if sub is None:
        raise Http404
    if "edit" not in permissions.allowed_actions(request.user, sub):
        messages.error(request, "该公文当前不能修改（仅起草、征求意见阶段可以修改）。")
        return redirect("documents:detail", pk=sub.pk)
    form = forms.SubmissionForm(request.POST or None, request.FILES or None, instance=sub, unit=sub.unit)
    if request.method == "POST" and form.is_valid():
        handled = sub.last_handled_at
        try:
            services.update_draft(
                actor=request.user,
                submission=as_seen(sub, request.POST.get("seen_state", "")),
                **form.draft_fields(),
            )
        except ActionRefused as exc:
            messages.error(request, exc.message)
        else:
            sub.refresh_from_db()
            unchanged = sub.last_handled_at == handled and not request.FILES  # posted back as shown: nothing recorded
            _saved(request, sub, "草稿未作修改。" if unchanged else "修改已保存。")
            return redirect("documents:detail", pk=sub.pk)
    return render(request, "documents/form.html", {"form": styled(form), "submission": sub})


@dataclass(frozen=True)
class Action:
    form: type
    label: str
    run: Callable  # (request, submission, cleaned_data) -> success message


def _consultation(sub, pk) -> ConsultationRequest:
    found = next((c for c in sub.consultations.all() if c.pk == pk), None)
    if found is None:
        raise ActionRefused("该征求意见不存在。")
    return found


def _statement(sub, pk) -> DisagreementStatement:
    found = DisagreementStatement.objects.filter(submission_id=sub.pk, pk=pk).first()
    if found is None:
        raise ActionRefused("该分歧意见说明不存在。")
    return found


def _run_consult(request, sub, d):
    reqs = services.request_consultation(
        actor=request.user, submission=sub, units=list(d["units"]), limit_wd=d["limit_wd"]
    )
    return f"已向{'、'.join(r.unit.display_name for r in reqs)}征求意见，{due_label(reqs[0].due)}前回复。"


def _run_reply(request, sub, d):
    services.reply_to_consultation(
        actor=request.user, consultation=_consultation(sub, d["consultation"]), reply=d["reply"], text=d["text"]
    )
    return "意见已回复。"


def _run_extension(request, sub, d):
    req = services.agree_extension(
        actor=request.user, consultation=_consultation(sub, d["consultation"]), new_due=d["new_due"], note=d["note"]
    )
    return f"已登记{req.unit.display_name}的新回复时限：{req.extended_due}。"


def _run_statement(request, sub, d):
    statement = services.record_disagreement_statement(actor=request.user, submission=sub, **d)
    if getattr(statement, "changed", True) is False:
        return "分歧意见说明与已保存的相同，未作修改，未重复请相关单位会签。"
    return "分歧意见说明已保存，已请相关单位会签。"


def _run_countersign(request, sub, d):
    services.countersign_statement(actor=request.user, statement=_statement(sub, d["statement"]), note=d["note"])
    return "已会签分歧意见说明。"


def _run_send_for_signature(request, sub, d):
    services.send_for_signature(actor=request.user, submission=sub)
    return "已送单位负责人签发。"


def _run_sign(request, sub, d):
    signed = services.sign_submission(
        actor=request.user, submission=sub, issue_date=d["issue_date"], opinion=d["opinion"]
    )
    if checks.is_late(signed, timezone.localdate()):
        return (
            f"已签发。印发日期{signed.issue_date:%Y-%m-%d}距今已超过3个工作日，"
            "报送时请填写逾期报送的特殊情况说明（第六十条）。"
        )
    return f"已签发。请于{checks.submit_by(signed):%Y-%m-%d}前报送区政府办公室（印发后3个工作日内，第六十条）。"


def _run_send_back(request, sub, d):
    services.send_back_to_drafter(actor=request.user, submission=sub, opinion=d["opinion"])
    return "已退回拟稿人修改。"


def _run_submit(request, sub, d):
    services.submit_to_office(actor=request.user, submission=sub, late_reason=d.get("late_reason", ""))
    return "已报送区政府办公室。"


def _run_revise(request, sub, d):
    services.revise(actor=request.user, submission=sub)
    return "已收回修改，修改后须重新签发、报送。"


def _run_attach(request, sub, d):
    att = services.add_attachment(actor=request.user, submission=sub, file=d["file"], purpose=d["purpose"])
    return f"已添加附件：{att.original_name}"


def _run_checklist(request, sub, d):
    item = services.record_checklist_step(
        actor=request.user,
        submission=sub,
        step=d["step"],
        done=d["done"],
        evidence=d["evidence"],
        reason=d["reason"],
        upload=d.get("evidence_file") or None,
    )
    return f"已登记：{item}"


def _run_register(request, sub, d):
    slip = services.register(actor=request.user, submission=sub)
    return f"已登记，收文编号 {slip.number}，审批时限至 {due_label(slip.approval_due)}。"


def _run_return(request, sub, d):
    services.return_submission(actor=request.user, submission=sub, reason=d["reason"], text=d["text"])
    return "已退回来文单位。"


def _run_review(request, sub, d):
    ins = services.office_review_opinion(actor=request.user, submission=sub, opinion=d["opinion"])
    return f"{ins.get_step_display()}意见已签署。"


def _run_route(request, sub, d):
    a = services.route_to_leader(actor=request.user, submission=sub)
    return f"已呈{a.post.title}审批。"


def _run_send_to_leaders(request, sub, d):
    services.send_to_leaders(actor=request.user, submission=sub, mode=d["mode"], posts=list(d["posts"]))
    return "已分送领导审批。"


def _run_decide(request, sub, d):
    result = services.leader_decide(
        actor=request.user, submission=sub, decision=d["decision"], opinion=d["opinion"], to_post=d.get("to_post")
    )
    return f"批示已提交：{result.instruction.get_decision_display()}。"


def _run_notify_units(request, sub, d):
    notices = services.notify_units_to_prepare(
        actor=request.user, submission=sub, units=list(d["units"]), text=d["text"]
    )
    return f"已通知{len(notices)}个单位做好落实准备。"


def _run_approve_briefing(request, sub, d):

    services.approve_briefing(actor=request.user, submission=sub, opinion=d["opinion"])
    return "简报已核准（第六十三条），可继续审核。"


def _run_return_briefing(request, sub, d):

    services.return_unapproved_briefing(actor=request.user, submission=sub, text=d["text"])
    return "简报未予核准，已退回来文单位（第六十三条）。"


def _run_close(request, sub, d):
    services.close_submission(actor=request.user, submission=sub, result=d["result"])
    return "已办结，来文单位将收到批示。"


ACTIONS: dict[str, Action] = {
    "consult": Action(forms.ConsultationRequestForm, "征求意见", _run_consult),
    "reply": Action(forms.ReplyForm, "回复意见", _run_reply),
    "extension": Action(forms.ExtensionForm, "登记商定延期", _run_extension),
    "statement": Action(forms.StatementForm, "分歧意见说明", _run_statement),
    "countersign": Action(forms.CountersignForm, "会签分歧意见说明", _run_countersign),
    "send_for_signature": Action(shared_forms.ConfirmForm, "送签发", _run_send_for_signature),
    "sign": Action(forms.SignForm, "签发", _run_sign),
    "send_back": Action(shared_forms.OpinionForm, "退回拟稿人", _run_send_back),
    "submit": Action(forms.SubmitForm, "报送区政府办公室", _run_submit),
    "revise": Action(shared_forms.ConfirmForm, "收回修改", _run_revise),
    "attach": Action(forms.AttachmentForm, "添加附件", _run_attach),
    "checklist": Action(forms.SubmissionChecklistForm, "登记制发程序", _run_checklist),
    "register": Action(shared_forms.ConfirmForm, "登记", _run_register),
    "return": Action(forms.ReturnForm, "退回", _run_return),
    "review": Action(shared_forms.OpinionForm, "审核", _run_review),
    "route": Action(shared_forms.ConfirmForm, "按分工呈批", _run_route),
    "send_to_leaders": Action(forms.SendToLeadersForm, "串并联分送", _run_send_to_leaders),
    "decide": Action(forms.DecisionForm, "批示", _run_decide),
    "notify_units": Action(forms.NotifyUnitsForm, "通知做好落实准备", _run_notify_units),
    "close": Action(forms.CloseForm, "办结", _run_close),
    "approve_briefing": Action(shared_forms.OptionalOpinionForm, "核准简报", _run_approve_briefing),
    "return_briefing": Action(forms.BriefingReturnForm, "简报不予核准退回", _run_return_briefing),
}


# Actions whose form carries the page's one-time token (workflow.once): each post sends or adds something (a notice
# to every person of the chosen units, an attachment, a request for opinions), and the same post again must send or
# add nothing — and say so, not refuse it as if the first had failed.
ONCE_ACTIONS = {
    "notify_units": "该通知已发送过，未重复发送。",
    "attach": "该附件已上传，未重复添加。",
    "consult": "征求意见已发出，未重复发送。",
}


def _initial_forms(request, sub, allowed: set[str]) -> dict:
    built = {}
    for name in allowed:
        if name not in ACTIONS:
            continue
        initial = {}
        if name == "consult":
            # DOC-6: start from the units named on the drafting form that were not asked yet.
            asked = {c.unit_id for c in sub.consultations.all() if c.state != ConsultationRequest.State.CANCELLED}
            initial["units"] = [u.pk for u in sub.touched_units.all() if u.pk not in asked]
        if name == "reply":
            mine = [
                c
                for c in sub.consultations.all()
                if c.unit_id == home_unit_id(request.user) and c.state == ConsultationRequest.State.OPEN
            ]
            initial["consultation"] = mine[0].pk if mine else None
        if name == "countersign":
            latest = sub.disagreement_statements.all()
            initial["statement"] = latest[0].pk if latest else None
        built[name] = styled(ACTIONS[name].form(initial=initial, prefix=name, **form_kwargs(name, sub, request.user)))
    return built


def form_kwargs(name: str, sub, user=None) -> dict:
    """DOC-8: the checklist form offers the steps this request needs (by its flags); DOC-6: the consultation form
    offers the units other than the requesting one; DOC-11: 转批 offers the leaders other than the one deciding."""
    if name == "checklist":
        return {"steps": normative.required_normative_steps(sub)}
    if name in ("consult", "submit", "extension"):
        return {"submission": sub}
    if name == "decide" and user is not None:
        return {"deciding_posts": permissions.handled_post_ids(user, timezone.localdate())}
    return {}


def _checklist(sub) -> list[tuple[str, object]]:
    """DOC-8 rows to show: each step this request needs, with what the unit recorded (or None)."""
    if not normative.needs_checklist(sub):
        return []
    rows = {r.step: r for r in sub.checklist.all()}
    return [(NormativeStep(s).label, rows.get(s)) for s in normative.required_normative_steps(sub)]


def _detail_context(request, sub, *, bound: tuple[str, object] | None = None) -> dict:
    today = timezone.localdate()
    allowed = permissions.allowed_actions(request.user, sub)
    action_forms = _initial_forms(request, sub, allowed)
    kept = []
    if bound is not None:
        name, form = bound
        if name in allowed:  # refused for what was filled in: the form again, as typed
            action_forms[name] = styled(form)
        else:  # no longer this person's step (someone acted first): no button for it, but nothing typed is lost
            kept = [value for _label, value in typed_text(form)]
    unit_id = home_unit_id(request.user)
    consultations = list(sub.consultations.all())
    instructions = list(sub.instructions.all())
    leader_instructions = [i for i in instructions if i.step == Instruction.Step.LEADER]
    due_text, due_tone, due = selectors.row_due(sub, today)
    statements = list(sub.disagreement_statements.all())
    # DOC-11: the office sees who will receive the item (the acting person, if the leader is away) before the click.
    handler = leader_for_unit(sub.unit, today) if "route" in allowed else None
    route_to = handler.shown if handler is not None else "分管领导"
    return {
        "submission": sub,
        "slip": sub.current_slip,
        "allowed": allowed,
        "kept": kept,
        "route_label": f"按分工呈{route_to}审批",
        "route_confirm": f"确认呈{route_to}审批？",
        "forms": action_forms,
        "consultations": consultations,
        "my_open_consultations": [
            c for c in consultations if c.unit_id == unit_id and c.state == ConsultationRequest.State.OPEN
        ],
        "lead_open_consultations": [c for c in consultations if c.state == ConsultationRequest.State.OPEN]
        if unit_id == sub.unit_id
        else [],
        "office_opinions": [i for i in instructions if i.step != Instruction.Step.LEADER],
        "leader_instructions": leader_instructions,
        "may_raise_supervision": _supervision_links(request.user, leader_instructions),
        "assignments": [a for a in sub.assignments.all() if a.state != LeaderAssignment.State.CANCELLED],
        "statements": statements,
        "signed_unit_ids": {cs.unit_id for st in statements for cs in st.countersigns.all()},
        "attachments": list(sub.attachments.all()),
        "checklist": _checklist(sub),
        "draft_problems": checks.signature_problems(sub, today) if "edit" in allowed else [],
        "checklist_missing": [v.message for v in normative.normative_violations(sub)]
        if sub.state in (SubmissionState.DRAFTING, SubmissionState.CONSULTING, SubmissionState.AWAITING_SIGNATURE)
        else [],
        "urgency_badge": urgency_badge(sub),
        "due_text": due_text,
        "due_tone": due_tone,
        "due": due,
        "due_mark": count_mark(today, due) if due_text else "",  # 暂定, as the list shows it (CAL-2)
        "today": today,
        # New tokens whenever the panel is drawn, one per form: after a notice went, the next one (other units,
        # other words) is a new post; the same form posted again (a double click, Back and 发送通知) carries the old.
        "once_tokens": {name: uuid.uuid4().hex for name in ONCE_ACTIONS},
        **_readers_context(request.user, sub, permissions.can_grant_reader, "documents:readers"),
    }


@login_required
@require_POST
def readers(request, pk: int, op: str):
    """X-2: named readers of a confidential submission (指定阅读人)."""
    sub = selectors.submission_detail(request.user, pk)
    if sub is None:
        raise Http404
    return _change_readers(
        request,
        sub,
        op,
        may_manage=permissions.can_grant_reader,
        grant=lambda actor, obj, user: services.grant_reader(actor=actor, submission=obj, user=user),
        revoke=lambda actor, obj, user: services.revoke_reader(actor=actor, submission=obj, user=user),
        back=reverse("documents:detail", args=[pk]),
    )


@login_required
def detail(request, pk: int):
    sub = selectors.submission_detail(request.user, pk)
    if sub is None:
        raise Http404
    return render(request, "documents/detail.html", _detail_context(request, sub))


def _respond(request, pk: int, *, ok: bool, bound=None):
    """htmx: the refreshed action panel (or queue row); otherwise redirect, or the page with the form kept."""
    from_queue = request.POST.get("from") == "queue"
    if request.htmx and from_queue:
        return _queue_row_response(request, pk, ok=ok, bound=bound)
    if ok and not request.htmx:
        return redirect("documents:queue") if from_queue else redirect("documents:detail", pk=pk)
    sub = selectors.submission_detail(request.user, pk)
    if sub is None:  # the action took the item out of the user's sight
        if request.htmx:
            response = HttpResponse()
            response["HX-Redirect"] = reverse("documents:index")
            return response
        return redirect("documents:index")
    if request.htmx:
        ctx = _detail_context(request, sub, bound=None if ok else bound)
        ctx["oob"] = True
        return render(request, "documents/_panel.html", ctx)
    if ok:
        return redirect("documents:queue") if from_queue else redirect("documents:detail", pk=pk)
    return render(request, "documents/detail.html", _detail_context(request, sub, bound=bound))


@login_required
@require_POST
def act(request, pk: int, action: str):
    """One action on the item page: parse the small form, check, call the service, show its message."""
    spec = ACTIONS.get(action)
    sub = selectors.submission_for_action(request.user, pk)
    if spec is None or sub is None:
        raise Http404
    if action in ONCE_ACTIONS and once.made_before(request):  # the same form again: it was sent, nothing more is
        messages.info(request, ONCE_ACTIONS[action])
        return _respond(request, pk, ok=True)
    if request.htmx and request.POST.get("from") == "queue":
        # The queue row the answer replaces: a bad or foreign id is refused before anything is done.
        assignment = require_id(request.POST.get("assignment"), "待批事项")
        if not LeaderAssignment.objects.filter(pk=assignment, submission_id=pk).exists():
            raise Http404
    form = spec.form(
        request.POST,
        request.FILES,
        prefix=None if request.POST.get("from") == "queue" else action,
        **form_kwargs(action, sub, request.user),
    )
    seen = request.POST.get("seen_state", "")
    # A step of the state machine is checked by its service under the row lock (its permission, the state the page
    # showed, "已由XX处理"); an edit that goes with a state is checked here.
    if action not in permissions.STEP_ACTIONS:
        allowed = permissions.allowed_actions(request.user, sub, only=action, visible=True)
        if action not in allowed and (not seen or seen == sub.state):
            messages.error(request, f"您当前不能对该公文进行“{spec.label}”操作。")
            return _respond(request, pk, ok=False, bound=(action, form))
    if not form.is_valid():
        # Someone whose step it is not never reads its field errors, only the refusal (the service's, naming the
        # rule, when it can read what he sent).
        not_theirs = permissions.step_refused(request.user, sub, action) and (not seen or seen == sub.state)
        messages.error(request, f"您当前不能对该公文进行“{spec.label}”操作。" if not_theirs else "请检查填写的内容。")
        return _respond(request, pk, ok=False, bound=(action, form))
    try:
        if action in ONCE_ACTIONS:
            with once.once(request) as done:
                text = spec.run(request, as_seen(sub, seen), form.cleaned_data)
                done(reverse("documents:detail", args=[pk]))
        else:
            text = spec.run(request, as_seen(sub, seen), form.cleaned_data)
    except once.AlreadyPosted:  # the same post at the same moment: the other one sent it
        messages.info(request, ONCE_ACTIONS[action])
        return _respond(request, pk, ok=True)
    except NotAllowed:
        messages.error(request, f"您当前不能对该公文进行“{spec.label}”操作。")
        return _respond(request, pk, ok=False, bound=(action, form))
    except ActionRefused as exc:
        messages.error(request, exc.message)
        if isinstance(exc, AlreadyHandled) and not request.htmx:
            return _already_handled(request, sub, form, by_you=exc.handled_by == request.user)
        return _respond(request, pk, ok=False, bound=(action, form))
    messages.success(request, text)
    return _respond(request, pk, ok=True)


def _already_handled(request, sub, form, *, by_you: bool = False):
    """Someone else was first (a simultaneous click, or a stale page): a short page that names who (the message),
    keeps what the user wrote so nothing typed is lost, and links back — the item page is not redrawn for a click
    that changed nothing. 409: the page the user acted on no longer matches the item. `by_you`: the first one was
    the user's own (a double click, Back and send again), which the page must not call someone else's."""
    context = {
        "submission": sub,
        "kept": typed_text(form),
        "detail_url": reverse("documents:detail", args=[sub.pk]),
        "by_you": by_you,
    }
    return render(request, "documents/already_handled.html", context, status=409)


@dataclass(frozen=True)
class QueueRow(TemplateRow):
    """A pending step on the leaders' queue with its words and links made once in Python (issue 14.2)."""

    assignment: LeaderAssignment
    submission: object
    due_text: str
    due_tone: str
    capacity: str
    detail_url: str
    decide_url: str
    mode: str
    urgency: str  # the badge's HTML (urgency_badge)
    unit_name: str
    slip_number: str
    due: str  # the due date's HTML (the `due` filter's)
    pk: int  # the submission's
    title: str
    state: str
    assignment_pk: int


MODE_LABELS = dict(LeaderAssignment.Mode.choices)
# What a queue row shows (_queue_row.html): a page of 20 rows reads these, not every column of four tables.
QUEUE_ROW_COLUMNS = (
    "submission_id",
    "slip_id",
    "post_id",
    "mode",
    "due",
    "state",
    "urgency_rank",
    "submission__title",
    "submission__state",
    "submission__urgency",
    "submission__unit_id",
    "submission__unit__name",
    "submission__unit__short_name",
    "slip__number",
)


def _queue_rows(assignments, user, today) -> list[QueueRow]:
    capacities = selectors.queue_capacities(user, today)
    detail_url, decide_url = url_for_each("documents:detail"), url_for_each("documents:act", "decide")
    rows = []
    for a in assignments:
        text, tone = due_text(a.due, today) if a.due else ("", "")
        sub = a.submission
        rows.append(
            QueueRow(
                a,
                sub,
                text,
                tone,
                capacities.get(a.post_id, ""),
                detail_url=detail_url(sub.pk),
                decide_url=decide_url(sub.pk),
                mode=MODE_LABELS.get(a.mode, a.mode),
                urgency=urgency_badge(sub),
                unit_name=sub.unit.display_name,
                slip_number=a.slip.number if a.slip_id else "",
                due=due_html(a.due) if a.due else "",
                pk=sub.pk,
                title=sub.title,
                state=sub.state,
                assignment_pk=a.pk,
            )
        )
    return rows


@login_required
@cached_page
def queue(request):
    """我的待办·公文: the leader's pending steps, most urgent then earliest due, each with the approve form."""
    today = timezone.localdate()
    assignments = (
        selectors.leader_queue(request.user, today)
        .select_related(None)
        .select_related("submission__unit", "slip")
        .only(*QUEUE_ROW_COLUMNS)
    )
    page = Paginator(assignments, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    capacities = selectors.queue_capacities(request.user, today)
    # DOC-14: flow B's review and signature steps have no Deadline row, so they are listed here, each list with
    # its own page number (rpage, spage) so paging one keeps the others where they were.
    reviews = Paginator(outgoing_selectors.pending_reviews_queue(request.user, today), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("rpage")
    )
    signatures = Paginator(outgoing_selectors.signatures_queue(request.user, today), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("spage")
    )
    return render(
        request,
        "documents/queue.html",
        {
            "page": page,
            "rows": _queue_rows(page.object_list, request.user, today),
            "today": today,
            "reviews": [(r, capacities.get(r.post_id, "")) for r in reviews.object_list],
            "signatures": list(signatures.object_list),
            "reviews_page": reviews,
            "signatures_page": signatures,
            "reviews_links": _page_links(request, "rpage", reviews),
            "signatures_links": _page_links(request, "spage", signatures),
        },
    )


def _page_links(request, param: str, page) -> dict:
    """Previous/next links of one of several paginated lists on a page, keeping the other lists' page numbers."""

    def url(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return f"?{query.urlencode()}"

    return {
        "previous": url(page.previous_page_number()) if page.has_previous() else "",
        "next": url(page.next_page_number()) if page.has_next() else "",
    }


def _queue_row_response(request, pk: int, *, ok: bool, bound=None):
    today = timezone.localdate()
    a = (
        LeaderAssignment.objects.filter(pk=to_id(request.POST.get("assignment")) or 0, submission_id=pk)
        .select_related("submission", "submission__unit", "slip", "post", "instruction")
        .first()
    )
    if a is None:
        raise Http404
    row = _queue_rows([a], request.user, today)[0]
    # The header's "共 N 件" follows the row (out of band): the approved step has left the queue.
    remaining = selectors.leader_queue(request.user, today).count() if ok else None
    return render(
        request,
        "documents/_queue_row.html",
        {"row": row, "done": ok, "partial": True, "form": bound[1] if bound else None, "remaining": remaining},
    )


def _visible_slip(request, pk: int):
    sub = selectors.get_visible_submission(request.user, pk)
    if sub is None or sub.current_slip_id is None:
        raise Http404
    data = selectors.slip_detail(sub.current_slip)
    data["leader_lines"] = [(i, selectors.instruction_text(i)) for i in data["leader_instructions"]]
    data["may_raise_supervision"] = _supervision_links(request.user, data["leader_instructions"])
    return data


def _supervision_links(user, leader_instructions: list) -> bool:
    """SUP-1, the link from the slip to the ledger: put on each leader instruction the supervision items raised
    from it that `user` may see (`i.sup_items`, one query for all of them); say whether `user` (the office) may
    raise a new one."""
    links, may_raise = followups("leader_instruction", user, leader_instructions)
    for i in leader_instructions:
        i.sup_items = links.get(i.pk, [])
    return may_raise


@login_required
def slip(request, pk: int):
    """公文处理单, print-ready on one A4 page."""
    return render(request, "documents/slip.html", _visible_slip(request, pk))


@login_required
def slip_docx(request, pk: int):

    data = _visible_slip(request, pk)
    content = build_slip_docx(data)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )

    response["Content-Disposition"] = content_disposition_header(True, f"公文处理单-{data['slip'].number}.docx")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def attachment(request, pk: int, att_pk: int):
    """Download through the permission check; never from a public media URL (X-2)."""
    sub = selectors.get_visible_submission(request.user, pk)
    if sub is None:
        raise Http404
    att = Attachment.objects.filter(pk=att_pk, submission_id=sub.pk).select_related("submission").first()
    if att is None or not permissions.can_download_attachment(request.user, att):
        raise Http404
    try:
        handle = att.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=att.original_name, content_type=att.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
