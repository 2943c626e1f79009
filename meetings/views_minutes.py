"""Attendance and leave (MTG-9), minutes and their signing chains (MTG-3, MTG-6, MTG-7), the decisions that start
clocks (MTG-10, SUP-1) and their publication (MTG-12), the minutes as a GB/T 9704 纪要 .docx, and "我的会议待办".

Views only parse input, ask `meetings.permissions` (an outsider gets a 404 before anything else), call ONE
service and report its message. A refusal re-renders the page with what the user typed; only the actions the
user may take now are shown, and each is checked again by its service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tiexi_gov.org.selectors import who_handles

from . import forms_minutes as forms
from . import minutes_docx as docx
from . import permissions, services
from . import selectors_minutes as selectors
from .models import (
    AGENDA_KINDS,
    MS,
    PUBLISHING_KINDS,
    Decision,
    Invitation,
    LeaveRequest,
    Meeting,
    MeetingKind,
    Minutes,
)
from .services import ActionNotAllowed, AlreadyHandled, MeetingError

TASK_PAGE_SIZE = 20

# --- 我的会议待办 ------------------------------------------------------------------------------------------


def _page(request, param: str, rows):
    page = Paginator(rows, TASK_PAGE_SIZE).get_page(request.GET.get(param))

    def url(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return f"?{query.urlencode()}"

    page.previous_url = url(page.previous_page_number()) if page.has_previous() else ""
    page.next_url = url(page.next_page_number()) if page.has_next() else ""
    return page


@login_required
def tasks(request):
    """我的会议待办: leave requests to decide, minutes steps to sign, agendas to approve, invitations to answer and
    (for the drafters) minutes to draft — each list paged on its own, a constant number of queries."""
    today = timezone.localdate()
    user = request.user
    leaves = _page(request, "lpage", selectors.pending_leaves(user, today))
    signing = _page(request, "spage", selectors.minutes_to_sign(user, today))
    agendas = _page(request, "apage", selectors.agendas_to_approve(user, today))
    invitations = _page(request, "ipage", selectors.unanswered_invitations(user, today))
    drafting = _page(request, "dpage", selectors.minutes_to_draft(user, today))
    total = sum(p.paginator.count for p in (leaves, signing, agendas, invitations, drafting))
    return render(
        request,
        "meetings/tasks.html",
        {
            "today": today,
            "leaves": leaves,
            "signing": signing,
            "agendas": agendas,
            "invitations": invitations,
            "drafting": drafting,
            "total": total,
        },
    )


# --- attendance (MTG-9) ------------------------------------------------------------------------------------


def _my_invitation(user, invitations: list[Invitation]) -> Invitation | None:
    return next((i for i in invitations if i.person_id == user.pk), None)


def _attendance_context(request, meeting: Meeting, *, bound: dict | None = None) -> dict:
    today = timezone.localdate()
    user = request.user
    bound = bound or {}
    invitations = selectors.invitations_of(meeting)
    record = selectors.attendance(meeting, invitations)
    mine = _my_invitation(user, invitations)
    my_leave = selectors.leave_of(mine) if mine else None
    open_meeting = meeting.state in selectors.OPEN_MEETING_STATES and today <= meeting.date
    manage = permissions.can_manage(user)
    ctx = {
        "meeting": meeting,
        "today": today,
        "record": record,
        "mine": mine,
        "my_leave": my_leave,
        "manage": manage,
        "is_meeting_day": today == meeting.date,
        "may_refresh": manage and meeting.state in selectors.OPEN_MEETING_STATES,
        "may_attend": bool(
            mine
            and open_meeting
            and mine.reply != Invitation.Reply.ATTEND
            and (my_leave is None or my_leave.state == LeaveRequest.State.REJECTED)
        ),
        "may_ask_leave": bool(mine and open_meeting and my_leave is None),
        "leave_form": None,
        "route_label": "",
        "chair_handler": who_handles(meeting.chair_post, meeting.date) if meeting.chair_post_id else None,
    }
    if ctx["may_ask_leave"]:
        route, approver = services.leave_route(mine)
        ctx["route_label"] = f"{LeaveRequest.Route(route).label}（审批人：{approver.title if approver else '未设置'}）"
        substitutes = selectors.substitute_choices(mine) if route == LeaveRequest.Route.CHAIR_THEN_OFFICE else None
        ctx["leave_form"] = bound.get("leave") or forms.styled(forms.LeaveForm(prefix="leave", substitutes=substitutes))
    # the approver's buttons, for each request waiting for a post the user handles (acting included, LEAVE-4)
    for row in record.rows:
        leave = row.leave
        if (
            leave is not None
            and leave.state == LeaveRequest.State.REQUESTED
            and permissions.can_decide_leave(user, leave)
        ):
            row.decide = {
                "approve": bound.get(("approve", leave.pk))
                or forms.styled(forms.LeaveDecisionForm(prefix=f"approve-{leave.pk}")),
                "reject": bound.get(("reject", leave.pk))
                or forms.styled(forms.LeaveRejectForm(prefix=f"reject-{leave.pk}")),
            }
    return ctx


@login_required
def attendance(request, pk: int):
    """参会人员: invitations by seat, replies, leave requests with their route and state, sign-in times; the
    attendee's own buttons, the approver's, the office's. `?print=1`: the printable 签到表. POST: the office
    refreshes the invitations from the standing seats and the accepted topics (acting arrangements included)."""
    meeting = permissions.get_meeting_or_404(request.user, pk, Meeting.objects.select_related("chair_post"))
    if request.method == "POST":
        if not permissions.can_manage(request.user) or meeting.state not in selectors.OPEN_MEETING_STATES:
            messages.error(request, "只有区政府办公室可以在会前刷新参会人员。")
            return redirect("meetings:attendance", pk=meeting.pk)
        added = services.refresh_invitations(meeting)
        messages.success(request, f"已刷新参会人员，新增{added}人。" if added else "参会人员已是最新。")
        return redirect("meetings:attendance", pk=meeting.pk)
    if request.GET.get("print"):
        invitations = selectors.invitations_of(meeting)
        return render(
            request,
            "meetings/_minutes_signin_sheet.html",
            {"meeting": meeting, "record": selectors.attendance(meeting, invitations), "today": timezone.localdate()},
        )
    return render(request, "meetings/attendance.html", _attendance_context(request, meeting))


def _rerender_attendance(request, meeting: Meeting, *, status: int, bound: dict | None = None):
    return render(
        request, "meetings/attendance.html", _attendance_context(request, meeting, bound=bound), status=status
    )


def _visible_invitation(request, pk: int) -> Invitation:
    inv = Invitation.objects.select_related("meeting", "post", "person").filter(pk=pk).first()
    if inv is None or not permissions.can_view_meeting(request.user, inv.meeting):
        raise Http404("没有找到该参会人员。")
    return inv


def _service_error(request, exc: MeetingError) -> int:
    messages.error(request, exc.message)
    if isinstance(exc, AlreadyHandled):
        return 200
    return 403 if isinstance(exc, ActionNotAllowed) else 400


@login_required
@require_POST
def invitation_action(request, pk: int, action: str):
    """The attendee replies (参加) or asks for leave (请假, MTG-9); the office (or the attendee) signs in."""
    inv = _visible_invitation(request, pk)
    meeting = inv.meeting
    if action not in ("attend", "leave", "sign-in"):
        raise Http404("没有该操作。")
    bound = None
    try:
        if action == "attend":
            services.reply_invitation(actor=request.user, invitation=inv, attend=True)
            text = "已回复参加。"
        elif action == "sign-in":
            services.sign_in(actor=request.user, invitation=inv)
            text = f"{inv.person.display_name}已签到。"
        else:
            route, _approver = services.leave_route(inv)
            substitutes = selectors.substitute_choices(inv) if route == LeaveRequest.Route.CHAIR_THEN_OFFICE else None
            form = forms.LeaveForm(request.POST, prefix="leave", substitutes=substitutes)
            bound = {"leave": forms.styled(form)}
            if inv.person_id != request.user.pk:
                raise ActionNotAllowed("只能为本人请假。")
            if not form.is_valid():
                messages.error(request, "请检查填写的内容。")
                return _rerender_attendance(request, meeting, status=400, bound=bound)
            leave = services.request_leave(
                actor=request.user,
                invitation=inv,
                reason=form.cleaned_data["reason"],
                substitute=form.cleaned_data.get("substitute"),
                opinions=form.cleaned_data.get("opinions") or "",
            )
            text = f"请假已报{leave.approver_post.title}审批（{leave.get_route_display()}）。"
    except MeetingError as exc:
        status = _service_error(request, exc)
        return _rerender_attendance(request, meeting, status=status, bound=bound if status == 400 else None)
    messages.success(request, text)
    return redirect("meetings:attendance", pk=meeting.pk)


@login_required
@require_POST
def leave_action(request, pk: int, action: str):
    """The approver (the chair, or the office director; whoever acts for them that day) approves or rejects."""
    leave = LeaveRequest.objects.select_related("invitation", "invitation__meeting").filter(pk=pk).first()
    if leave is None or not permissions.can_view_meeting(request.user, leave.invitation.meeting):
        raise Http404("没有找到该请假。")
    if action not in ("approve", "reject"):
        raise Http404("没有该操作。")
    meeting = leave.invitation.meeting
    form_class = forms.LeaveDecisionForm if action == "approve" else forms.LeaveRejectForm
    form = form_class(request.POST, prefix=f"{action}-{leave.pk}")
    bound = {(action, leave.pk): forms.styled(form)}
    if not form.is_valid():
        messages.error(request, "请检查填写的内容：" + "；".join(e for errs in form.errors.values() for e in errs))
        return _rerender_attendance(request, meeting, status=400, bound=bound)
    try:
        leave = services.decide_leave(
            actor=request.user, leave=leave, approve=action == "approve", opinion=form.cleaned_data.get("opinion", "")
        )
    except MeetingError as exc:
        status = _service_error(request, exc)
        return _rerender_attendance(request, meeting, status=status, bound=bound if status == 400 else None)
    if action == "approve" and leave.route == LeaveRequest.Route.CHAIR_THEN_OFFICE:
        text = f"已准假，已报办公室备案，由{leave.substitute.display_name}代为参会。"
    else:
        text = "已准假。" if action == "approve" else "已不准假。"
    messages.success(request, text)
    return redirect("meetings:attendance", pk=meeting.pk)


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

    @property
    def publication(self) -> str:
        d = self.decision
        if d.meeting.kind not in PUBLISHING_KINDS:
            return f"{d.meeting.get_kind_display()}决定，不属公开范围"
        if d.confidential:
            return "依法保密，不予公开"
        if d.published_on:
            return f"已公开（{d.published_on:%Y-%m-%d}）"
        return "纪要签发后公开（MTG-12）"


def _may_hold(user, meeting: Meeting, today) -> bool:
    ready = MS.AGENDA_APPROVED if meeting.kind in AGENDA_KINDS else MS.SCHEDULED
    return permissions.can_manage(user) and meeting.state == ready and today >= meeting.date


def _minutes_context(request, meeting: Meeting, *, bound: tuple[str, object] | None = None) -> dict:
    today = timezone.localdate()
    user = request.user
    minutes = selectors.minutes_of(meeting)
    decisions = selectors.decisions_of(meeting)
    readable = permissions.readable_decision_ids(user, decisions)
    manage = permissions.can_manage(user)
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
            )
        )
    may_draft = bool(
        minutes and minutes.state == Minutes.State.DRAFTING and permissions.can_draft_minutes(user, minutes)
    )
    may_start = (
        meeting.state == MS.HELD
        and minutes is None
        and permissions.can_draft_minutes(user, Minutes(meeting=meeting, drafted_by=user))
    )
    next_steps = permissions.next_steps(minutes) if minutes and minutes.state == Minutes.State.SIGNING else []
    my_steps = [s for s in next_steps if permissions.handles(user, s.post_id, today)]
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
    invitations = selectors.invitations_of(meeting)
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
        "record": selectors.attendance(meeting, invitations),
        "forms": forms_,
        "manage": manage,
        "may_hold": _may_hold(user, meeting, today),
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
    meeting = permissions.get_meeting_or_404(
        request.user, pk, Meeting.objects.select_related("chair_post", "lead_unit")
    )
    return render(request, "meetings/minutes.html", _minutes_context(request, meeting))


@dataclass(frozen=True)
class MinutesAction:
    form: Callable  # (meeting, data) -> form
    label: str
    run: Callable  # (request, meeting, minutes, cleaned_data) -> success message


def _run_held(request, meeting, minutes, d):
    services.mark_held(actor=request.user, meeting=meeting)
    return "已登记会议召开，可以起草纪要。"


def _run_start(request, meeting, minutes, d):
    services.start_minutes(actor=request.user, meeting=meeting, body=d["body"])
    return "纪要草稿已建立，请逐项登记会议决定。"


def _run_body(request, meeting, minutes, d):
    services.revise_minutes(actor=request.user, minutes=_need(minutes), body=d["body"])
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
    meeting = permissions.get_meeting_or_404(
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
    except MeetingError as exc:
        status = _service_error(request, exc)
        return _rerender_minutes(request, meeting, status=status, bound=(action, form) if status == 400 else None)
    messages.success(request, text)
    return redirect(reverse("meetings:minutes", args=[meeting.pk]) + ("#decisions" if action == "decision" else ""))


@login_required
def minutes_docx(request, pk: int):
    """The minutes as a GB/T 9704 纪要 (.docx): the signed text, or the draft marked 草稿. Confidential decisions
    are left out for whoever may not read them (MTG-12, X-2)."""
    meeting = permissions.get_meeting_or_404(
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
        selectors.attendance(meeting),
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
    if decision is None or not permissions.can_view_meeting(request.user, decision.meeting):
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
    except MeetingError as exc:
        status = _service_error(request, exc)
        return _rerender_minutes(request, meeting, status=status)
    messages.success(request, f"已指定{reader.display_name}为该项决定的知悉人员。")
    return redirect(reverse("meetings:minutes", args=[meeting.pk]) + f"#decision-{decision.pk}")
