"""One meeting's page: its facts and deadlines (MTG-5), the chair by post and today's handler (ORG-3), the agenda
with papers and their marks, the attendees (read only), the record — 404 for outsiders, actions only for who may
do them, and a constant number of SQL queries however many topics, papers and attendees it shows."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from meetings_support import meeting_request

from meetings.meeting import services as meeting_services
from meetings.models import (
    Invitation,
    Meeting,
    MeetingKind,
    Minutes,
    Paper,
    SeatRole,
    Topic,
    TopicState,
)
from meetings.schedule import services as schedule_services
from tests.factories import ActingArrangementFactory, UserFactory
from tiexi_gov.org.models import ActingArrangement
from tiexi_gov.workdays import calendar as wd

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def today():
    return timezone.localdate()


def _meeting(w, today, days=10):
    meeting_services.ensure_standing_seats()
    meeting = schedule_services.schedule_ad_hoc(
        actor=w.staff, kind=MeetingKind.EXECUTIVE, date=wd.add_workdays(today, days), reason="研究重点工作"
    )
    return schedule_services.consent_ad_hoc(actor=w.head, meeting=meeting)


def _topic(w, meeting, today, short="财政局", title="预算调整", **extra):
    sub = meeting_request(w, short, day=today, title=f"关于提请研究{title}的请示")
    return meeting_services.propose_topic(
        actor=w.clerks[short], meeting=meeting, unit=w.units[short], title=title, submission=sub, **extra
    )


def test_meeting_page_shows_facts_deadlines_agenda_attendees_and_record(world, client, today):
    w = world
    meeting = _meeting(w, today)
    first = _topic(w, meeting, today, title="预算调整")
    meeting_services.record_proposer(actor=w.exec_deputy, topic=first, note="已协调")
    meeting_services.record_checklist(actor=w.staff, topic=first, significance=True, substance=True, procedure=True)
    meeting_services.decide_topic(actor=w.head, topic=first, accept=True)
    paper = meeting_services.add_paper(
        actor=w.clerks["财政局"], topic=first, title="预算调整汇报材料", file="meetings/a.pdf"
    )
    meeting_services.check_paper(actor=w.unit_heads["财政局"], paper=paper)
    disputed = _topic(w, meeting, today, "教育局", "校舍改造", related_units=[w.units["财政局"]], units_disagree=True)
    new_date = meeting.date + dt.timedelta(days=7)
    schedule_services.postpone(actor=w.head, meeting=meeting, to_date=new_date, reason="区长参加市政府会议")
    meeting_services.refresh_invitations(meeting)
    ActingArrangementFactory(
        absent_post=w.head_post,
        acting_post=w.exec_post,
        kind=ActingArrangement.Kind.ENTRUSTED,
        start=today,
        end=today + dt.timedelta(days=3),
    )

    client.force_login(w.staff)
    response = client.get(reverse("meetings:meeting", args=[meeting.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    page = response.context["page"]
    meeting.refresh_from_db()
    assert meeting.title in html and "区政府常务会议" in html and meeting.location in html
    assert f"{new_date.year}年{new_date.month}月{new_date.day}日" in html
    assert "区长参加市政府会议" in html  # the postponement and its reason
    assert page.chair.person == w.exec_deputy and "受区长委托主持工作" in html  # today's handler of the chair post
    last = wd.subtract_workdays(new_date, 3)
    assert page.last_filing_day == last and f"{last.year}年{last.month}月{last.day}日" in html
    before = new_date - dt.timedelta(days=1)
    assert page.agenda_deadline == before and f"{before.year}年{before.month}月{before.day}日" in html
    assert [r.topic for r in page.agenda] == [first] and [r.topic for r in page.pending] == [disputed]
    assert "分管副区长协调审核后提出" in html and "财政局" in html
    assert page.agenda[0].checklist_marks == [("法定/全局", True), ("实质内容", True), ("程序完整", True)]
    assert page.pending[0].agreement == "pending" and "意见不一致，待专题会协调" in html
    assert "主要负责人已把关" in html and "待分管区领导审核" in html
    assert reverse("meetings:paper", args=[paper.pk]) in html  # the office opens papers
    names = {a.invitation.person for a in page.attendees}
    assert {w.unit_heads["发改局"], w.director, w.unit_heads["财政局"]} <= names
    assert page.attendees[0].invitation.role == SeatRole.CHAIR  # the chair first, then members, attendees…
    assert reverse("meetings:attendance", args=[meeting.pk]) in html
    assert reverse("meetings:minutes", args=[meeting.pk]) in html
    assert "invitation_action" not in html and "/invitations/" not in html  # attendees are read only here
    assert html.count('data-testid="timeline-item"') >= 3  # scheduled, consented, postponed
    assert "会议顺延" in html


def test_meeting_page_is_404_for_outsiders_and_papers_are_links_only_for_those_allowed(world, client, today):
    w = world
    meeting = _meeting(w, today)
    topic = _topic(w, meeting, today)
    paper = meeting_services.add_paper(actor=w.clerks["财政局"], topic=topic, title="汇报材料", file="meetings/a.pdf")
    url = reverse("meetings:meeting", args=[meeting.pk])
    for outsider in (w.outsider, w.clerks["教育局"], w.unit_heads["教育局"]):
        client.force_login(outsider)
        assert client.get(url).status_code == 404, outsider
    assert client.get(reverse("meetings:meeting", args=[999999])).status_code == 404
    client.force_login(w.clerks["财政局"])
    assert reverse("meetings:paper", args=[paper.pk]) in client.get(url).content.decode()
    client.force_login(w.exec_deputy)  # the leader in charge of 财政局 sees its topic and reviews its paper
    assert reverse("meetings:paper", args=[paper.pk]) in client.get(url).content.decode()
    Invitation.objects.create(meeting=meeting, person=w.unit_heads["发改局"], role=SeatRole.ATTENDEE)
    client.force_login(w.unit_heads["发改局"])
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "汇报材料" in html and reverse("meetings:paper", args=[paper.pk]) not in html  # not before approval
    assert response.context["page"].my_invitation.person == w.unit_heads["发改局"]


def test_meeting_page_actions_are_shown_only_to_who_may_do_them(world, client, today):
    w = world
    meeting = _meeting(w, today)
    _topic(w, meeting, today)
    url = reverse("meetings:meeting", args=[meeting.pk])
    client.force_login(w.clerks["财政局"])
    page = client.get(url).context["page"]
    assert page.may == {"propose"}
    client.force_login(w.staff)
    assert {"propose", "submit_agenda", "manage"} <= client.get(url).context["page"].may
    client.force_login(w.head)
    may = client.get(url).context["page"].may
    assert "approve_agenda" not in may and "chair" in may  # nothing to approve yet


def test_mtg_5_with_no_topic_decided_the_office_is_told_why_instead_of_a_button_that_is_refused(world, client, today):
    """Found clicking through: the office's 议程报区长审定 button stood on a meeting with no topic, and pressing it
    was refused. Until a topic is decided the panel says so; with one it offers the button (which then lists any
    topic whose papers are not ready)."""
    w = world
    meeting = _meeting(w, today)
    url = reverse("meetings:meeting", args=[meeting.pk])
    client.force_login(w.staff)
    page = client.get(url).content.decode()
    assert 'data-testid="do-submit"' not in page
    assert "尚无已确定的议题：议题经区长确定后，方可报送议程（第五十五条）。" in page
    topic = _topic(w, meeting, today)
    meeting_services.record_proposer(actor=w.head, topic=topic, today=today)
    meeting_services.record_checklist(actor=w.staff, topic=topic, significance=True, substance=True, procedure=True)
    meeting_services.decide_topic(actor=w.head, topic=topic, accept=True, today=today)
    page = client.get(url).content.decode()
    assert 'data-testid="do-submit"' in page and 'data-testid="submit-waits"' not in page


# --- speed: a constant number of queries --------------------------------------------------------------------


def _grow(w, meeting, topics: int, attendees: int, start: int, ready: bool = False) -> None:
    """More of everything the page shows: topics with papers (checked and reviewed), related units, disputes with
    coordinating special meetings and their minutes, and attendees (some with leave) — rows written directly, the
    point is volume."""
    from meetings.models import LeaveRequest

    units = list(w.units.values())
    cycle = itertools.cycle(units)
    for i in range(start, start + topics):
        unit = next(cycle)
        topic = Topic.objects.create(
            meeting=meeting,
            unit=unit,
            title=f"议题{i}",
            filed_on=meeting.date - dt.timedelta(days=10),
            created_by=w.staff,
            state=TopicState.ACCEPTED if i % 3 or ready else TopicState.PROPOSED,
            order=i,
            proposer_path=Topic.ProposerPath.DEPUTY,
            proposer_post=w.exec_post,
            check_significance=True,
            check_substance=bool(i % 2),
            check_procedure=True,
            units_disagree=i % 4 == 0,
            agreement_text="一致" if i % 8 == 0 else "",
            head_decided_by=w.head,
        )
        topic.related_units.set([u for u in units if u.pk != unit.pk][:2])
        for k in range(2):
            Paper.objects.create(
                topic=topic,
                title=f"材料{i}-{k}",
                file=f"meetings/{i}-{k}.pdf",
                uploaded_by=w.clerks["财政局"],
                checked_by=w.unit_heads["财政局"],
                checked_at=timezone.now(),
                reviewed_by=w.exec_deputy if k or ready else None,
                reviewed_at=timezone.now() if k or ready else None,
            )
        if topic.units_disagree:
            special = Meeting.objects.create(
                kind=MeetingKind.SPECIAL,
                year=meeting.year,
                seq=1000 + i,
                title=f"协调专题会{i}",
                date=meeting.date - dt.timedelta(days=3),
                chair_post=w.exec_post,
                coordinates_topic=topic,
            )
            Minutes.objects.create(meeting=special, drafted_by=w.staff, state=Minutes.State.SIGNED)
    for j in range(start * 100, start * 100 + attendees):
        person = UserFactory(username=f"attendee{j}", unit=units[j % len(units)], full_name=f"参会人{j}")
        inv = Invitation.objects.create(
            meeting=meeting,
            person=person,
            post=w.unit_head_posts["审计局"],
            role=SeatRole.INVITED if j % 2 else SeatRole.ATTENDEE,
            topic=meeting.topics.order_by("-id").first(),
            capacity=f"列席{j}",
        )
        if j % 5 == 0:
            LeaveRequest.objects.create(
                invitation=inv, reason="出差", route=LeaveRequest.Route.OFFICE_DIRECTOR, approver_post=w.director_post
            )


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_meeting_page_uses_a_constant_number_of_queries(world, client, today, django_assert_max_num_queries):
    """2 topics / 4 papers / a few attendees, then 40 topics / 80 papers / 60 more attendees: no more queries, for
    the office (sees every paper), an attendee (papers released by the approval) and the reporting unit."""
    w = world
    meeting = _meeting(w, today)
    _grow(w, meeting, topics=2, attendees=3, start=1, ready=True)
    meeting_services.submit_agenda(actor=w.staff, meeting=meeting)
    meeting_services.approve_agenda(actor=w.head, meeting=meeting)  # papers released to the attendees
    url = reverse("meetings:meeting", args=[meeting.pk])
    viewers = {"office": w.staff, "attendee": w.unit_heads["发改局"], "unit": w.clerks["财政局"]}
    small = {}
    for name, user in viewers.items():
        client.force_login(user)
        _count(client, url)  # warm the per-process caches (calendar index, content types)
        small[name] = _count(client, url)
    _grow(w, meeting, topics=38, attendees=60, start=3)
    papers = Paper.objects.filter(topic__meeting=meeting)
    expected_links = {
        "office": papers.count(),
        "attendee": papers.count(),
        "unit": papers.filter(topic__unit=w.units["财政局"]).count(),
    }
    assert expected_links["office"] == 80 and 0 < expected_links["unit"] < 80
    for name, user in viewers.items():
        client.force_login(user)
        with django_assert_max_num_queries(small[name]):
            response = client.get(url)
        page = response.context["page"]
        assert page.topic_count == 40 and len(page.attendees) == meeting.invitations.count() >= 60
        assert response.content.decode().count('data-testid="paper-link"') == expected_links[name], name
