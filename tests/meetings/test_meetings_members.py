"""Who sits in which meeting (MTG-1..4): the four kinds, the members by post, the standing non-voting attendees
invited by whoever holds (or acts for) the post on the meeting day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from meetings_support import DAY

from meetings.meeting import selectors as meeting_selectors
from meetings.meeting import services as meeting_services
from meetings.models import Invitation, Meeting, MeetingKind, SeatRole
from meetings.schedule import services as schedule_services
from tests.factories import ActingArrangementFactory
from tiexi_gov.org.models import ActingArrangement, Post

pytestmark = [pytest.mark.django_db]


def _invited(meeting) -> dict[str, str]:
    """username → role of everyone invited to `meeting`."""
    return dict(Invitation.objects.filter(meeting=meeting).values_list("person__username", "role"))


def _generated(w, year=2026):
    schedule_services.generate_year(actor=w.staff, year=year)
    return Meeting.objects.filter(year=year, is_regular=True)


def test_mtg_1_four_kinds_exist(world, client):
    w = world
    assert {k for k, _ in MeetingKind.choices} == {"plenary", "party_group", "executive", "special"}
    _generated(w)
    schedule_services.schedule_ad_hoc(
        actor=w.staff,
        kind=MeetingKind.SPECIAL,
        date=dt.date(2026, 9, 15),
        reason="协调学区划分",
        title="学区划分专题会议",
        chair_post=w.edu_deputy_post,
        lead_unit=w.units["教育局"],
        today=DAY,
    )
    assert set(Meeting.objects.values_list("kind", flat=True)) == {k for k, _ in MeetingKind.choices}
    # The office's form offers each of the four kinds.
    client.force_login(w.staff)
    page = client.get(reverse("meetings:meeting_new")).content.decode()
    for value, label in MeetingKind.choices:
        assert f'value="{value}"' in page and label in page


def test_mtg_2_plenary_members_are_head_deputies_and_department_heads(world):
    w = world
    meetings = _generated(w)
    plenaries = list(meetings.filter(kind=MeetingKind.PLENARY).order_by("date"))
    assert len(plenaries) == 2  # normally every half year
    assert plenaries[0].date.month <= 6 < plenaries[1].date.month
    plenary = plenaries[0]
    assert plenary.chair_post == w.head_post
    meeting_services.refresh_invitations(plenary)
    invited = _invited(plenary)
    departments = {f"{code}_head" for code in ("fgj", "czj", "xfj", "sjj", "sfj", "jyj")}
    assert set(invited) == {"head", "exec", "judicial", "edu"} | departments
    assert invited["head"] == SeatRole.CHAIR
    assert invited["exec"] == SeatRole.MEMBER  # the head chairs: the executive deputy is a member (第五十三条)
    assert all(invited[u] == SeatRole.MEMBER for u in departments | {"judicial", "edu"})
    # Not members: the office, the discipline commission (not a government department), unit deputies.
    assert not {"director", "ddir", "jwjw_head", "czj_dep", "czj_clerk"} & set(invited)


def test_mtg_3_party_group_chaired_by_secretary_office_deputy_may_attend(world):
    w = world
    meetings = _generated(w)
    party = meetings.get(kind=MeetingKind.PARTY_GROUP, seq=9)
    assert party.chair_post == w.secretary_post
    meeting_services.refresh_invitations(party)
    invited = _invited(party)
    assert invited["head"] == SeatRole.CHAIR  # the head holds the secretary's post in this district
    assert invited["exec"] == SeatRole.MEMBER  # nobody entrusted him to preside
    assert invited["judicial"] == invited["edu"] == SeatRole.MEMBER
    assert invited["ddir"] == SeatRole.ATTENDEE  # 根据需要可安排区政府办公室副主任列席 — non-voting
    assert set(invited) == {"head", "exec", "judicial", "edu", "ddir"}


def test_mtg_4_standing_attendees_invited_by_post_on_the_meeting_day_including_acting(world):
    w = world
    meetings = _generated(w)
    september = meetings.get(kind=MeetingKind.EXECUTIVE, seq=9)  # Wednesday 9 September 2026
    october = meetings.get(kind=MeetingKind.EXECUTIVE, seq=10)  # Wednesday 14 October 2026
    finance_head_post = w.unit_head_posts["财政局"]
    finance_deputy_post = Post.objects.get(unit=w.units["财政局"], kind=Post.Kind.UNIT_DEPUTY)
    ActingArrangementFactory(
        absent_post=finance_head_post,
        acting_post=finance_deputy_post,
        kind=ActingArrangement.Kind.DESIGNATED,
        start=dt.date(2026, 9, 7),
        end=dt.date(2026, 9, 11),
        reason="出差",
    )
    meeting_services.refresh_invitations(september)
    meeting_services.refresh_invitations(october)
    sept, octo = _invited(september), _invited(october)

    voting = {"head": SeatRole.CHAIR, "exec": SeatRole.MEMBER, "judicial": "member", "edu": "member"}
    standing = {f"{code}_head" for code in ("fgj", "xfj", "sjj", "sfj")} | {"ddir", "adviser"}
    for invited in (sept, octo):
        assert {u: invited[u] for u in voting} == voting
        assert invited["director"] == SeatRole.MEMBER  # the office director is a member (MTG-4)
        assert all(invited[u] == SeatRole.ATTENDEE for u in standing)
        assert invited["jwjw_head"] == SeatRole.INVITED  # the discipline commission is invited
        assert "jyj_head" not in invited  # not a standing attendee; comes only with a topic

    # On the meeting day the finance bureau's head is away: the designated acting person sits in.
    assert sept["czj_dep"] == SeatRole.ATTENDEE and "czj_head" not in sept
    acting = Invitation.objects.get(meeting=september, person=w.unit_deputies["财政局"])
    assert acting.post == finance_head_post and "代" in acting.capacity
    # After the absence, the holder again.
    assert octo["czj_head"] == SeatRole.ATTENDEE and "czj_dep" not in octo


def _seat_on_page(client, w, meeting, person) -> str:
    """The 席位 column of `person`'s row in the meeting page's attendee table."""
    client.force_login(w.staff)
    page = client.get(reverse("meetings:meeting", args=[meeting.pk])).context["page"]
    return next(a.invitation.get_role_display() for a in page.attendees if a.invitation.person == person)


def test_mtg_4_executive_deputy_sits_as_member_when_the_head_chairs(world, client):
    w = world
    september = _generated(w).get(kind=MeetingKind.EXECUTIVE, seq=9)
    meeting_services.refresh_invitations(september)
    assert _seat_on_page(client, w, september, w.head) == "主持"
    assert _seat_on_page(client, w, september, w.exec_deputy) == "组成人员"  # 第五十五条: a member, not entrusted
    record = meeting_selectors.attendance(september)
    assert [r.person for r in record.chair] == [w.head]
    assert w.exec_deputy in [r.person for r in record.members]


def test_mtg_4_executive_deputy_presides_as_entrusted_only_while_the_head_entrusts_him(world, client):
    w = world
    september = _generated(w).get(kind=MeetingKind.EXECUTIVE, seq=9)  # Wednesday 9 September 2026
    meeting_services.refresh_invitations(september)  # notified while the head was to chair
    arrangement = ActingArrangementFactory(
        absent_post=w.head_post,
        acting_post=w.exec_post,
        kind=ActingArrangement.Kind.ENTRUSTED,
        start=dt.date(2026, 9, 7),
        end=dt.date(2026, 9, 11),
        reason="外出",
    )
    meeting_services.refresh_invitations(september)
    assert _seat_on_page(client, w, september, w.exec_deputy) == "受委托主持"
    assert [r.person for r in meeting_selectors.attendance(september).chair] == [w.exec_deputy]
    # The head stays after all: the entrustment is cancelled, the executive deputy is a member again.
    arrangement.cancelled = True
    arrangement.save()
    meeting_services.refresh_invitations(september)
    assert _seat_on_page(client, w, september, w.exec_deputy) == "组成人员"
    assert _seat_on_page(client, w, september, w.head) == "主持"


def test_mtg_4_office_refresh_that_only_moves_the_chair_is_recorded_and_reported(world, client, time_machine):
    """An entrustment made after the notice changes who presides, nobody is invited anew: the office's refresh
    still says so on the page and leaves a line in the meeting's record of who did what."""
    from tiexi_gov.audit.models import Event

    time_machine.move_to(dt.datetime(2026, 9, 1, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))))  # 会前: refreshable
    w = world
    september = _generated(w).get(kind=MeetingKind.EXECUTIVE, seq=9)
    meeting_services.refresh_invitations(september)
    ActingArrangementFactory(
        absent_post=w.head_post,
        acting_post=w.exec_post,
        kind=ActingArrangement.Kind.ENTRUSTED,
        start=dt.date(2026, 9, 7),
        end=dt.date(2026, 9, 11),
        reason="外出",
    )
    client.force_login(w.staff)
    page = client.post(reverse("meetings:attendance", args=[september.pk]), follow=True).content.decode()
    assert "参会人员已是最新" not in page
    assert "座次调整" in page and w.exec_deputy.display_name in page
    refreshed = Event.objects.filter(action="invitations_refreshed", subject_id=str(september.pk))
    event = refreshed.get(actor=w.staff)
    assert f"{w.exec_deputy.display_name}（受委托主持）" in event.opinion
    assert f"{w.head.display_name}（组成人员）" in event.opinion
    # Posted again with nothing changed: nothing more is recorded.
    page = client.post(reverse("meetings:attendance", args=[september.pk]), follow=True).content.decode()
    assert "参会人员已是最新" in page
    assert refreshed.filter(actor=w.staff).count() == 1
