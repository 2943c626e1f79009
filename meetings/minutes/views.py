"""The minutes pages (MTG-3, MTG-6, MTG-7): the draft with its decisions per topic (MTG-10, SUP-1, MTG-12), the
signing chain, what the decisions started, the attendance record, and the minutes as a GB/T 9704 纪要 .docx.

Views only parse input, ask the permissions (an outsider gets a 404 before anything else), call ONE service and
report its message. A refusal re-renders the page with what the user typed; only the actions the user may take
now are shown, and each is checked again by its service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tiexi_gov.deadlines.selectors import due_text
from tiexi_gov.workflow.errors import ActionRefused

from ..meeting import permissions as meeting_permissions
from ..meeting import selectors as meeting_selectors
from ..meeting import services as meeting_services
from ..meeting.models import MS, PUBLISHING_KINDS, Meeting, MeetingKind
from ..meeting.views import service_error
from ..shared.errors import MeetingError
from . import docx, forms, permissions, selectors, services
from .models import Decision, Minutes

# --- minutes (MTG-3, MTG-6, MTG-7) and decisions (MTG-10, MTG-12, SUP-1) --------------------------------------


@dataclass
class DecisionRow:
    decision: Decision
    readable: bool
    items: list
    deadline: object | None
    register_entry: object | None
    readers: list
    reader_form: object | None
    today: dt.date | None = None

    @property
    def clock(self) -> tuple[str, str]:
        """The issuance clock's words and tone: a running one counted from today in working days, as 我的待办 and
        the deadline board count it (超期 N 个工作日 the day after its due, not once the sweep has escalated it);
        a finished one by how it ended."""
        d = self.deadline
        if d is None:
            return "", ""
        if d.closed_at is None and self.today is not None:
            return due_text(d.due, self.today)
        return d.get_state_display(), "success" if d.state == "met" else "secondary"

    @property
    def publication(self) -> str:
        d = self.decision
        if d.meeting.kind not in PUBLISHING_KINDS:
            return f"{d.meeting.get_kind_display()}决定，不属公开范围"
        if d.confidential:
            return "依法保密，不予公开"
        if d.published_on:
            return f"已公开（{d.published_on:%Y-%m-%d}）"
        return "纪要签发后公开（第三十六条）"


def _minutes_context(request, meeting: Meeting, *, bound: tuple[str, object] | None = None) -> dict:
    today = timezone.localdate()
    user = request.user
    minutes = selectors.minutes_of(meeting)
    decisions = selectors.decisions_of(meeting)
    readable = permissions.readable_decision_ids(user, decisions)
    manage = meeting_permissions.can_manage(user)
    visible = [d for d in decisions if d.pk in readable]
    items = selectors.supervision_items(visible, user)
    deadlines = selectors.issue_deadlines(visible)
    entries = selectors.register_entries(visible)
    secret = [d.pk for d in decisions if d.confidential]
    readers = permissions.decision_readers(secret) if manage and secret else {}
    reader_choices = None
    rows = []
    for d in decisions:
        reader_form = None
        if manage and d.confidential:
            if bound and bound[0] == f"reader-{d.pk}":
                reader_form = bound[1]
            else:
                reader_form = forms.styled(forms.ReaderForm(prefix=f"reader-{d.pk}"))
            if reader_choices is None:
                reader_choices = list(reader_form.fields["user"].choices)
            reader_form.fields["user"].choices = reader_choices
        rows.append(
            DecisionRow(
                decision=d,
                readable=d.pk in readable,
                items=items.get(d.pk, []),
                deadline=deadlines.get(d.outgoing_id) if d.outgoing_id else None,
                register_entry=entries.get(d.pk),
                readers=readers.get(d.pk, []),
                reader_form=reader_form,
                today=today,
            )
        )
    may_draft = bool(
        minutes and minutes.state == Minutes.State.DRAFTING and permissions.can_draft_minutes(user, minutes)
    )
    may_start = meeting.state == MS.HELD and minutes is None and permissions.can_start_minutes(user, meeting)
    next_steps = permissions.next_steps(minutes) if minutes and minutes.state == Minutes.State.SIGNING else []
    my_steps = [s for s in next_steps if meeting_permissions.handles(user, s.post_id, today)]
    forms_ = {
        "start": forms.styled(forms.MinutesBodyForm(prefix="start")),
        "body": forms.styled(forms.MinutesBodyForm(prefix="body", initial={"body": minutes.body if minutes else ""})),
        "decision": forms.styled(forms.DecisionForm(prefix="decision", meeting=meeting)),
        "sign": forms.styled(forms.SignForm(prefix="sign")),
        "send_back": forms.styled(forms.SendBackForm(prefix="send-back")),
        "held": forms.styled(forms.HeldForm(prefix="held")),
    }
    if bound is not None and bound[0].replace("-", "_") in forms_:
        forms_[bound[0].replace("-", "_")] = forms.styled(bound[1])
    invitations = meeting_selectors.invitations_of(meeting)
    record = meeting_selectors.attendance(meeting, invitations)
    return {
        "meeting": meeting,
        "minutes": minutes,
        "today": today,
        "rows": rows,
        "has_decisions": bool(decisions),
        "steps": list(minutes.steps.all()) if minutes else [],
        "next_step_ids": {s.pk for s in next_steps},
        "my_steps": my_steps,
        "sent_back": selectors.sent_back_events(minutes) if minutes else [],
        "record": record,
        "reason_ids": meeting_permissions.readable_leave_reason_ids(user, meeting, [r.leave for r in record.on_leave]),
        "forms": forms_,
        "manage": manage,
        "may_hold": permissions.may_hold(user, meeting, today),
        "may_start": may_start,
        "may_draft": may_draft,
        "may_sign": bool(my_steps),
        "publishing": meeting.kind in PUBLISHING_KINDS,
        "confidential_text": selectors.CONFIDENTIAL_TEXT,
        "kind_issue": Decision.Kind.ISSUE_DOCUMENT,
        "kind_assign": Decision.Kind.ASSIGN_WORK,
        "is_special": meeting.kind == MeetingKind.SPECIAL,
    }


@login_required
def minutes(request, pk: int):
    """会议纪要: the draft with its decisions per topic, the signing chain (who, when, in what capacity, what is
    next), what the decisions started (documents, supervision items, publication) and the attendance record."""
    meeting = meeting_permissions.get_meeting_or_404(
        request.user, pk, Meeting.objects.select_related("chair_post", "lead_unit")
    )
    return render(request, "meetings/minutes.html", _minutes_context(request, meeting))


@dataclass(frozen=True)
class MinutesAction:
    form: Callable  # (meeting, data) -> form
    label: str
    run: Callable  # (request, meeting, minutes, cleaned_data) -> success message


def _run_held(request, meeting, minutes, d):
    meeting_services.mark_held(actor=request.user, meeting=meeting)
    return "已登记会议召开，可以起草纪要。"


def _run_start(request, meeting, minutes, d):
    services.start_minutes(actor=request.user, meeting=meeting, body=d["body"])
    return "纪要草稿已建立，请逐项登记会议决定。"


def _run_body(request, meeting, minutes, d):
    as_was = _need(minutes).body
    mn = services.revise_minutes(actor=request.user, minutes=minutes, body=d["body"])
    if mn.body == as_was:
        return "纪要正文未作修改。"  # the text as shown, posted back: the service recorded nothing
    return "纪要正文已保存。"


def _run_decision(request, meeting, minutes, d):
    decision = services.record_decision(actor=request.user, meeting=meeting, **d["_fields"])
    return f"已登记第{decision.order}项会议决定（{decision.get_kind_display()}）。"


def _run_withdraw(request, meeting, minutes, d):
    decision = Decision.objects.filter(pk=d["decision"], meeting=meeting).first()
    if decision is None:
        raise MeetingError("该会议决定不存在。")
    services.withdraw_decision(actor=request.user, decision=decision)
    return "已删除该项会议决定。"


def _run_send(request, meeting, minutes, d):
    minutes = services.send_minutes_for_signing(actor=request.user, minutes=_need(minutes))
    first = minutes.steps.filter(signed_at__isnull=True).select_related("post").order_by("order", "id").first()
    return f"纪要已送审签（{minutes.number}），下一环节：{first.get_step_display()}（{first.post.title}）。"


def _run_sign(request, meeting, minutes, d):
    step = services.sign_minutes_step(actor=request.user, minutes=_need(minutes), opinion=d["opinion"], approve=True)
    fresh = Minutes.objects.get(pk=step.minutes_id)
    if fresh.state == Minutes.State.SIGNED:
        return "纪要已签发，会议决定开始执行（发文、督办事项、公开）。"
    return f"已签署：{step.get_step_display()}。"


def _run_send_back(request, meeting, minutes, d):
    services.sign_minutes_step(actor=request.user, minutes=_need(minutes), opinion=d["opinion"], approve=False)
    return "纪要已退回起草人修改。"


def _need(minutes: Minutes | None) -> Minutes:
    if minutes is None:
        raise MeetingError("该会议还没有纪要。")
    return minutes


def _decision_form(meeting, data):
    return forms.DecisionForm(data, prefix="decision", meeting=meeting)


MINUTES_ACTIONS: dict[str, MinutesAction] = {
    "held": MinutesAction(lambda m, data: forms.HeldForm(data, prefix="held"), "登记会议召开", _run_held),
    "start": MinutesAction(lambda m, data: forms.MinutesBodyForm(data, prefix="start"), "起草纪要", _run_start),
    "body": MinutesAction(lambda m, data: forms.MinutesBodyForm(data, prefix="body"), "保存纪要正文", _run_body),
    "decision": MinutesAction(_decision_form, "登记会议决定", _run_decision),
    "withdraw-decision": MinutesAction(lambda m, data: forms.WithdrawDecisionForm(data), "删除会议决定", _run_withdraw),
    "send": MinutesAction(lambda m, data: forms.PlainForm(data), "送审签", _run_send),
    "sign": MinutesAction(lambda m, data: forms.SignForm(data, prefix="sign"), "审签", _run_sign),
    "send-back": MinutesAction(
        lambda m, data: forms.SendBackForm(data, prefix="send-back"), "退回修改", _run_send_back
    ),
}


def _rerender_minutes(request, meeting: Meeting, *, status: int, bound=None):
    return render(request, "meetings/minutes.html", _minutes_context(request, meeting, bound=bound), status=status)


@login_required
@require_POST
def minutes_action(request, pk: int, action: str):
    """One action on the minutes page: parse its small form, call its service, show the service's message."""
    meeting = meeting_permissions.get_meeting_or_404(
        request.user, pk, Meeting.objects.select_related("chair_post", "lead_unit")
    )
    spec = MINUTES_ACTIONS.get(action)
    if spec is None:
        raise Http404("没有该操作。")
    minutes = Minutes.objects.filter(meeting=meeting).first()
    form = spec.form(meeting, request.POST)
    if not form.is_valid():
        errors = [str(e) for errs in form.errors.values() for e in errs]
        messages.error(request, "请检查填写的内容：" + "；".join(errors) if errors else "请检查填写的内容。")
        return _rerender_minutes(request, meeting, status=400, bound=(action, form))
    data = dict(form.cleaned_data)
    if action == "decision":
        data["_fields"] = form.decision_fields()
    try:
        text = spec.run(request, meeting, minutes, data)
    except ActionRefused as exc:
        status = service_error(request, exc)
        return _rerender_minutes(request, meeting, status=status, bound=(action, form) if status == 400 else None)
    messages.success(request, text)
    return redirect(reverse("meetings:minutes", args=[meeting.pk]) + ("#decisions" if action == "decision" else ""))


@login_required
def minutes_docx(request, pk: int):
    """The minutes as a GB/T 9704 纪要 (.docx): the signed text, or the draft marked 草稿. Confidential decisions
    are left out for whoever may not read them (MTG-12, X-2)."""
    meeting = meeting_permissions.get_meeting_or_404(
        request.user, pk, Meeting.objects.select_related("chair_post", "lead_unit")
    )
    minutes = selectors.minutes_of(meeting)
    if minutes is None:
        raise Http404("该会议还没有纪要。")
    decisions = selectors.decisions_of(meeting)
    readable = permissions.readable_decision_ids(request.user, decisions)
    layout = docx.layout_for(
        meeting,
        minutes,
        [d for d in decisions if d.pk in readable],
        meeting_selectors.attendance(meeting),
        today=timezone.localdate(),
    )
    data = docx.render_minutes(layout)
    name = f"{minutes.number or meeting.title}{'' if minutes.state == Minutes.State.SIGNED else '（草稿）'}.docx"
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response["Content-Disposition"] = (
        f"attachment; filename=\"minutes-{meeting.pk}.docx\"; filename*=UTF-8''{quote(name)}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def decision_action(request, pk: int, action: str):
    """MTG-12 / X-2: the office names a reader of a confidential decision."""
    decision = Decision.objects.select_related("meeting").filter(pk=pk).first()
    if decision is None or not meeting_permissions.can_view_meeting(request.user, decision.meeting):
        raise Http404("没有找到该会议决定。")
    if action != "reader" or not decision.confidential:
        raise Http404("没有该操作。")
    meeting = decision.meeting
    form = forms.ReaderForm(request.POST, prefix=f"reader-{decision.pk}")
    if not form.is_valid():
        messages.error(request, "请检查填写的内容：" + "；".join(e for errs in form.errors.values() for e in errs))
        return _rerender_minutes(request, meeting, status=400, bound=(f"reader-{decision.pk}", forms.styled(form)))
    reader = form.cleaned_data["user"]
    try:
        services.grant_decision_reader(actor=request.user, decision=decision, user=reader)
    except ActionRefused as exc:
        status = service_error(request, exc)
        return _rerender_minutes(request, meeting, status=status)
    messages.success(request, f"已指定{reader.display_name}为该项决定的知悉人员。")
    return redirect(reverse("meetings:minutes", args=[meeting.pk]) + f"#decision-{decision.pk}")
