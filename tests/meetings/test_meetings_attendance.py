"""MTG-9 (第五十八条) attendance and leave: each request routed to its approver by the requester's post and the
kind of meeting; the substitute a unit's main head sends; sign-in on the day; the attendance page, its buttons
and the printable 签到表; "我的会议待办" with a constant number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from meetings_support import allowed_steps, queued_actions
from rest_framework.test import APIClient
from test_meetings_minutes import MEETING_DAY, agenda_meeting, held, login, record, special_meeting
from test_meetings_publication import signed_meeting

from meetings.meeting import permissions as meeting_permissions
from meetings.meeting import selectors
from meetings.meeting import services as meeting_services
from meetings.minutes import services as minutes_services
from meetings.minutes.forms import ReaderForm
from meetings.models import Invitation, LeaveRequest, MeetingKind, Minutes, SeatRole
from meetings.shared.errors import ActionNotAllowed, AlreadyHandled, MeetingError
from tests.factories import ActingArrangementFactory, UserFactory
from tiexi_gov.audit.models import Event
from tiexi_gov.notify.models import Message
from tiexi_gov.org.models import ActingArrangement, User
from tiexi_gov.org.roles import Role

BEFORE = MEETING_DAY - dt.timedelta(days=1)
Route = LeaveRequest.Route


def invitation(m, user) -> Invitation:
    return Invitation.objects.select_related("meeting", "post").get(meeting=m, person=user)


def ask(w, m, user, *, day=BEFORE, **kw) -> LeaveRequest:
    return meeting_services.request_leave(actor=user, invitation=invitation(m, user), reason="出差", today=day, **kw)


# --- MTG-9: the route by post --------------------------------------------------------------------------------


def test_mtg_9_leave_routed_by_post_a_deputy_asks_the_chair(world):
    w = world
    m, _ = agenda_meeting(w, MEETING_DAY)
    leave = ask(w, m, w.edu_deputy)
    assert (leave.route, leave.approver_post_id) == (Route.CHAIR, w.head_post.pk)
    assert invitation(m, w.edu_deputy).reply == Invitation.Reply.LEAVE
    assert Message.objects.filter(recipient=w.head, subject__contains="会议请假待审批").exists()
    meeting_services.decide_leave(actor=w.head, leave=leave, approve=True, today=BEFORE)
    leave.refresh_from_db()
    assert leave.state == LeaveRequest.State.APPROVED and leave.filed_with_office_at is None
    assert not Invitation.objects.filter(meeting=m, substitute_for__isnull=False).exists()


def test_mtg_9_leave_routed_by_post_a_unit_main_head_asks_the_chair_then_files_with_the_office_and_sends_a_substitute(
    world,
):
    w = world
    m, _ = agenda_meeting(w, MEETING_DAY)
    head = w.unit_heads["审计局"]
    with pytest.raises(MeetingError, match="安排其他负责人"):
        ask(w, m, head)
    with pytest.raises(MeetingError, match="本单位其他负责人"):
        ask(w, m, head, substitute=w.unit_deputies["财政局"])  # a leader of another unit
    assert not LeaveRequest.objects.exists()
    leave = ask(w, m, head, substitute=w.unit_deputies["审计局"])
    assert (leave.route, leave.approver_post_id) == (Route.CHAIR_THEN_OFFICE, w.head_post.pk)
    meeting_services.decide_leave(actor=w.head, leave=leave, approve=True, opinion="同意", today=BEFORE)
    leave.refresh_from_db()
    assert leave.filed_with_office_at is not None
    sub = Invitation.objects.get(meeting=m, person=w.unit_deputies["审计局"])
    assert sub.substitute_for == invitation(m, head) and sub.role == invitation(m, head).role
    assert Message.objects.filter(recipient=w.staff, subject__contains="请假报备").exists()


def test_mtg_9_leave_routed_by_post_others_ask_the_office_director(world):
    w = world
    m, _ = agenda_meeting(w, MEETING_DAY)
    for user in (w.office_deputy, w.adviser):
        leave = ask(w, m, user)
        assert (leave.route, leave.approver_post_id) == (Route.OFFICE_DIRECTOR, w.director_post.pk)
    with pytest.raises(ActionNotAllowed):
        meeting_services.decide_leave(actor=w.head, leave=leave, approve=True, today=BEFORE)
    meeting_services.decide_leave(actor=w.director, leave=leave, approve=False, opinion="请按时参会", today=BEFORE)
    leave.refresh_from_db()
    assert leave.state == LeaveRequest.State.REJECTED
    assert invitation(m, w.adviser).reply == Invitation.Reply.PENDING  # refused leave: the invitation stands


def test_mtg_9_the_office_director_asks_the_chair_and_never_approves_his_own_leave(world):
    """第五十八条: 区政府部门、单位主要负责人…须向会议主持人请假…安排其他负责人参加会议; 其他人员向办公室主任
    请假. The office's director is its main head: he asks the chair and sends a deputy director. Before, his
    request went to the office director's post, his own, and he approved it."""
    w = world
    m, _ = agenda_meeting(w, MEETING_DAY)
    assert invitation(m, w.director).post_id == w.director_post.pk
    with pytest.raises(MeetingError, match="安排其他负责人"):
        ask(w, m, w.director)
    leave = ask(w, m, w.director, substitute=w.office_deputy)
    assert (leave.route, leave.approver_post_id) == (Route.CHAIR_THEN_OFFICE, w.head_post.pk)
    with pytest.raises(ActionNotAllowed):
        meeting_services.decide_leave(actor=w.director, leave=leave, approve=True, today=BEFORE)
    meeting_services.decide_leave(actor=w.head, leave=leave, approve=True, opinion="同意", today=BEFORE)
    leave.refresh_from_db()
    assert leave.state == LeaveRequest.State.APPROVED and leave.filed_with_office_at is not None


def test_mtg_9_whoever_acts_for_the_office_director_asks_the_chair(world):
    w = world
    m, _ = agenda_meeting(w, MEETING_DAY)
    deputy_post = w.office_deputy.appointments.first().post
    ActingArrangementFactory(absent_post=w.director_post, acting_post=deputy_post, start=BEFORE, end=MEETING_DAY)
    leave = ask(w, m, w.office_deputy)
    assert (leave.route, leave.approver_post_id) == (Route.CHAIR, w.head_post.pk)


def test_mtg_9_leave_routed_by_post_special_meeting_asks_its_chair(world):
    w = world
    m = special_meeting(w, MEETING_DAY)
    leave = ask(w, m, w.unit_heads["财政局"])  # a unit main head, but at a special meeting: the chair, no substitute
    assert (leave.route, leave.approver_post_id) == (Route.CHAIR, w.edu_deputy_post.pk)
    with pytest.raises(ActionNotAllowed):
        meeting_services.decide_leave(actor=w.head, leave=leave, approve=True, today=BEFORE)
    meeting_services.decide_leave(actor=w.edu_deputy, leave=leave, approve=True, today=BEFORE)


def test_mtg_9_leave_routed_by_post_refused_after_the_meeting_day_and_only_once(world):
    w = world
    m, _ = agenda_meeting(w, MEETING_DAY)
    with pytest.raises(MeetingError, match="会前请假"):
        ask(w, m, w.edu_deputy, day=MEETING_DAY + dt.timedelta(days=1))
    ask(w, m, w.edu_deputy, day=MEETING_DAY)
    with pytest.raises(AlreadyHandled):
        ask(w, m, w.edu_deputy, day=MEETING_DAY)
    with pytest.raises(ActionNotAllowed):  # nobody asks leave for somebody else
        meeting_services.request_leave(
            actor=w.staff, invitation=invitation(m, w.judicial_deputy), reason="x", today=BEFORE
        )


def test_mtg_9_leave_routed_by_post_decided_only_by_the_approvers_handler_incl_the_acting_person(world):
    w = world
    m, _ = agenda_meeting(w, MEETING_DAY)
    leave = ask(w, m, w.edu_deputy)
    for other in (w.exec_deputy, w.director, w.staff, w.edu_deputy):
        with pytest.raises(ActionNotAllowed):
            meeting_services.decide_leave(actor=other, leave=leave, approve=True, today=BEFORE)
    # ORG-3 / LEAVE-4: the head is away; the executive deputy, entrusted to preside, decides in the head's stead
    ActingArrangementFactory(
        absent_post=w.head_post,
        acting_post=w.exec_post,
        kind=ActingArrangement.Kind.ENTRUSTED,
        start=BEFORE,
        end=MEETING_DAY,
    )
    head = User.objects.get(pk=w.head.pk)  # a fresh request: nothing remembered of the days before
    with pytest.raises(ActionNotAllowed):
        meeting_services.decide_leave(actor=head, leave=leave, approve=True, today=BEFORE)
    exec_deputy = User.objects.get(pk=w.exec_deputy.pk)
    meeting_services.decide_leave(actor=exec_deputy, leave=leave, approve=True, today=BEFORE)
    leave.refresh_from_db()
    assert leave.state == LeaveRequest.State.APPROVED and leave.decided_by == w.exec_deputy
    event = Event.objects.get(action="decided", rule_id="MTG-9")
    assert "受区长委托" in event.capacity
    with pytest.raises(AlreadyHandled):
        meeting_services.decide_leave(actor=w.exec_deputy, leave=leave, approve=False, today=BEFORE)


def test_mtg_9_sign_in_only_on_the_meeting_day_by_the_office_or_oneself(world):
    w = world
    m, _ = agenda_meeting(w, MEETING_DAY)
    inv = invitation(m, w.edu_deputy)
    with pytest.raises(MeetingError, match="会议当天"):
        meeting_services.sign_in(actor=w.staff, invitation=inv, today=BEFORE)
    with pytest.raises(ActionNotAllowed):
        meeting_services.sign_in(actor=w.exec_deputy, invitation=inv, today=MEETING_DAY)
    meeting_services.sign_in(actor=w.staff, invitation=inv, today=MEETING_DAY)
    signed_at = invitation(m, w.edu_deputy).signed_in_at
    assert signed_at is not None
    with pytest.raises(AlreadyHandled, match="已于.*签到"):  # a second click keeps the first time and record
        meeting_services.sign_in(actor=w.edu_deputy, invitation=inv, today=MEETING_DAY)
    assert invitation(m, w.edu_deputy).signed_in_at == signed_at
    assert Event.objects.filter(action="signed_in").count() == 1


def test_mtg_9_approved_leave_cannot_sign_in_a_refused_one_can(world):
    """The page offers no sign-in to someone on approved leave; a posted one is refused too, so the record never says
    both 已准假 and 签到. A refused leave leaves the invitation standing: that person signs in."""
    w = world
    m, _ = agenda_meeting(w, MEETING_DAY)
    away = ask(w, m, w.edu_deputy)
    meeting_services.decide_leave(actor=w.head, leave=away, approve=True, today=BEFORE)
    for actor in (w.staff, w.edu_deputy):
        with pytest.raises(MeetingError, match="已获准请假，不能签到（第五十八条）") as exc:
            meeting_services.sign_in(actor=actor, invitation=invitation(m, w.edu_deputy), today=MEETING_DAY)
        assert exc.value.rule_id == "MTG-9"
    assert invitation(m, w.edu_deputy).signed_in_at is None
    refused = ask(w, m, w.exec_deputy)
    meeting_services.decide_leave(actor=w.head, leave=refused, approve=False, opinion="请按时参会", today=BEFORE)
    meeting_services.sign_in(actor=w.staff, invitation=invitation(m, w.exec_deputy), today=MEETING_DAY)
    assert invitation(m, w.exec_deputy).signed_in_at is not None
    assert Event.objects.filter(action="signed_in").count() == 1


# --- the attendance page ------------------------------------------------------------------------------------------


def today_meeting(w, days_ahead=0):
    return agenda_meeting(w, timezone.localdate() + dt.timedelta(days=days_ahead))


def test_attendance_page_is_404_for_outsiders(world, client):
    w = world
    m, _ = today_meeting(w)
    inv = invitation(m, w.edu_deputy)
    leave = meeting_services.request_leave(actor=w.edu_deputy, invitation=inv, reason="出差")
    for user in (w.outsider, w.clerks["教育局"]):
        c = login(client, user)
        assert c.get(reverse("meetings:attendance", args=[m.pk])).status_code == 404
        assert c.post(reverse("meetings:invitation_action", args=[inv.pk, "sign-in"])).status_code == 404
        assert c.post(reverse("meetings:leave_action", args=[leave.pk, "approve"])).status_code == 404
    assert login(client, w.edu_deputy).get(reverse("meetings:attendance", args=[m.pk])).status_code == 200


def test_attendance_page_lists_invitations_by_seat(world, client):
    w = world
    m, topic = agenda_meeting(w, timezone.localdate() + dt.timedelta(days=2), unit="教育局")
    r = login(client, w.staff).get(reverse("meetings:attendance", args=[m.pk]))
    assert r.status_code == 200
    groups = {key: [row.invitation.person for row in rows] for key, _label, rows in r.context["record"].groups}
    assert groups["chair"] == [w.head]
    assert {w.exec_deputy, w.edu_deputy, w.judicial_deputy, w.director} <= set(groups["members"])
    assert {w.office_deputy, w.adviser, w.unit_heads["司法局"]} <= set(groups["attendees"])
    assert groups["invited"] == [w.unit_heads["区纪委监委"]]
    assert groups["topic"] == [w.unit_heads["教育局"]]  # invited for its topic
    assert 'data-testid="do-refresh"' in r.content.decode()


def test_mtg_4_attendance_record_seats_the_discipline_commission_as_invited_not_as_standing_attendee(world, client):
    """第五十五条 invites (邀请) the discipline commission's leader: a seat of its own, shown as 邀请列席 on the meeting
    page. The attendance record and the printed sign-in sheet listed him under 全程列席 with the standing attendees."""
    w = world
    m, _topic = agenda_meeting(w, timezone.localdate() + dt.timedelta(days=2), unit="教育局")
    r = login(client, w.staff).get(reverse("meetings:attendance", args=[m.pk]))
    record = r.context["record"]
    seats = {row.invitation.person: label for label, row in record.labelled_rows}
    assert seats[w.unit_heads["区纪委监委"]] == "邀请列席"
    assert seats[w.unit_heads["司法局"]] == "全程列席"
    assert 'data-testid="group-invited"' in r.content.decode()


def test_attendance_attendee_replies_and_asks_leave_with_a_substitute_of_their_unit(world, client):
    w = world
    m, _ = today_meeting(w, days_ahead=2)
    head = w.unit_heads["审计局"]
    c = login(client, head)
    page = c.get(reverse("meetings:attendance", args=[m.pk]))
    form = page.context["leave_form"]
    offered = set(form.fields["substitute"].queryset)
    assert w.unit_deputies["审计局"] in offered and w.clerks["审计局"] in offered
    assert head not in offered and w.unit_deputies["财政局"] not in offered
    assert "报办公室备案" in page.context["route_label"]

    inv = invitation(m, head)
    assert c.post(reverse("meetings:invitation_action", args=[inv.pk, "attend"])).status_code == 302
    assert invitation(m, head).reply == Invitation.Reply.ATTEND
    # a leave without a substitute: refused, what was typed is kept
    r = c.post(reverse("meetings:invitation_action", args=[inv.pk, "leave"]), {"leave-reason": "赴省开会"})
    assert r.status_code == 400 and "安排其他负责人" in r.content.decode()
    assert r.context["leave_form"]["reason"].value() == "赴省开会"
    # a substitute of another unit is not even a valid choice
    r = c.post(
        reverse("meetings:invitation_action", args=[inv.pk, "leave"]),
        {"leave-reason": "赴省开会", "leave-substitute": w.unit_deputies["财政局"].pk},
    )
    assert r.status_code == 400 and not LeaveRequest.objects.exists()
    r = c.post(
        reverse("meetings:invitation_action", args=[inv.pk, "leave"]),
        {"leave-reason": "赴省开会", "leave-substitute": w.unit_deputies["审计局"].pk, "leave-opinions": "同意议题"},
    )
    assert r.status_code == 302
    leave = LeaveRequest.objects.get()
    assert leave.substitute == w.unit_deputies["审计局"] and leave.opinions == "同意议题"
    # somebody else's invitation: refused
    other = invitation(m, w.edu_deputy)
    r = c.post(reverse("meetings:invitation_action", args=[other.pk, "attend"]))
    assert r.status_code == 403 and invitation(m, w.edu_deputy).reply == Invitation.Reply.PENDING


def test_attendance_approver_decides_from_the_page(world, client):
    w = world
    m, _ = today_meeting(w, days_ahead=2)
    head = w.unit_heads["审计局"]
    leave = meeting_services.request_leave(
        actor=head, invitation=invitation(m, head), reason="出差", substitute=w.unit_deputies["审计局"]
    )
    url = reverse("meetings:attendance", args=[m.pk])
    assert 'data-testid="leave-decide"' not in login(client, w.director).get(url).content.decode()
    assert (
        login(client, w.director).post(reverse("meetings:leave_action", args=[leave.pk, "approve"])).status_code == 403
    )
    c = login(client, w.head)
    assert 'data-testid="leave-decide"' in c.get(url).content.decode()
    # 不准假 needs a reason and the confirmation
    r = c.post(reverse("meetings:leave_action", args=[leave.pk, "reject"]), {f"reject-{leave.pk}-opinion": "请参会"})
    assert r.status_code == 400
    assert LeaveRequest.objects.get().state == LeaveRequest.State.REQUESTED
    r = c.post(reverse("meetings:leave_action", args=[leave.pk, "approve"]), {f"approve-{leave.pk}-opinion": "同意"})
    assert r.status_code == 302
    assert LeaveRequest.objects.get().state == LeaveRequest.State.APPROVED
    sub = Invitation.objects.get(meeting=m, person=w.unit_deputies["审计局"])
    page = c.get(url)
    assert [row.invitation for row in page.context["record"].substitutes] == [sub]
    # a second click: already handled, no 500
    r = c.post(
        reverse("meetings:leave_action", args=[leave.pk, "reject"]),
        {f"reject-{leave.pk}-opinion": "x", f"reject-{leave.pk}-confirm": "on"},
    )
    assert r.status_code == 200 and "已处理" in r.content.decode()


def test_attendance_office_signs_in_on_the_meeting_day_and_prints_the_sheet(world, client):
    w = world
    m, _ = today_meeting(w)
    c = login(client, w.staff)
    page = c.get(reverse("meetings:attendance", args=[m.pk])).content.decode()
    assert page.count('data-testid="do-sign-in"') == m.invitations.count()
    inv = invitation(m, w.edu_deputy)
    assert c.post(reverse("meetings:invitation_action", args=[inv.pk, "sign-in"])).status_code == 302
    assert invitation(m, w.edu_deputy).signed_in_at is not None
    # the attendee may sign in themself; a colleague may not
    own = invitation(m, w.judicial_deputy)
    assert (
        login(client, w.exec_deputy).post(reverse("meetings:invitation_action", args=[own.pk, "sign-in"])).status_code
        == 403
    )
    assert (
        login(client, w.judicial_deputy)
        .post(reverse("meetings:invitation_action", args=[own.pk, "sign-in"]))
        .status_code
        == 302
    )
    sheet = login(client, w.staff).get(reverse("meetings:attendance", args=[m.pk]), {"print": 1})
    html = sheet.content.decode()
    assert sheet.status_code == 200 and "签到表" in html
    assert html.count('data-testid="sheet-row"') == m.invitations.count()
    statuses = {row.invitation.person_id: row.status for row in sheet.context["record"].rows}
    assert statuses[w.edu_deputy.pk] == "attended" and statuses[w.exec_deputy.pk] == "absent"


def test_attendance_sign_in_refused_before_the_meeting_day_through_the_view(world, client):
    w = world
    m, _ = today_meeting(w, days_ahead=2)
    inv = invitation(m, w.edu_deputy)
    r = login(client, w.staff).post(reverse("meetings:invitation_action", args=[inv.pk, "sign-in"]))
    assert r.status_code == 400 and "会议当天" in r.content.decode()
    assert 'data-testid="do-sign-in"' not in r.content.decode()


def test_attendance_refresh_invitations_by_the_office_only(world, client):
    w = world
    m, _ = today_meeting(w, days_ahead=2)
    Invitation.objects.filter(meeting=m, person=w.adviser).delete()
    url = reverse("meetings:attendance", args=[m.pk])
    login(client, w.edu_deputy).post(url, {"action": "refresh"})
    assert not Invitation.objects.filter(meeting=m, person=w.adviser).exists()
    assert login(client, w.staff).post(url, {"action": "refresh"}).status_code == 302
    assert Invitation.objects.filter(meeting=m, person=w.adviser).exists()


def test_attendance_refresh_only_before_the_meeting_day(world, client):
    """会前刷新参会人员: a meeting never marked held stays open after its day, and the office's refresh (the page's
    button, the API's refresh-invitations) still invited the standing seats to it months later — invitations, an
    audit entry and the ICS feed's rows for a day gone by. After the meeting's day the button is gone and a refresh
    is refused in words; nothing changes and nothing is recorded."""
    w = world
    m, _ = agenda_meeting(w, MEETING_DAY)  # approved agenda, never held; its day is past
    assert m.state in selectors.OPEN_MEETING_STATES and m.date < timezone.localdate()
    Invitation.objects.filter(meeting=m, person=w.adviser).delete()
    url = reverse("meetings:attendance", args=[m.pk])
    assert 'data-testid="do-refresh"' not in login(client, w.staff).get(url).content.decode()
    events = Event.objects.for_object(m).count()
    refused = client.post(url, {"action": "refresh"})
    assert refused.status_code == 400 and "已过" in refused.content.decode()
    api = APIClient()
    api.force_authenticate(w.staff)
    answer = api.post(f"/api/v1/meetings/{m.pk}/refresh-invitations/", {}, format="json")
    assert answer.status_code == 400 and "已过" in answer.json()["detail"]
    assert not Invitation.objects.filter(meeting=m, person=w.adviser).exists()
    assert Event.objects.for_object(m).count() == events


# --- 我的会议待办 ---------------------------------------------------------------------------------------------------


def test_tasks_lists_what_waits_for_the_user(world, client):
    w = world
    m, topic = today_meeting(w, days_ahead=2)
    leave = meeting_services.request_leave(actor=w.edu_deputy, invitation=invitation(m, w.edu_deputy), reason="出差")
    # minutes of an earlier meeting, waiting for the office deputy director
    past, past_topic = agenda_meeting(w, MEETING_DAY)
    minutes = held(w, past)
    record(w, past, topic=past_topic)
    minutes_services.send_minutes_for_signing(actor=w.staff, minutes=minutes, today=MEETING_DAY)

    head_page = login(client, w.head).get(reverse("meetings:tasks"))
    assert [lv.pk for lv in head_page.context["leaves"].object_list] == [leave.pk]
    assert not head_page.context["signing"].object_list
    ddir_page = login(client, w.office_deputy).get(reverse("meetings:tasks"))
    assert [mn.pk for mn, _steps in ddir_page.context["signing"].object_list] == [minutes.pk]
    assert not ddir_page.context["leaves"].object_list
    # an invitation without a reply, until it is answered
    fin = login(client, w.unit_heads["财政局"]).get(reverse("meetings:tasks"))
    assert [i.meeting_id for i in fin.context["invitations"].object_list] == [m.pk]
    meeting_services.reply_invitation(
        actor=w.unit_heads["财政局"], invitation=invitation(m, w.unit_heads["财政局"]), attend=True
    )
    fin = login(client, w.unit_heads["财政局"]).get(reverse("meetings:tasks"))
    assert not fin.context["invitations"].object_list


def test_tasks_agenda_for_the_chair_and_the_acting_chair(world, client):
    w = world
    m, _ = agenda_meeting(w, timezone.localdate() + dt.timedelta(days=8), approve=False)
    r = login(client, w.head).get(reverse("meetings:tasks"))
    assert [x.pk for x in r.context["agendas"].object_list] == [m.pk]
    assert not login(client, w.exec_deputy).get(reverse("meetings:tasks")).context["agendas"].object_list
    # ORG-3: while the head is away, the entrusted executive deputy approves the agenda in the head's stead
    ActingArrangementFactory(
        absent_post=w.head_post,
        acting_post=w.exec_post,
        kind=ActingArrangement.Kind.ENTRUSTED,
        start=timezone.localdate(),
    )
    r = login(client, w.exec_deputy).get(reverse("meetings:tasks"))
    assert [x.pk for x in r.context["agendas"].object_list] == [m.pk]


def _bulk(w, n: int):
    """n meetings, each with a leave request for the head and an invitation without reply for 财政局's head."""
    from meetings.models import Meeting, MeetingKind, SeatRole

    day = timezone.localdate() + dt.timedelta(days=3)
    start = Meeting.objects.count()
    meetings = Meeting.objects.bulk_create(
        [
            Meeting(kind=MeetingKind.SPECIAL, year=day.year, seq=1000 + start + i, title=f"专题会{i}", date=day,
                    chair_post=w.head_post, created_by=w.staff)
            for i in range(n)
        ]
    )  # fmt: skip
    invs = Invitation.objects.bulk_create(
        [Invitation(meeting=m, person=w.edu_deputy, role=SeatRole.MEMBER, post=w.edu_deputy_post) for m in meetings]
        + [Invitation(meeting=m, person=w.unit_heads["财政局"], role=SeatRole.MEMBER) for m in meetings]
    )
    LeaveRequest.objects.bulk_create(
        [
            LeaveRequest(invitation=i, reason="出差", route=Route.CHAIR, approver_post=w.head_post)
            for i in invs
            if i.person_id == w.edu_deputy.pk
        ]
    )


@pytest.mark.parametrize("user_attr", ["head", "fin_head"])
def test_tasks_query_count_is_constant(world, client, user_attr):
    w = world
    user = w.head if user_attr == "head" else w.unit_heads["财政局"]
    counts = []
    for n in (3, 30):
        _bulk(w, n)
        c = login(client, user)
        with CaptureQueriesContext(connection) as ctx:
            r = c.get(reverse("meetings:tasks"))
        assert r.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    assert r.context["total"] > 20  # the second size is on the page (paged)


def test_attendance_page_query_count_is_constant(world, client):
    w = world
    m, _ = today_meeting(w, days_ahead=2)
    url = reverse("meetings:attendance", args=[m.pk])
    counts = []
    for extra in (4, 30):
        people = [
            User.objects.create(username=f"extra{extra}-{i}", full_name=f"列席{i}", unit=w.units["教育局"])
            for i in range(extra)
        ]
        for p in people:
            Invitation.objects.create(meeting=m, person=p, role="invited")
        for p in people[: extra // 2]:
            meeting_services.request_leave(actor=p, invitation=invitation(m, p), reason="出差")
        c = login(client, w.director)
        with CaptureQueriesContext(connection) as ctx:
            r = c.get(url)
        assert r.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_minutes_task_for_the_drafter_until_sent(world, client):
    w = world
    past, topic = agenda_meeting(w, MEETING_DAY)
    meeting_services.mark_held(actor=w.staff, meeting=past, today=MEETING_DAY)
    r = login(client, w.staff).get(reverse("meetings:tasks"))
    assert [x.pk for x in r.context["drafting"].object_list] == [past.pk]
    minutes = minutes_services.start_minutes(actor=w.staff, meeting=past, today=MEETING_DAY)
    record(w, past, topic=topic)
    minutes_services.send_minutes_for_signing(actor=w.staff, minutes=minutes, today=MEETING_DAY)
    assert Minutes.objects.get().state == Minutes.State.SIGNING
    assert not login(client, w.staff).get(reverse("meetings:tasks")).context["drafting"].object_list


def test_attendance_refused_leave_through_the_page_leaves_the_invitation_to_answer(world, client):
    w = world
    m, _ = today_meeting(w, days_ahead=2)
    leave = meeting_services.request_leave(actor=w.adviser, invitation=invitation(m, w.adviser), reason="出差")
    c = login(client, w.director)
    r = c.post(
        reverse("meetings:leave_action", args=[leave.pk, "reject"]),
        {f"reject-{leave.pk}-opinion": "请按时参会", f"reject-{leave.pk}-confirm": "on"},
    )
    assert r.status_code == 302 and LeaveRequest.objects.get().state == LeaveRequest.State.REJECTED
    page = login(client, w.adviser).get(reverse("meetings:attendance", args=[m.pk])).content.decode()
    assert 'data-testid="do-attend"' in page and "不准假" in page
    assert 'data-testid="do-leave"' not in page  # one request per invitation


def test_mtg_9_leave_withdrawn_before_it_is_decided_the_reply_is_attend_and_the_approver_is_told(world, client):
    """Found from outside: an attendee who asked leave and then could come had no way back (参加 was refused while
    the request waited, and the leave form said 不能撤回). Before the approver decides, the requester takes it back
    on the attendance page (asked to confirm): the reply is 参加, the approver's task closes, the approver is told,
    the record says who did it; nobody else may, a decided request stands, and a new request reuses the row."""
    w = world
    m, _ = today_meeting(w, days_ahead=2)
    inv = invitation(m, w.adviser)
    url = reverse("meetings:attendance", args=[m.pk])
    withdraw = reverse("meetings:invitation_action", args=[inv.pk, "withdraw-leave"])
    leave = meeting_services.request_leave(actor=w.adviser, invitation=inv, reason="出差")
    today = timezone.localdate()
    assert queued_actions(leave, w.director, today)
    page = login(client, w.adviser).get(url).content.decode()
    assert f'action="{withdraw}" data-confirm="确认撤回请假？' in page
    # Nobody else takes it back: not the approver, not the office.
    for other in (w.director, w.staff):
        login(client, other).post(withdraw)
        assert LeaveRequest.objects.get(pk=leave.pk).state == LeaveRequest.State.REQUESTED
    response = login(client, w.adviser).post(withdraw, follow=True)
    assert "已撤回请假，回复改为参加" in response.content.decode()
    leave.refresh_from_db()
    assert leave.state == LeaveRequest.State.WITHDRAWN
    assert invitation(m, w.adviser).reply == Invitation.Reply.ATTEND
    assert not queued_actions(leave, w.director, today)
    assert Message.objects.filter(recipient=w.director, subject__startswith="会议请假已撤回").exists()
    event = Event.objects.for_object(leave).get(action="withdrawn")
    assert event.actor == w.adviser and (event.from_state, event.to_state) == ("requested", "withdrawn")
    page = client.get(url).content.decode()
    assert 'data-testid="do-withdraw-leave"' not in page and 'data-testid="do-leave"' in page
    # Posted again (a second tab): nothing more happens.
    client.post(withdraw)
    assert Event.objects.for_object(leave).filter(action="withdrawn").count() == 1
    # Asked again: the same row waits for the approver again, its history kept.
    again = meeting_services.request_leave(actor=w.adviser, invitation=inv, reason="临时有公务")
    assert again.pk == leave.pk and again.state == LeaveRequest.State.REQUESTED and again.reason == "临时有公务"
    assert queued_actions(again, w.director, today)
    assert [e.action for e in Event.objects.for_object(leave).order_by("id")] == ["requested", "withdrawn", "requested"]
    # Once decided, it stands.
    meeting_services.decide_leave(actor=w.director, leave=again, approve=True)
    with pytest.raises(AlreadyHandled, match="已准假"):
        meeting_services.withdraw_leave(actor=w.adviser, invitation=inv)


def test_mtg_7_the_chair_names_a_special_meetings_attendees_on_its_page(world, client):
    """第五十六条: 专题会议…参加人员由会议主持人确定. Found from outside: the service existed but no page called it, so
    a special meeting could not get attendees (no invitations, no leave, no sign-in, no 会签 in the minutes). The
    chair (or the office for the chair) names them on the attendance page; the person is invited and told; anyone
    else is refused; the page no longer offers the standing seats' refresh or an agenda deadline for the head."""
    w = world
    m = special_meeting(w, timezone.localdate() + dt.timedelta(days=7), units=())
    url = reverse("meetings:attendance", args=[m.pk])
    page = login(client, w.edu_deputy).get(url).content.decode()
    assert 'data-testid="name-attendee"' in page and 'data-testid="do-refresh"' not in page
    assert (
        'data-testid="agenda-deadline"'
        not in login(client, w.edu_deputy).get(reverse("meetings:meeting", args=[m.pk])).content.decode()
    )
    chosen = w.unit_heads["财政局"]
    assert client.post(url, {"action": "add", "person": chosen.pk}).status_code == 302
    inv = Invitation.objects.get(meeting=m, person=chosen)
    assert inv.post == w.unit_head_posts["财政局"]
    assert Message.objects.filter(recipient=chosen, subject=f"会议通知：{m.title}").exists()
    again = client.post(url, {"action": "add", "person": chosen.pk})  # a second tab: no second invitation
    assert again.status_code == 400 and Invitation.objects.filter(meeting=m, person=chosen).count() == 1
    outsider = login(client, w.judicial_deputy).post(url, {"action": "add", "person": w.unit_heads["发改局"].pk})
    assert outsider.status_code in (403, 404)
    assert not Invitation.objects.filter(meeting=m, person=w.unit_heads["发改局"]).exists()


# --- 三员分立: the system, security and audit administrators take no part in meetings ------------------------------


def administrators(w) -> list[User]:
    """罗斌, 谢涛, 韩雪: filed under the office, as the demo district files them."""
    return [
        UserFactory(username=username, unit=w.office, full_name=name, roles=[role])
        for username, name, role in (
            ("xitong_admin", "罗斌", Role.SYSTEM_ADMIN),
            ("anquan_admin", "谢涛", Role.SECURITY_ADMIN),
            ("shenji_admin", "韩雪", Role.AUDIT_ADMIN),
        )
    ]


def test_separation_of_duties_no_meeting_picker_offers_an_administrator(world, client):
    """Found clicking through: 专题会议 → 考勤与请假 offered 罗斌 (系统管理员), 谢涛 and 韩雪 as 参会人员, because the
    org chart files them under the office. No person list of the meetings offers them: the attendees, a main head's
    substitute (the office director's leave), the readers of a confidential decision; a posted id is refused."""
    w = world
    admins = administrators(w)
    special = special_meeting(w, timezone.localdate() + dt.timedelta(days=7), units=())
    url = reverse("meetings:attendance", args=[special.pk])
    offered = set(login(client, w.staff).get(url).context["attendee_form"].fields["person"].queryset)
    assert w.office_deputy in offered and not offered & set(admins)
    r = client.post(url, {"action": "add", "person": admins[0].pk})
    assert r.status_code == 400 and not Invitation.objects.filter(person__in=admins).exists()

    m, _ = today_meeting(w, days_ahead=2)
    page = login(client, w.director).get(reverse("meetings:attendance", args=[m.pk]))
    substitutes = set(page.context["leave_form"].fields["substitute"].queryset)
    assert w.office_deputy in substitutes and not substitutes & set(admins)
    readers = set(ReaderForm().fields["user"].queryset)
    assert w.edu_deputy in readers and not readers & set(admins)


def test_separation_of_duties_the_services_refuse_an_administrator_posted_anyway(world):
    """The pickers leave them out; the services refuse their ids all the same, in words the office understands."""
    w = world
    admin = administrators(w)[0]
    special = special_meeting(w, MEETING_DAY, units=())
    with pytest.raises(ActionNotAllowed, match="罗斌是管理员账号，不参加会议"):
        meeting_services.add_special_attendee(actor=w.staff, meeting=special, person=admin)
    m, _ = agenda_meeting(w, MEETING_DAY + dt.timedelta(days=7))
    with pytest.raises(ActionNotAllowed, match="三员分立"):
        ask(w, m, w.director, substitute=admin)
    _signed, _public, secret = signed_meeting(w, MeetingKind.EXECUTIVE, day=MEETING_DAY + dt.timedelta(days=14))
    with pytest.raises(ActionNotAllowed, match="三员分立"):
        minutes_services.grant_decision_reader(actor=w.staff, decision=secret, user=admin)
    assert not Invitation.objects.filter(person=admin).exists() and not LeaveRequest.objects.exists()
    assert not Event.objects.filter(opinion="罗斌").exists()


def test_separation_of_duties_an_administrator_invited_before_neither_answers_nor_waits_in_a_queue(world, client):
    """What the tester saw: 罗斌, once added, had "会议 1 · 待回复参会" in 我的待办 and POST …/do/attend/ answered
    已回复参加 ("回复参加 罗斌 本职"). An invitation written before the fix waits on nobody: no task, no reply, no
    leave, no sign-in, and the meeting stays out of the administrator's sight."""
    w = world
    admin = administrators(w)[0]
    day = timezone.localdate()
    m = special_meeting(w, day, units=())
    inv = Invitation.objects.create(meeting=m, person=admin, role=SeatRole.MEMBER)  # as the hole let it be written
    meeting_services.add_special_attendee(actor=w.staff, meeting=m, person=w.unit_heads["财政局"])  # tasks re-synced
    assert queued_actions(m, admin, day) == [] and allowed_steps(m, admin, day) == []
    assert "reply_invitation" in queued_actions(m, w.unit_heads["财政局"], day)
    assert not login(client, admin).get(reverse("meetings:tasks")).context["invitations"].object_list
    for action in ("attend", "leave", "sign-in"):
        r = client.post(reverse("meetings:invitation_action", args=[inv.pk, action]), {"leave-reason": "出差"})
        assert r.status_code == 404
    with pytest.raises(ActionNotAllowed, match="管理员账号"):
        meeting_services.reply_invitation(actor=admin, invitation=inv, attend=True)
    with pytest.raises(ActionNotAllowed, match="管理员账号"):
        meeting_services.request_leave(actor=admin, invitation=inv, reason="出差")
    with pytest.raises(ActionNotAllowed, match="管理员账号"):
        meeting_services.sign_in(actor=w.staff, invitation=inv, today=day)
    inv.refresh_from_db()
    assert inv.reply == Invitation.Reply.PENDING and inv.signed_in_at is None
    assert not Event.objects.filter(action__in=("replied", "signed_in")).exists()


# --- MTG-9: why someone is on leave is read by the office, the person, the chair and the approver only -----------

PRIVATE_REASON = "家中老人住院手术需陪护"


def test_mtg_9_leave_reason_is_read_by_the_office_the_person_the_chair_and_the_approver_only(world, client):
    """Every viewer of the meeting sees who is on leave, its route and approver; the reason (请假事由) is read by the
    office (which records leave), the person on leave, the chair and the approver — on the attendance page, the
    minutes page's attendance record and the API alike."""
    w = world
    m, _ = agenda_meeting(w, MEETING_DAY)
    head = w.unit_heads["审计局"]
    leave = meeting_services.request_leave(
        actor=head,
        invitation=invitation(m, head),
        reason=PRIVATE_REASON,
        substitute=w.unit_deputies["审计局"],
        today=BEFORE,
    )
    meeting_services.decide_leave(actor=w.head, leave=leave, approve=True, opinion="同意", today=BEFORE)
    held(w, m)
    pages = (reverse("meetings:attendance", args=[m.pk]), reverse("meetings:minutes", args=[m.pk]))
    api = APIClient()
    for user, reads in ((w.staff, True), (w.director, True), (head, True), (w.head, True), (w.edu_deputy, False)):
        c = login(client, user)
        for url in pages:
            page = c.get(url)
            assert page.status_code == 200
            text = page.content.decode()
            assert head.display_name in text  # the leave itself is no secret
            assert (PRIVATE_REASON in text) is reads, (user.username, url)
        api.force_authenticate(user)
        answer = api.get(f"/api/v1/meeting-leaves/{leave.pk}/")
        assert answer.status_code == 200
        assert (answer.json()["reason"] == PRIVATE_REASON) is reads, user.username
        listed = api.get("/api/v1/meeting-leaves/").json()["results"]
        assert (PRIVATE_REASON in str(listed)) is reads, user.username
    assert meeting_permissions.can_read_leave_reason(w.unit_deputies["审计局"], leave) is False
