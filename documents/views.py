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
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import forms, permissions, selectors, services
from .models import (
    Attachment,
    ConsultationRequest,
    DisagreementStatement,
    Instruction,
    LeaderAssignment,
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


def _attach_files(request, sub, form) -> None:
    for f in form.cleaned_data.get("files") or []:
        services.add_attachment(actor=request.user, submission=sub, file=f)
    if form.cleaned_data.get("minutes"):
        services.add_attachment(
            actor=request.user, submission=sub, file=form.cleaned_data["minutes"], purpose=Attachment.Purpose.MINUTES
        )


@login_required
def create(request):
    """A unit's clerk drafts a submission (the unit is the clerk's own)."""
    if not request.user.unit_id:
        raise Http404
    form = forms.SubmissionForm(request.POST or None, request.FILES or None, unit=request.user.unit)
    if request.method == "POST" and form.is_valid():
        fields = form.draft_fields()
        try:
            # The draft and its files are saved together or not at all: a refused file loses no typing.
            with transaction.atomic():
                sub = services.create_draft(actor=request.user, **fields)
                _attach_files(request, sub, form)
        except DocumentError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "草稿已保存。")
            url = reverse("documents:detail", args=[sub.pk])
            units = [str(u.pk) for u in form.cleaned_data.get("touched_units") or []]
            if units:
                messages.info(request, "请在下方“征求意见”中确认相关单位和回复时限后发出。")
                url += "?consult=" + ",".join(units) + "#act-consult"
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
        fields = form.draft_fields()
        try:
            with transaction.atomic():
                updated = services.update_draft(
                    actor=request.user,
                    submission=selectors.as_seen(sub, request.POST.get("seen_state", "")),
                    **fields,
                )
                _attach_files(request, updated, form)
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
    "register": Action(forms.ConfirmForm, "登记", _run_register),
    "return": Action(forms.ReturnForm, "退回", _run_return),
    "review": Action(forms.OpinionForm, "审核", _run_review),
    "route": Action(forms.ConfirmForm, "按分工呈批", _run_route),
    "send_to_leaders": Action(forms.SendToLeadersForm, "串并联分送", _run_send_to_leaders),
    "decide": Action(forms.DecisionForm, "批示", _run_decide),
    "notify_units": Action(forms.NotifyUnitsForm, "通知做好落实准备", _run_notify_units),
    "close": Action(forms.CloseForm, "办结", _run_close),
}


def _initial_forms(request, sub, allowed: set[str]) -> dict:
    built = {}
    for name in allowed:
        if name not in ACTIONS:
            continue
        initial = {}
        if name == "consult" and request.GET.get("consult"):
            initial["units"] = [int(x) for x in request.GET["consult"].split(",") if x.isdigit()]
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
        built[name] = forms.styled(ACTIONS[name].form(initial=initial, prefix=name))
    return built


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
        "leader_instructions": [i for i in instructions if i.step == Instruction.Step.LEADER],
        "assignments": [a for a in sub.assignments.all() if a.state != LeaderAssignment.State.CANCELLED],
        "statements": statements,
        "signed_unit_ids": {cs.unit_id for st in statements for cs in st.countersigns.all()},
        "attachments": list(sub.attachments.all()),
        "urgency_class": URGENCY_TAG.get(sub.urgency, ""),
        "due_text": due_text,
        "due_tone": due_tone,
        "due": due,
        "today": today,
    }


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
    form = spec.form(request.POST, request.FILES, prefix=None if request.POST.get("from") == "queue" else action)
    seen = request.POST.get("seen_state", "")
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
    return render(
        request,
        "documents/queue.html",
        {"page": page, "rows": _queue_rows(page.object_list, request.user, today), "today": today},
    )


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
    return data


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
