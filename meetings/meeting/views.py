"""One meeting's pages: the meeting (facts, deadlines, agenda with papers, attendees, record), topic intake
(MTG-5), a topic's page with its actions (proposer path, the MTG-8 checklist and agreement, the head's decision,
move, withdraw, papers checked by the unit head and reviewed by the leader), the agenda (submit, approve, send
back), paper downloads, attendance and leave (MTG-9), and "我的会议待办".

Views only parse input, ask `meeting.permissions` (through `meeting.selectors`, which gives outsiders a 404),
call ONE service and report its message. A refusal re-renders the page with what the user typed. Only the actions
the user may do now are shown; the services check again.
"""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from documents.shared.access import may_draft_submission
from tiexi_gov.http import to_id
from tiexi_gov.org.models import Appointment
from tiexi_gov.org.selectors import who_handles
from tiexi_gov.workflow import once
from tiexi_gov.workflow.errors import ActionRefused
from tiexi_gov.workflow.kernel import as_seen

from ..minutes import selectors as minutes_selectors
from ..shared.errors import ActionNotAllowed, AgendaFrozen, AlreadyHandled, MeetingError, TopicTooLate
from . import forms, permissions, selectors, services
from .models import AGENDA_KINDS, INTAKE_KINDS, MS, Invitation, LeaveRequest, Meeting, MeetingKind, Paper

TASK_PAGE_SIZE = 20


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _frozen_reason(meeting: Meeting) -> str:
    return services.frozen_reason(meeting)


@dataclass(frozen=True)
class Action:
    form: type
    label: str
    may: str  # the key in the page's `may` set
    run: Callable  # (request, obj, cleaned_data) -> success message


# --- the meeting page and its agenda ---------------------------------------------------------------------------


def _run_submit(request, meeting, d):
    services.submit_agenda(actor=request.user, meeting=meeting)
    return f"议程已报{meeting.agenda_decider}审定。"


def _run_approve(request, meeting, d):
    services.approve_agenda(actor=request.user, meeting=meeting)
    return "议程已审定：不再增加议题，会议材料已发送参会人员，会议通知已发出。"


def _run_send_back(request, meeting, d):
    services.send_back_agenda(actor=request.user, meeting=meeting, reason=d["reason"])
    return "议程已退回区政府办公室。"


AGENDA_ACTIONS: dict[str, Action] = {
    "submit": Action(forms.PlainForm, "报送议程审定", "submit_agenda", _run_submit),
    "approve": Action(forms.ApproveAgendaForm, "审定议程", "approve_agenda", _run_approve),
    "send-back": Action(forms.SendBackForm, "退回议程", "send_back_agenda", _run_send_back),
}


def _prefix(action: str) -> str:
    return action.replace("-", "_")


def _meeting_context(request, page: selectors.MeetingPage, bound=None) -> dict:
    action_forms = {
        _prefix(name): forms.styled(spec.form(prefix=_prefix(name)))
        for name, spec in AGENDA_ACTIONS.items()
        if spec.may in page.may
    }
    if bound is not None:
        action_forms[_prefix(bound[0])] = forms.styled(bound[1])
    meeting = page.meeting
    return {
        "page": page,
        "meeting": meeting,
        "forms": action_forms,
        "frozen_reason": _frozen_reason(meeting),
        "attendance_url": _url("meetings:attendance", meeting.pk),
        "minutes_url": _url("meetings:minutes", meeting.pk),
        "topic_new_url": _url("meetings:topic_new", meeting.pk),
    }


@login_required
def meeting(request, pk: int):
    page = selectors.meeting_page(request.user, pk, timezone.localdate())
    return render(request, "meetings/meeting.html", _meeting_context(request, page))


@login_required
@require_POST
def agenda_action(request, pk: int, action: str):
    """报区长审定 (the office), 审定 / 退回 (the chair): MTG-5."""
    page = selectors.meeting_page(request.user, pk, timezone.localdate())  # 404 for outsiders first
    spec = AGENDA_ACTIONS.get(action)
    if spec is None:
        raise Http404("没有该操作。")
    form = spec.form(request.POST, prefix=_prefix(action))
    # The page posts the state it showed: when the agenda moved since (a second click, another office clerk), the
    # step answers "已由XX处理" instead of the rule that no longer lets this user act (the kernel compares them).
    seen = request.POST.get("seen_state", "")
    stale = seen in MS.values and seen != page.meeting.state
    if spec.may not in page.may and not stale:
        messages.error(request, f"您当前不能对该会议进行“{spec.label}”操作。")
        return render(request, "meetings/meeting.html", _meeting_context(request, page), status=403)
    if not form.is_valid():
        messages.error(request, "请检查填写的内容。")
        return render(request, "meetings/meeting.html", _meeting_context(request, page, (action, form)), status=400)
    try:
        text = spec.run(request, as_seen(page.meeting, seen), form.cleaned_data)
    except ActionRefused as exc:
        messages.error(request, exc.message)
        status = 403 if isinstance(exc, ActionNotAllowed) else 200 if isinstance(exc, AlreadyHandled) else 400
        page = selectors.meeting_page(request.user, pk, timezone.localdate())
        return render(request, "meetings/meeting.html", _meeting_context(request, page, (action, form)), status=status)
    messages.success(request, text)
    return redirect("meetings:meeting", pk=pk)


# --- topic intake (MTG-5) ---------------------------------------------------------------------------------------


@login_required
def topic_new(request, pk: int):
    """A unit proposes a topic on its filed request 提请会议研究; the office may propose on a unit's behalf. A late
    request is refused with the last allowed day and offered to the next meeting in one click (same entry)."""
    today = timezone.localdate()
    meeting = selectors.meeting_queryset().filter(pk=pk).first()
    if meeting is None or not permissions.can_propose_to(request.user, meeting):
        raise Http404("没有找到该会议。")
    if request.method == "POST" and (made := once.made_before(request)):
        return once.answer_again(request, made)  # the same form again: the topic it filed, not a refusal
    units = selectors.proposable_units(request.user, today)
    requests = selectors.eligible_requests(units)
    initial = {}
    unit_list = list(units[:2])
    if len(unit_list) == 1:
        initial["unit"] = unit_list[0].pk
    chosen = to_id(request.GET.get("submission"))
    if chosen:
        sub = requests.filter(pk=chosen).first()
        if sub is not None:
            initial.update(submission=sub.pk, unit=sub.unit_id, title=sub.title)
    form = forms.TopicForm(request.POST or None, meeting=meeting, units=units, requests=requests, initial=initial)
    late: TopicTooLate | None = None
    frozen_reason = _frozen_reason(meeting)
    if request.method == "POST":
        if form.is_valid():
            try:
                with once.once(request) as done:
                    topic = services.propose_topic(
                        actor=request.user,
                        meeting=meeting,
                        **form.service_kwargs(),
                    )
                    done(reverse("meetings:topic", args=[topic.pk]))
            except once.AlreadyPosted as exc:
                return once.answer_again(request, exc.url)
            except TopicTooLate as exc:
                late = exc
                form.add_error(None, exc.message)
            except AgendaFrozen as exc:
                frozen_reason = exc.message
                form.add_error(None, exc.message)
            except ActionRefused as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    f"议题“{topic.title}”已{'登记' if meeting.kind == MeetingKind.PARTY_GROUP else '申报'}"
                    f"{meeting.title}，待办公室审核、{meeting.agenda_decider}确定。",
                )
                return redirect("meetings:topic", pk=topic.pk)
        messages.error(request, "议题未能申报，请查看下方说明。")
    last_day = services.last_filing_day(meeting) if meeting.kind in INTAKE_KINDS else None
    return render(
        request,
        "meetings/topic_form.html",
        {
            "meeting": meeting,
            "verb": "登记议题" if meeting.kind == MeetingKind.PARTY_GROUP else "申报议题",  # MTG-3: office records
            "form": forms.styled(form),
            "late": late,
            "frozen_reason": frozen_reason,
            "last_filing_day": last_day,
            "today": today,
            "has_requests": requests.exists(),
            "needs_request": meeting.kind in INTAKE_KINDS,
            "documents_new_url": _url("documents:create") if may_draft_submission(request.user) else "",
            "may_view_meeting": permissions.can_view_meeting(request.user, meeting),
            "once_token": once.token_for(request),
        },
        status=400 if request.method == "POST" else 200,
    )


# --- a topic's page and its actions -----------------------------------------------------------------------------


def _paper(topic, pk) -> Paper:
    paper = Paper.objects.filter(pk=pk, topic_id=topic.pk).first()
    if paper is None:
        raise MeetingError("该材料不存在。")
    return paper


def _run_proposer(request, topic, d):
    as_was = (topic.proposer_path, topic.proposer_post_id, topic.proposer_note)
    t = services.record_proposer(actor=request.user, topic=topic, note=d["note"])
    if as_was[0] and (t.proposer_path, t.proposer_post_id, t.proposer_note) == as_was:
        return "提出方式未作修改。"  # posted back as shown: the service recorded nothing
    return f"已登记提出方式：{t.get_proposer_path_display()}。"


def _run_checklist(request, topic, d):
    as_was = topic.checked_at
    t = services.record_checklist(
        actor=request.user,
        topic=topic,
        significance=d["significance"],
        substance=d["substance"],
        procedure=d["procedure"],
    )
    if as_was is not None and t.checked_at == as_was:
        return "上会条件审核未作修改。"  # the check as shown, posted back: the service recorded nothing
    ok = t.checklist_complete
    return "上会条件审核已登记：符合上会条件。" if ok else "上会条件审核已登记：尚不符合上会条件（第五十七条）。"


def _run_agreement(request, topic, d):
    as_was = topic.agreement_text
    t = services.record_agreement(actor=request.user, topic=topic, agreement=d["agreement"])
    if as_was and t.agreement_text == as_was:
        return "协调意见未作修改。"  # posted back as shown: the service recorded nothing
    return "已登记专题会协调形成的一致意见。"


def _run_decide(request, topic, d):
    accept = d["decision"] == "accept"
    services.decide_topic(actor=request.user, topic=topic, accept=accept, reason=d["reason"])
    return "议题已列入议程。" if accept else "议题不予上会，已通知汇报单位。"


def _run_move(request, topic, d):
    t = services.move_topic(actor=request.user, topic=topic, to_meeting=d["target"])
    return f"议题已改报{t.meeting.title}（{t.meeting.date}）。"


def _run_withdraw(request, topic, d):
    services.withdraw_topic(actor=request.user, topic=topic, reason=d["reason"])
    return "议题已撤回。"


def _run_paper(request, topic, d):
    p = services.add_paper(actor=request.user, topic=topic, title=d["title"], file=d["file"])
    return f"已上传会议材料“{p.title}”，请单位主要负责人把关。"


def _run_check(request, topic, d):
    p = services.check_paper(actor=request.user, paper=_paper(topic, d["paper"]))
    return f"“{p.title}”已经主要负责人把关，请分管区领导审核。"


def _run_review(request, topic, d):
    p = services.review_paper(actor=request.user, paper=_paper(topic, d["paper"]))
    return f"“{p.title}”已经分管区领导审核。"


TOPIC_ACTIONS: dict[str, Action] = {
    "proposer": Action(forms.ProposerForm, "提出议题", "proposer", _run_proposer),
    "checklist": Action(forms.ChecklistForm, "上会条件审核", "checklist", _run_checklist),
    "agreement": Action(forms.AgreementForm, "登记协调一致意见", "agreement", _run_agreement),
    "decide": Action(forms.DecideForm, "确定议题", "decide", _run_decide),
    "move": Action(forms.MoveForm, "改报其他会议", "move", _run_move),
    "withdraw": Action(forms.WithdrawForm, "撤回议题", "withdraw", _run_withdraw),
    "paper": Action(forms.PaperForm, "上传会议材料", "add_paper", _run_paper),
    "check": Action(forms.PaperSignForm, "主要负责人把关", "check_paper", _run_check),
    "review": Action(forms.PaperSignForm, "分管区领导审核", "review_paper", _run_review),
}


FROZEN_ACTIONS = ("decide", "paper", "move", "withdraw")  # refused with the reason once the agenda is with the head


def form_kwargs(name: str, page: selectors.TopicPage) -> dict:
    if name == "decide":
        return {"may_accept": "accept" in page.may}
    if name == "move":
        return {"targets": selectors.move_targets(page.meeting)}
    return {}


def _initial(name: str, topic) -> dict:
    if name == "checklist":
        return {
            "significance": topic.check_significance,
            "substance": topic.check_substance,
            "procedure": topic.check_procedure,
        }
    if name == "agreement":
        return {"agreement": topic.agreement_text}
    if name == "proposer":
        return {"note": topic.proposer_note}
    return {}


def _topic_context(request, page: selectors.TopicPage, bound=None) -> dict:
    action_forms = {
        name: forms.styled(spec.form(prefix=name, initial=_initial(name, page.topic), **form_kwargs(name, page)))
        for name, spec in TOPIC_ACTIONS.items()
        if spec.may in page.may
    }
    if bound is not None:
        action_forms[bound[0]] = forms.styled(bound[1])
    topic = page.topic
    return {
        "page": page,
        "topic": topic,
        "meeting": page.meeting,
        "row": page.row,
        "forms": action_forms,
        "frozen_reason": _frozen_reason(page.meeting),
        "coordinate_url": _url("meetings:meeting_new") + f"?kind=special&topic={topic.pk}"
        if "coordinate" in page.may and _url("meetings:meeting_new")
        else "",
        "submission_url": _url("documents:detail", topic.submission_id) if page.may_open_submission else "",
    }


@login_required
def topic(request, pk: int):
    page = selectors.topic_page(request.user, pk, timezone.localdate())
    return render(request, "meetings/topic.html", _topic_context(request, page))


@login_required
@require_POST
def topic_action(request, pk: int, action: str):
    """One action on the topic page: parse the small form, check, call the service, show its message."""
    today = timezone.localdate()
    page = selectors.topic_page(request.user, pk, today)  # 404 for outsiders first
    spec = TOPIC_ACTIONS.get(action)
    if spec is None:
        raise Http404("没有该操作。")
    form = spec.form(request.POST, request.FILES, prefix=action, **form_kwargs(action, page))
    accepting = action == "decide" and request.POST.get("decide-decision") == "accept"
    if spec.may not in page.may or (accepting and "accept" not in page.may):
        frozen = _frozen_reason(page.meeting) if action in FROZEN_ACTIONS else ""
        messages.error(request, frozen or f"您当前不能对该议题进行“{spec.label}”操作。")
        return render(request, "meetings/topic.html", _topic_context(request, page), status=403)
    if not form.is_valid():
        errors = [str(e) for errs in form.errors.values() for e in errs]
        messages.error(request, "请检查填写的内容：" + "；".join(errors) if errors else "请检查填写的内容。")
        return render(request, "meetings/topic.html", _topic_context(request, page, (action, form)), status=400)
    try:
        text = spec.run(request, page.topic, form.cleaned_data)
    except ActionRefused as exc:
        messages.error(request, exc.message)
        status = 403 if isinstance(exc, ActionNotAllowed) else 200 if isinstance(exc, AlreadyHandled) else 400
        page = selectors.topic_page(request.user, pk, today)
        return render(request, "meetings/topic.html", _topic_context(request, page, (action, form)), status=status)
    messages.success(request, text)
    return redirect("meetings:topic", pk=pk)


# --- papers ----------------------------------------------------------------------------------------------------


@login_required
def paper_download(request, pk: int):
    """A meeting paper through the permission check (MTG-5: attendees after the agenda is approved, the office,
    the reporting unit); never from a public media URL. Everyone else gets 404."""
    paper = Paper.objects.select_related("topic", "topic__meeting").filter(pk=pk).first()
    if paper is None or not permissions.can_view_paper(request.user, paper):
        raise Http404("没有找到该材料。")
    try:
        handle = paper.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404("材料文件不存在。") from exc
    ext = os.path.splitext(paper.file.name)[1]
    name = paper.title if paper.title.endswith(ext) else f"{paper.title}{ext}"
    content_type = mimetypes.guess_type(paper.file.name)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


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
    signing = _page(request, "spage", minutes_selectors.minutes_to_sign(user, today))
    agendas = _page(request, "apage", selectors.agendas_to_approve(user, today))
    invitations = _page(request, "ipage", selectors.unanswered_invitations(user, today))
    drafting = _page(request, "dpage", minutes_selectors.minutes_to_draft(user, today))
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
        # MTG-9: who may read why someone is on leave (the others see the leave, not its reason)
        "reason_ids": permissions.readable_leave_reason_ids(user, meeting, [r.leave for r in record.rows]),
        "mine": mine,
        "my_leave": my_leave,
        "manage": manage,
        "is_meeting_day": today == meeting.date,
        # 专题会议 has no standing seats: its attendees are named by the chair (attendee_form)
        "may_refresh": (
            manage
            and meeting.state in selectors.OPEN_MEETING_STATES
            and meeting.kind in AGENDA_KINDS
            and today <= meeting.date
        ),
        "attendee_form": (
            bound.get("attendee") or forms.styled(forms.SpecialAttendeeForm(meeting=meeting))
            if _may_name_attendees(user, meeting)
            else None
        ),
        "may_attend": bool(
            mine
            and open_meeting
            and mine.reply != Invitation.Reply.ATTEND
            and (my_leave is None or my_leave.state in (LeaveRequest.State.REJECTED, LeaveRequest.State.WITHDRAWN))
        ),
        "may_ask_leave": bool(
            mine and open_meeting and (my_leave is None or my_leave.state == LeaveRequest.State.WITHDRAWN)
        ),
        "may_withdraw_leave": bool(
            mine and open_meeting and my_leave is not None and my_leave.state == LeaveRequest.State.REQUESTED
        ),
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
    if request.method == "POST" and request.POST.get("action") == "add":
        return _name_special_attendee(request, meeting)
    if request.method == "POST":
        if not permissions.can_manage(request.user) or meeting.state not in selectors.OPEN_MEETING_STATES:
            messages.error(request, "只有区政府办公室可以在会前刷新参会人员。")
            return redirect("meetings:attendance", pk=meeting.pk)
        try:
            seating = services.refresh_invitations(meeting, actor=request.user)
        except ActionRefused as exc:
            return _rerender_attendance(request, meeting, status=service_error(request, exc))
        messages.success(request, f"已刷新参会人员：{seating.summary()}。" if seating else "参会人员已是最新。")
        return redirect("meetings:attendance", pk=meeting.pk)
    if request.GET.get("print"):
        invitations = selectors.invitations_of(meeting)
        return render(
            request,
            "meetings/_minutes_signin_sheet.html",
            {"meeting": meeting, "record": selectors.attendance(meeting, invitations), "today": timezone.localdate()},
        )
    return render(request, "meetings/attendance.html", _attendance_context(request, meeting))


def _may_name_attendees(user, meeting: Meeting) -> bool:
    return (
        meeting.kind == MeetingKind.SPECIAL
        and meeting.state in selectors.OPEN_MEETING_STATES
        and timezone.localdate() <= meeting.date
        and permissions.can_name_special_attendee(user, meeting)
    )


def _name_special_attendee(request, meeting: Meeting):
    """专题会议: the chair (or the office for the chair) names an attendee (MTG-7, 第五十六条)."""
    if not _may_name_attendees(request.user, meeting):
        messages.error(request, "专题会议的参加人员由会议主持人在会前确定，区政府办公室登记（第五十六条）。")
        return _rerender_attendance(request, meeting, status=403)
    form = forms.SpecialAttendeeForm(request.POST, meeting=meeting)
    if not form.is_valid():
        messages.error(request, "请选择参会人员（已在名单中的人员无需重复确定）。")
        return _rerender_attendance(request, meeting, status=400, bound={"attendee": forms.styled(form)})
    person = form.cleaned_data["person"]
    held = Appointment.objects.on(meeting.date).filter(person=person).select_related("post").order_by("id").first()
    post = held.post if held else None
    try:
        services.add_special_attendee(actor=request.user, meeting=meeting, person=person, post=post)
    except ActionRefused as exc:
        status = service_error(request, exc)
        return _rerender_attendance(request, meeting, status=status)
    messages.success(request, f"已确定{person.display_name}参加会议，已通知本人。")
    return redirect("meetings:attendance", pk=meeting.pk)


def _rerender_attendance(request, meeting: Meeting, *, status: int, bound: dict | None = None):
    return render(
        request, "meetings/attendance.html", _attendance_context(request, meeting, bound=bound), status=status
    )


def _visible_invitation(request, pk: int) -> Invitation:
    inv = Invitation.objects.select_related("meeting", "post", "person").filter(pk=pk).first()
    if inv is None or not permissions.can_view_meeting(request.user, inv.meeting):
        raise Http404("没有找到该参会人员。")
    return inv


def service_error(request, exc: ActionRefused) -> int:
    messages.error(request, exc.message)
    if isinstance(exc, AlreadyHandled):
        return 200
    return 403 if isinstance(exc, ActionNotAllowed) else 400


@login_required
@require_POST
def invitation_action(request, pk: int, action: str):
    """The attendee replies (参加), asks for leave (请假, MTG-9) or takes it back before it is decided; the office (or
    the attendee) signs in."""
    inv = _visible_invitation(request, pk)
    meeting = inv.meeting
    if action not in ("attend", "leave", "withdraw-leave", "sign-in"):
        raise Http404("没有该操作。")
    bound = None
    try:
        if action == "attend":
            services.reply_invitation(actor=request.user, invitation=inv, attend=True)
            text = "已回复参加。"
        elif action == "withdraw-leave":
            leave = services.withdraw_leave(actor=request.user, invitation=inv)
            text = f"已撤回请假，回复改为参加；已告知{leave.approver_post.title}。"
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
    except ActionRefused as exc:
        status = service_error(request, exc)
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
    except ActionRefused as exc:
        status = service_error(request, exc)
        return _rerender_attendance(request, meeting, status=status, bound=bound if status == 400 else None)
    if action == "approve" and leave.route == LeaveRequest.Route.CHAIR_THEN_OFFICE:
        text = f"已准假，已报办公室备案，由{leave.substitute.display_name}代为参会。"
    else:
        text = "已准假。" if action == "approve" else "已不准假。"
    messages.success(request, text)
    return redirect("meetings:attendance", pk=meeting.pk)
