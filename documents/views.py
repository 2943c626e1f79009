"""Pages of flow A (a unit's submission to the government): the 公文办理 lists, the drafting form, the item
page with the actions available right now, the leaders' queue, the processing slip (page and .docx) and
attachment downloads.

Views only parse input, ask `documents.permissions`, call one service and report its message; a rule
refusal re-renders the form with what the user typed. Anyone who may not see an item gets a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tiexi_gov.org.roles import LEADER_ROLES, has_role

from . import forms, permissions, selectors, services
from .models import (
    Attachment,
    ConsultationRequest,
    DisagreementStatement,
    Instruction,
    LeaderAssignment,
    NormativeStep,
    SubmissionState,
    Urgency,
)
from .services import DocumentError

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


# --- lists -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListRow:
    submission: object
    due_text: str
    due_tone: str
    urgency_class: str


def _rows(submissions, today) -> list[ListRow]:
    out = []
    for sub in submissions:
        text, tone, _due = selectors.row_due(sub, today)
        out.append(ListRow(sub, text, tone, URGENCY_TAG.get(sub.urgency, "")))
    return out


@login_required
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
            "rows": _rows(page.object_list, today),
            "states": SubmissionState.choices,
            "urgencies": Urgency.choices,
            "units": selectors.filter_units(),
            "page_query": filters.query(),
            "may_draft": bool(request.user.unit_id) and not permissions.is_office_staff(request.user),
            "rules": RULES,
            "today": today,
        },
    )


# --- drafting --------------------------------------------------------------------------------------------


@login_required
def create(request):
    """A unit's clerk drafts a submission (the unit is the clerk's own); one service saves the draft, the
    touched units and the files together."""
    if not request.user.unit_id:
        raise Http404
    form = forms.SubmissionForm(request.POST or None, request.FILES or None, unit=request.user.unit)
    if request.method == "POST" and form.is_valid():
        try:
            sub = services.create_draft(actor=request.user, **form.draft_fields())
        except DocumentError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "草稿已保存。")
            url = reverse("documents:detail", args=[sub.pk])
            if form.cleaned_data.get("touched_units"):
                messages.info(request, "请在下方“征求意见”中确认相关单位和回复时限后发出。")
                url += "?consult=open#act-consult"
            return redirect(url)
    return render(request, "documents/form.html", {"form": forms.styled(form), "submission": None})


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
        try:
            services.update_draft(
                actor=request.user,
                submission=selectors.as_seen(sub, request.POST.get("seen_state", "")),
                **form.draft_fields(),
            )
        except DocumentError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "修改已保存。")
            return redirect("documents:detail", pk=sub.pk)
    return render(request, "documents/form.html", {"form": forms.styled(form), "submission": sub})


# --- the item page and its actions ---------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    form: type
    label: str
    run: Callable  # (request, submission, cleaned_data) -> success message


def _consultation(sub, pk) -> ConsultationRequest:
    found = next((c for c in sub.consultations.all() if c.pk == pk), None)
    if found is None:
        raise DocumentError("该征求意见不存在。")
    return found


def _statement(sub, pk) -> DisagreementStatement:
    found = DisagreementStatement.objects.filter(submission_id=sub.pk, pk=pk).first()
    if found is None:
        raise DocumentError("该分歧意见说明不存在。")
    return found


def _run_consult(request, sub, d):
    reqs = services.request_consultation(
        actor=request.user, submission=sub, units=list(d["units"]), limit_wd=d["limit_wd"]
    )
    return f"已向{'、'.join(r.unit.display_name for r in reqs)}征求意见，{reqs[0].due}前回复。"


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
    services.record_disagreement_statement(actor=request.user, submission=sub, **d)
    return "分歧意见说明已保存，已请相关单位会签。"


def _run_countersign(request, sub, d):
    services.countersign_statement(actor=request.user, statement=_statement(sub, d["statement"]), note=d["note"])
    return "已会签分歧意见说明。"


def _run_send_for_signature(request, sub, d):
    services.send_for_signature(actor=request.user, submission=sub)
    return "已送单位负责人签发。"


def _run_sign(request, sub, d):
    services.sign_submission(actor=request.user, submission=sub, issue_date=d["issue_date"], opinion=d["opinion"])
    return "已签发。请在印发后3个工作日内报送区政府办公室。"


def _run_send_back(request, sub, d):
    services.send_back_to_drafter(actor=request.user, submission=sub, opinion=d["opinion"])
    return "已退回拟稿人修改。"


def _run_submit(request, sub, d):
    services.submit_to_office(actor=request.user, submission=sub)
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
    return f"已登记，收文编号 {slip.number}，审批时限至 {slip.approval_due}。"


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
    from . import issuance

    issuance.approve_briefing(actor=request.user, submission=sub, opinion=d["opinion"])
    return "简报已核准（DOC-16），可继续审核。"


def _run_return_briefing(request, sub, d):
    from . import issuance

    issuance.return_unapproved_briefing(actor=request.user, submission=sub, text=d["text"])
    return "简报未予核准，已退回来文单位（DOC-16）。"


def _run_close(request, sub, d):
    services.close_submission(actor=request.user, submission=sub, result=d["result"])
    return "已办结，来文单位将收到批示。"


ACTIONS: dict[str, Action] = {
    "consult": Action(forms.ConsultationRequestForm, "征求意见", _run_consult),
    "reply": Action(forms.ReplyForm, "回复意见", _run_reply),
    "extension": Action(forms.ExtensionForm, "登记商定延期", _run_extension),
    "statement": Action(forms.StatementForm, "分歧意见说明", _run_statement),
    "countersign": Action(forms.CountersignForm, "会签分歧意见说明", _run_countersign),
    "send_for_signature": Action(forms.ConfirmForm, "送签发", _run_send_for_signature),
    "sign": Action(forms.SignForm, "签发", _run_sign),
    "send_back": Action(forms.OpinionForm, "退回拟稿人", _run_send_back),
    "submit": Action(forms.ConfirmForm, "报送区政府办公室", _run_submit),
    "revise": Action(forms.ConfirmForm, "收回修改", _run_revise),
    "attach": Action(forms.AttachmentForm, "添加附件", _run_attach),
    "checklist": Action(forms.SubmissionChecklistForm, "登记制发程序", _run_checklist),
    "register": Action(forms.ConfirmForm, "登记", _run_register),
    "return": Action(forms.ReturnForm, "退回", _run_return),
    "review": Action(forms.OpinionForm, "审核", _run_review),
    "route": Action(forms.ConfirmForm, "按分工呈批", _run_route),
    "send_to_leaders": Action(forms.SendToLeadersForm, "串并联分送", _run_send_to_leaders),
    "decide": Action(forms.DecisionForm, "批示", _run_decide),
    "notify_units": Action(forms.NotifyUnitsForm, "通知做好落实准备", _run_notify_units),
    "close": Action(forms.CloseForm, "办结", _run_close),
    "approve_briefing": Action(forms.OptionalOpinionForm, "核准简报", _run_approve_briefing),
    "return_briefing": Action(forms.BriefingReturnForm, "简报不予核准退回", _run_return_briefing),
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
                if c.unit_id == request.user.unit_id and c.state == ConsultationRequest.State.OPEN
            ]
            initial["consultation"] = mine[0].pk if mine else None
        if name == "countersign":
            latest = sub.disagreement_statements.all()
            initial["statement"] = latest[0].pk if latest else None
        built[name] = forms.styled(ACTIONS[name].form(initial=initial, prefix=name, **_form_kwargs(name, sub)))
    return built


def _form_kwargs(name: str, sub) -> dict:
    """DOC-8: the checklist form offers the steps this request needs (by its flags)."""
    return {"steps": services.required_normative_steps(sub)} if name == "checklist" else {}


def _checklist(sub) -> list[tuple[str, object]]:
    """DOC-8 rows to show: each step this request needs, with what the unit recorded (or None)."""
    if not sub.normative:
        return []
    rows = {r.step: r for r in sub.checklist.all()}
    return [(NormativeStep(s).label, rows.get(s)) for s in services.required_normative_steps(sub)]


def _detail_context(request, sub, *, bound: tuple[str, object] | None = None) -> dict:
    today = timezone.localdate()
    allowed = permissions.allowed_actions(request.user, sub)
    action_forms = _initial_forms(request, sub, allowed)
    if bound is not None:
        action_forms[bound[0]] = forms.styled(bound[1])
        allowed = allowed | {bound[0]}
    unit_id = request.user.unit_id
    consultations = list(sub.consultations.all())
    instructions = list(sub.instructions.all())
    leader_instructions = [i for i in instructions if i.step == Instruction.Step.LEADER]
    due_text, due_tone, due = selectors.row_due(sub, today)
    statements = list(sub.disagreement_statements.all())
    return {
        "submission": sub,
        "slip": sub.current_slip,
        "allowed": allowed,
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
        "checklist_missing": [v.message for v in services.normative_violations(sub)]
        if sub.state in (SubmissionState.DRAFTING, SubmissionState.CONSULTING, SubmissionState.AWAITING_SIGNATURE)
        else [],
        "urgency_class": URGENCY_TAG.get(sub.urgency, ""),
        "due_text": due_text,
        "due_tone": due_tone,
        "due": due,
        "today": today,
        **_readers_context(request.user, sub, permissions.can_grant_reader, "documents:readers"),
    }


def _readers_context(user, obj, may_manage, url_name: str) -> dict:
    """X-2: the 指定阅读人 panel of a confidential item, for those who keep its list of readers."""
    if not obj.confidential or not may_manage(user, obj):
        return {"readers_panel": None}
    return {
        "readers_panel": {
            "readers": selectors.named_readers(obj),
            "form": forms.styled(forms.ReaderForm(prefix="reader")),
            "add_url": reverse(url_name, args=[obj.pk, "add"]),
            "remove_url": reverse(url_name, args=[obj.pk, "remove"]),
            "drafted_by_id": obj.drafted_by_id,
        }
    }


def _change_readers(request, obj, op: str, *, may_manage, grant, revoke, back: str):
    """Add or remove one named reader: check, call the service, report, back to the item page."""
    if op not in ("add", "remove") or not obj.confidential or not may_manage(request.user, obj):
        raise Http404
    form = forms.ReaderForm(request.POST, prefix="reader", active_only=op == "add")
    if not form.is_valid():
        messages.error(request, "请选择阅读人。")
    else:
        reader = form.cleaned_data["user"]
        try:
            (grant if op == "add" else revoke)(request.user, obj, reader)
        except DocumentError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已指定{reader}为阅读人。" if op == "add" else f"已取消{reader}的阅读权限。")
    if request.htmx:
        response = HttpResponse()
        response["HX-Redirect"] = back
        return response
    return redirect(back)


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
    sub = selectors.submission_detail(request.user, pk)
    from_queue = request.POST.get("from") == "queue"
    if request.htmx and from_queue:
        return _queue_row_response(request, pk, ok=ok, bound=bound)
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
    sub = selectors.submission_detail(request.user, pk)
    if spec is None or sub is None:
        raise Http404
    form = spec.form(
        request.POST,
        request.FILES,
        prefix=None if request.POST.get("from") == "queue" else action,
        **_form_kwargs(action, sub),
    )
    seen = request.POST.get("seen_state", "")
    allowed = permissions.allowed_actions(request.user, sub)
    if action not in allowed and seen and seen == sub.state:
        # A simultaneous click may have committed between reading the item and checking the action: read it
        # again (its state and its finished step commit together), so the service can say who handled it.
        sub = selectors.submission_detail(request.user, pk) or sub
        allowed = permissions.allowed_actions(request.user, sub)
    if action not in allowed and (not seen or seen == sub.state):
        messages.error(request, f"您当前不能对该公文进行“{spec.label}”操作。")
        return _respond(request, pk, ok=False, bound=(action, form))
    if not form.is_valid():
        messages.error(request, "请检查填写的内容。")
        return _respond(request, pk, ok=False, bound=(action, form))
    try:
        text = spec.run(request, selectors.as_seen(sub, seen), form.cleaned_data)
    except DocumentError as exc:
        messages.error(request, exc.message)
        return _respond(request, pk, ok=False, bound=(action, form))
    messages.success(request, text)
    return _respond(request, pk, ok=True)


# --- the leaders' queue ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    assignment: LeaderAssignment
    submission: object
    due_text: str
    due_tone: str
    urgency_class: str
    capacity: str


def _queue_rows(assignments, user, today) -> list[QueueRow]:
    from tiexi_gov.deadlines.selectors import due_text

    capacities = selectors.queue_capacities(user, today)
    rows = []
    for a in assignments:
        text, tone = due_text(a.due, today) if a.due else ("", "")
        rows.append(
            QueueRow(
                a, a.submission, text, tone, URGENCY_TAG.get(a.submission.urgency, ""), capacities.get(a.post_id, "")
            )
        )
    return rows


@login_required
def queue(request):
    """我的待办·公文: the leader's pending steps, most urgent then earliest due, each with the approve form."""
    today = timezone.localdate()
    page = Paginator(selectors.leader_queue(request.user, today), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    capacities = selectors.queue_capacities(request.user, today)
    # DOC-14: flow B's review and signature steps have no Deadline row, so they are listed here, each list with
    # its own page number (rpage, spage) so paging one keeps the others where they were.
    reviews = Paginator(selectors.pending_reviews_queue(request.user, today), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("rpage")
    )
    signatures = Paginator(selectors.signatures_queue(request.user, today), QUEUE_PAGE_SIZE).get_page(
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
        LeaderAssignment.objects.filter(pk=request.POST.get("assignment") or 0, submission_id=pk)
        .select_related("submission", "submission__unit", "slip", "post", "instruction")
        .first()
    )
    if a is None:
        raise Http404
    row = _queue_rows([a], request.user, today)[0]
    return render(
        request,
        "documents/_queue_row.html",
        {"row": row, "done": ok, "partial": True, "form": bound[1] if bound else None},
    )


# --- processing slip, .docx, attachments -------------------------------------------------------------------


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
    from supervision import permissions as sup_permissions
    from supervision import selectors as sup_selectors

    if leader_instructions:
        links = sup_selectors.items_for_sources(leader_instructions, user=user)
        ct_id = ContentType.objects.get_for_model(Instruction).pk
        for i in leader_instructions:
            i.sup_items = links.get((ct_id, str(i.pk)), [])
    return sup_permissions.can_manage(user)


@login_required
def slip(request, pk: int):
    """公文处理单, print-ready on one A4 page."""
    return render(request, "documents/slip.html", _visible_slip(request, pk))


@login_required
def slip_docx(request, pk: int):
    from .slip_docx import build_slip_docx

    data = _visible_slip(request, pk)
    content = build_slip_docx(data)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    from django.utils.http import content_disposition_header

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


# =====================================================================================================
# Flow B — 发文: the list, the 发文稿纸 form, the item page and its actions, the print page and the .docx,
# the annual document plan (DOC-15) and the public register (PUB-2).
# =====================================================================================================

OUTGOING_PAGE_SIZE = 20
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _is_office(user) -> bool:
    return permissions.is_office_staff(user)


@login_required
def outgoing_index(request):
    """发文: 待办 / 已办 / 办结 tabs, search by title and 发文字号, filters by state, issuer and kind."""
    from .models import Issuer, OutgoingKind, OutgoingState

    today = timezone.localdate()
    filters = selectors.outgoing_filters(request.GET)
    page = Paginator(selectors.outgoing_list(request.user, filters, today), OUTGOING_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "documents/outgoing_index.html",
        {
            "filters": filters,
            "tabs": selectors.TABS,
            "page": page,
            "states": OutgoingState.choices,
            "issuers": Issuer.choices,
            "kinds": OutgoingKind.choices,
            "page_query": filters.query(),
            "may_draft": bool(request.user.unit_id),
            "is_office": _is_office(request.user),
            # District leaders sit in the government unit, which keeps no department plan: no link to a 404.
            "show_unit_plan": bool(request.user.unit_id) and not has_role(request.user, *LEADER_ROLES),
        },
    )


@login_required
def outgoing_create(request):
    """发文稿纸: a unit's clerk (or the office) drafts; one service saves the draft, the 会签 units and the files."""
    from . import issuance

    if not request.user.unit_id:
        raise Http404
    today = timezone.localdate()
    form = forms.OutgoingForm(request.POST or None, request.FILES or None, unit=request.user.unit, year=today.year)
    if request.method == "POST" and form.is_valid():
        try:
            doc = issuance.create_outgoing(actor=request.user, **form.service_fields())
        except DocumentError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "发文稿已保存。")
            return redirect("documents:outgoing_detail", pk=doc.pk)
    return render(request, "documents/outgoing_form.html", {"form": forms.styled(form), "document": None})


@login_required
def outgoing_edit(request, pk: int):
    from . import issuance

    doc = selectors.outgoing_detail(request.user, pk)
    if doc is None:
        raise Http404
    if "edit" not in permissions.outgoing_allowed_actions(request.user, doc):
        messages.error(request, "该发文当前不能修改（仅起草阶段可以修改；被退回的请先“收回修改”）。")
        return redirect("documents:outgoing_detail", pk=doc.pk)
    today = timezone.localdate()
    form = forms.OutgoingForm(request.POST or None, request.FILES or None, instance=doc, year=today.year)
    if request.method == "POST" and form.is_valid():
        try:
            issuance.update_outgoing(
                actor=request.user,
                document=selectors.as_seen(doc, request.POST.get("seen_state", "")),
                **form.service_fields(),
            )
        except DocumentError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "修改已保存。")
            return redirect("documents:outgoing_detail", pk=doc.pk)
    return render(request, "documents/outgoing_form.html", {"form": forms.styled(form), "document": doc})


def _one_off(doc, pk):
    found = next((a for a in doc.one_off_approvals.all() if a.pk == pk), None)
    if found is None:
        raise DocumentError("该计划外发文申请不存在。")
    return found


def _evidence_file(doc, pk):
    return next((a for a in doc.attachments.all() if a.pk == pk), None) if pk else None


def _b_submit(request, doc, d):
    from . import issuance

    doc = issuance.submit_outgoing(actor=request.user, document=doc)
    return "已送区政府办公室核稿。" if doc.state == "office_check" else "已送本部门负责人签发。"


def _b_revise(request, doc, d):
    from . import issuance

    issuance.revise_outgoing(actor=request.user, document=doc)
    return "已收回修改，修改后须重新报送核稿。"


def _b_attach(request, doc, d):
    from . import issuance

    att = issuance.add_outgoing_attachment(
        actor=request.user, document=doc, file=d["file"], purpose=d["purpose"], title=d["title"]
    )
    return f"已添加：{att}"


def _b_checklist(request, doc, d):
    from . import issuance

    item = issuance.record_checklist_step(
        actor=request.user, document=doc, step=d["step"], done=d["done"], evidence=d["evidence"], reason=d["reason"]
    )
    return f"已登记：{item}"


def _b_one_off(request, doc, d):
    from . import issuance

    issuance.request_one_off_approval(actor=request.user, document=doc, matter=d["matter"], reason=d["reason"])
    return "计划外发文申请已报送区政府办公室审核。"


def _b_decide_one_off(request, doc, d):
    from . import issuance

    a = issuance.decide_one_off_approval(
        actor=request.user, approval=_one_off(doc, d["approval"]), approve=d["approve"], opinion=d["opinion"]
    )
    return f"计划外发文申请：{a.get_state_display()}。"


def _b_party_opinion(request, doc, d):
    from . import issuance

    issuance.record_party_office_opinion(actor=request.user, document=doc, opinion=d["opinion"], on_date=d["on_date"])
    return "已登记区委办公室意见。"


def _b_countersign(request, doc, d):
    from . import issuance

    issuance.countersign_outgoing(actor=request.user, document=doc, opinion=d["opinion"])
    return "已会签。"


def _b_office_check(request, doc, d):
    from . import issuance

    doc = issuance.office_check_outgoing(actor=request.user, document=doc, opinion=d["opinion"])
    return f"核稿完毕，{doc.get_state_display()}。"


def _b_legality(request, doc, d):
    from . import issuance

    review = issuance.record_legality_review(actor=request.user, document=doc, **d)
    return f"合法性审查：{review.get_conclusion_display()}。"


def _b_review(request, doc, d):
    from . import issuance

    issuance.review_outgoing(actor=request.user, document=doc, opinion=d["opinion"])
    return "审核意见已签署。"


def _b_sign(request, doc, d):
    from . import issuance

    doc = issuance.sign_outgoing(actor=request.user, document=doc, opinion=d["opinion"])
    return f"已签发{('，发文字号 ' + doc.number) if doc.number else ''}。"


def _b_return(request, doc, d):
    from . import issuance

    issuance.return_outgoing(actor=request.user, document=doc, reason=d["reason"], text=d["text"])
    return "已退回拟稿单位。"


def _b_interpretation(request, doc, d):
    from . import issuance

    issuance.write_interpretation(actor=request.user, document=doc, title=d["title"], text=d["text"])
    return "政策解读已保存，将与文件同步发布（DOC-18）。"


def _b_issue(request, doc, d):
    from . import issuance

    doc = issuance.issue_outgoing(actor=request.user, document=doc, printing_office=d["printing_office"])
    listed = "，已列入公开目录" if doc.will_be_published else ""
    return f"已印发{listed}。"


def _b_send_to_party(request, doc, d):
    from . import issuance

    issuance.send_to_party_committee(actor=request.user, document=doc)
    return "已报区委。"


def _b_filing(request, doc, d):
    from . import issuance

    issuance.record_filing(
        actor=request.user, document=doc, filed_with=d["filed_with"], filed_on=d["filed_on"], reference=d["reference"]
    )
    return "备案情况已登记。"


def _b_withdraw(request, doc, d):
    from . import issuance

    issuance.withdraw_outgoing(actor=request.user, document=doc, reason=d["reason"])
    return "已撤回（废止），已从公开目录撤下。"


OUTGOING_ACTIONS: dict[str, Action] = {
    "submit": Action(forms.ConfirmForm, "报送", _b_submit),
    "revise": Action(forms.ConfirmForm, "收回修改", _b_revise),
    "attach": Action(forms.OutgoingAttachmentForm, "添加附件", _b_attach),
    "checklist": Action(forms.ChecklistForm, "登记制发程序", _b_checklist),
    "one_off": Action(forms.OneOffRequestForm, "计划外发文申请", _b_one_off),
    "decide_one_off": Action(forms.OneOffDecisionForm, "审核计划外发文", _b_decide_one_off),
    "party_opinion": Action(forms.PartyOpinionForm, "征求区委办公室意见", _b_party_opinion),
    "countersign": Action(forms.OptionalOpinionForm, "会签", _b_countersign),
    "office_check": Action(forms.OpinionForm, "核稿", _b_office_check),
    "legality": Action(forms.LegalityReviewForm, "合法性审查", _b_legality),
    "review": Action(forms.OpinionForm, "审核", _b_review),
    "sign": Action(forms.OptionalOpinionForm, "签发", _b_sign),
    "return": Action(forms.OutgoingReturnForm, "退回", _b_return),
    "interpretation": Action(forms.InterpretationForm, "政策解读", _b_interpretation),
    "issue": Action(forms.IssueForm, "印发", _b_issue),
    "send_to_party": Action(forms.ConfirmForm, "报区委", _b_send_to_party),
    "filing": Action(forms.FilingForm, "备案", _b_filing),
    "withdraw": Action(forms.WithdrawForm, "撤回（废止）", _b_withdraw),
}


def _outgoing_form(name, doc):
    """The unbound form of one action, with what the page already knows filled in."""
    from . import issuance

    kwargs = {"prefix": name}
    if name == "checklist":
        kwargs["steps"] = issuance.required_normative_steps(doc)
    initial = {}
    if name == "decide_one_off":
        pending = [a for a in doc.one_off_approvals.all() if a.state == "pending"]
        initial["approval"] = pending[0].pk if pending else None
    if name == "filing":
        initial["filed_with"] = issuance.default_filing_body(doc)
        initial["filed_on"] = timezone.localdate()
    if name == "interpretation" and _has_interpretation(doc):
        initial = {"title": doc.interpretation.title, "text": doc.interpretation.text}
    return OUTGOING_ACTIONS[name].form(initial=initial, **kwargs)


def _outgoing_context(request, doc, *, bound: tuple[str, object] | None = None) -> dict:
    from . import issuance
    from .models import DeputyReview, NormativeStep, OneOffApproval, OutgoingAttachment, OutgoingKind

    allowed = permissions.outgoing_allowed_actions(request.user, doc)
    action_forms = {name: forms.styled(_outgoing_form(name, doc)) for name in allowed if name in OUTGOING_ACTIONS}
    if bound is not None:
        action_forms[bound[0]] = forms.styled(bound[1])
        allowed = allowed | {bound[0]}
    rows = {r.step: r for r in doc.checklist.all()}
    checklist = (
        [(NormativeStep(s).label, rows.get(s)) for s in issuance.required_normative_steps(doc)] if doc.normative else []
    )
    signed_units = {c.unit_id for c in doc.countersigns.all()}
    attachments = list(doc.attachments.all())
    return {
        "document": doc,
        "allowed": allowed,
        "forms": action_forms,
        "checklist": checklist,
        "countersign_rows": [(u, u.pk in signed_units) for u in doc.countersign_units.all()],
        "countersigns": list(doc.countersigns.all()),
        "reviews": [r for r in doc.deputy_reviews.all() if r.state != DeputyReview.State.CANCELLED],
        "legality_reviews": list(doc.legality_reviews.all()),
        "one_offs": list(doc.one_off_approvals.all()),
        "pending_one_off": any(a.state == OneOffApproval.State.PENDING for a in doc.one_off_approvals.all()),
        "attachments": [a for a in attachments if a.purpose == OutgoingAttachment.Purpose.ATTACHMENT],
        "other_files": [a for a in attachments if a.purpose != OutgoingAttachment.Purpose.ATTACHMENT],
        "interpretation": getattr(doc, "interpretation", None) if _has_interpretation(doc) else None,
        "signer_text": permissions.SIGNER_TEXT[OutgoingKind(doc.kind)],
        "may_download": bool(doc.number),
        **_readers_context(request.user, doc, permissions.can_grant_outgoing_reader, "documents:outgoing_readers"),
    }


def _has_interpretation(doc) -> bool:
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return doc.interpretation is not None
    except ObjectDoesNotExist:
        return False


@login_required
def outgoing_detail(request, pk: int):
    doc = selectors.outgoing_detail(request.user, pk)
    if doc is None:
        raise Http404
    return render(request, "documents/outgoing_detail.html", _outgoing_context(request, doc))


def _outgoing_respond(request, pk: int, *, ok: bool, bound=None):
    """htmx: the refreshed panel (and the sheet out of band); otherwise redirect, or the page with the form kept."""
    doc = selectors.outgoing_detail(request.user, pk)
    if doc is None:  # the action took the document out of the user's sight
        if request.htmx:
            response = HttpResponse()
            response["HX-Redirect"] = reverse("documents:outgoing_index")
            return response
        return redirect("documents:outgoing_index")
    if request.htmx:
        ctx = _outgoing_context(request, doc, bound=None if ok else bound)
        ctx["oob"] = True
        return render(request, "documents/_outgoing_panel.html", ctx)
    if ok:
        return redirect("documents:outgoing_detail", pk=pk)
    return render(request, "documents/outgoing_detail.html", _outgoing_context(request, doc, bound=bound))


@login_required
@require_POST
def outgoing_act(request, pk: int, action: str):
    """One action on the 发文 item page. The service decides (under the row lock) and its refusal — with the
    rule's words — is shown next to the form the user filled, their input kept."""
    spec = OUTGOING_ACTIONS.get(action)
    doc = selectors.outgoing_detail(request.user, pk)
    if spec is None or doc is None:
        raise Http404
    kwargs = {"prefix": action}
    if action == "checklist":
        from . import issuance

        kwargs["steps"] = issuance.required_normative_steps(doc)
    form = spec.form(request.POST, request.FILES, **kwargs)
    if not form.is_valid():
        messages.error(request, "请检查填写的内容。")
        return _outgoing_respond(request, pk, ok=False, bound=(action, form))
    try:
        text = spec.run(request, selectors.as_seen(doc, request.POST.get("seen_state", "")), form.cleaned_data)
    except DocumentError as exc:
        messages.error(request, exc.message)
        return _outgoing_respond(request, pk, ok=False, bound=(action, form))
    messages.success(request, text)
    return _outgoing_respond(request, pk, ok=True)


@login_required
@require_POST
def outgoing_readers(request, pk: int, op: str):
    """X-2: named readers of a confidential outgoing document (指定阅读人)."""
    from . import issuance

    doc = selectors.outgoing_detail(request.user, pk)
    if doc is None:
        raise Http404
    return _change_readers(
        request,
        doc,
        op,
        may_manage=permissions.can_grant_outgoing_reader,
        grant=lambda actor, obj, user: issuance.grant_outgoing_reader(actor=actor, document=obj, user=user),
        revoke=lambda actor, obj, user: issuance.revoke_outgoing_reader(actor=actor, document=obj, user=user),
        back=reverse("documents:outgoing_detail", args=[pk]),
    )


@login_required
def outgoing_print(request, pk: int):
    """发文稿纸, print-ready: the paper form's fields in their order, with the signatures and opinions."""
    doc = selectors.outgoing_detail(request.user, pk)
    if doc is None:
        raise Http404
    return render(request, "documents/outgoing_print.html", _outgoing_context(request, doc))


@login_required
def outgoing_docx(request, pk: int):
    """The signed document as a GB/T 9704-2012 .docx, through the permission check (404 for outsiders)."""
    from django.utils.http import content_disposition_header

    from . import issuance

    doc = selectors.outgoing_detail(request.user, pk)
    if doc is None or not doc.number:
        raise Http404
    response = HttpResponse(issuance.issued_docx(doc), content_type=DOCX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"{doc.number}.docx")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def outgoing_attachment(request, pk: int, att_pk: int):
    from .models import OutgoingAttachment

    doc = permissions.get_visible_outgoing(request.user, pk)
    if doc is None:
        raise Http404
    att = OutgoingAttachment.objects.filter(pk=att_pk, document_id=doc.pk).select_related("document").first()
    if att is None or not permissions.can_download_outgoing_attachment(request.user, att):
        raise Http404
    try:
        handle = att.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=att.original_name, content_type=att.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- DOC-15: the annual document plan (the office) -------------------------------------------------------


NO_DEPARTMENT_PLAN_KINDS = ("government", "office", "external")


@login_required
def plans(request):
    """年度发文计划 of the government and the office, kept by the office: list, create a year's plan, add items."""
    from . import issuance
    from .models import DocumentPlan

    if not _is_office(request.user):
        raise Http404
    today = timezone.localdate()
    raw_year = request.GET.get("year") or ""
    year = int(raw_year) if raw_year.isdigit() and 2000 <= int(raw_year) <= 2100 else today.year
    plan_form = forms.PlanForm(initial={"year": year, "issuer": "government"}, prefix="plan")
    item_form = forms.PlanItemForm(prefix="item")
    if request.method == "POST":
        what = request.POST.get("what")
        try:
            if what == "plan":
                plan_form = forms.PlanForm(request.POST, prefix="plan")
                if plan_form.is_valid():
                    plan = issuance.create_plan(actor=request.user, **plan_form.cleaned_data)
                    messages.success(request, f"已编制{plan}。")
                    return redirect(f"{reverse('documents:plans')}?year={plan.year}")
            elif what == "item":
                item_form = forms.PlanItemForm(request.POST, prefix="item")
                if item_form.is_valid():
                    d = item_form.cleaned_data
                    plan = DocumentPlan.objects.filter(pk=d["plan"], unit__isnull=True).first()
                    if plan is None:
                        raise Http404
                    item = issuance.add_plan_item(
                        actor=request.user,
                        plan=plan,
                        title=d["title"],
                        drafting_unit=d["drafting_unit"],
                        planned_month=d["planned_month"],
                    )
                    messages.success(request, f"已增加计划事项：{item.title}")
                    return redirect(f"{reverse('documents:plans')}?year={plan.year}")
            messages.error(request, "请检查填写的内容。")
        except DocumentError as exc:
            messages.error(request, exc.message)
    return render(
        request,
        "documents/plans.html",
        {
            "year": year,
            "plans": selectors.plan_overview(year),
            "unit_plans": selectors.unit_plans_of_year(year),
            "plan_form": forms.styled(plan_form),
            "item_form": forms.styled(item_form),
        },
    )


def _plan_year(request, today) -> int:
    raw = request.GET.get("year") or request.POST.get("year") or ""
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else today.year


@login_required
def unit_plan(request, unit_pk: int | None = None):
    """DOC-15: a department's own yearly document plan. Seen by its staff and the office; kept (created, items
    added or removed while the year is open) by its clerk or head. Anyone else: 404."""
    from tiexi_gov.org.models import Unit

    from . import issuance
    from .models import Issuer, PlanItem

    unit_pk = unit_pk or request.user.unit_id
    unit = Unit.objects.filter(pk=unit_pk, active=True).exclude(kind__in=NO_DEPARTMENT_PLAN_KINDS).first()
    if unit is None or not permissions.can_view_unit_plan(request.user, unit):
        raise Http404
    today = timezone.localdate()
    year = _plan_year(request, today)
    here = f"{reverse('documents:unit_plan_of', args=[unit.pk])}?year={year}"

    def back():
        if request.htmx:
            response = HttpResponse()
            response["HX-Redirect"] = here
            return response
        return redirect(here)

    may_keep = permissions.can_keep_plan(request.user, unit)
    plan = selectors.unit_plan(unit, year)
    item_form = forms.UnitPlanItemForm(prefix="item")
    if request.method == "POST":
        if not may_keep:
            raise Http404
        what = request.POST.get("what")
        try:
            if what == "plan":
                plan = issuance.create_plan(actor=request.user, issuer=Issuer.DEPARTMENT, unit=unit, year=year)
                messages.success(request, f"已编制{plan}。")
                return back()
            if what == "item" and plan is not None:
                item_form = forms.UnitPlanItemForm(request.POST, prefix="item")
                if item_form.is_valid():
                    d = item_form.cleaned_data
                    item = issuance.add_plan_item(
                        actor=request.user, plan=plan, title=d["title"], planned_month=d["planned_month"]
                    )
                    messages.success(request, f"已增加计划事项：{item.title}")
                    return back()
                messages.error(request, "请检查填写的内容。")
            elif what == "remove" and plan is not None:
                item = PlanItem.objects.filter(pk=request.POST.get("item") or 0, plan=plan).first()
                if item is None:
                    raise Http404
                issuance.remove_plan_item(actor=request.user, item=item)
                messages.success(request, f"已删除计划事项：{item.title}")
                return back()
            else:
                raise Http404
        except DocumentError as exc:
            messages.error(request, exc.message)
    return render(
        request,
        "documents/unit_plan.html",
        {
            "unit": unit,
            "year": year,
            "plan": plan,
            "year_open": year >= today.year,
            "may_keep": may_keep,
            "item_form": forms.styled(item_form),
            "is_office": _is_office(request.user),
        },
    )


# --- PUB-2: the public register (anyone logged in) ---------------------------------------------------------


@login_required
def public_register(request):
    """公开目录: documents marked public once issued and published meeting decisions; search, paginate."""
    from . import register
    from .models import PublicRegisterEntry

    query = (request.GET.get("q") or "").strip()[:100]
    kind = request.GET.get("kind") or ""
    kind = kind if kind in PublicRegisterEntry.Kind.values else ""
    page = register.register_page(request.user, query=query, kind=kind, page=request.GET.get("page") or 1)
    from urllib.parse import urlencode

    return render(
        request,
        "documents/register.html",
        {
            "page": page,
            "q": query,
            "kind": kind,
            "kinds": PublicRegisterEntry.Kind.choices,
            "page_query": urlencode({k: v for k, v in {"q": query, "kind": kind}.items() if v}),
        },
    )


@login_required
def public_register_entry(request, pk: int):
    from . import register

    entry = register.register_entry(request.user, pk)
    if entry is None:
        raise Http404
    return render(request, "documents/register_entry.html", {"entry": entry})
