"""Grassroots research (第七十九条, RES-1): the days, the Monday-to-Wednesday habit, 1-2 topics with their reports,
the yearly view of who is short, and the weekly reminders of the last quarter."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coordination.models import ResearchDay, ResearchTopic
from coordination.research import selectors as research_selectors
from coordination.research import services as research
from coordination.shared.errors import ActionNotAllowed, CoordinationError
from tiexi_gov.audit.models import Event
from tiexi_gov.notify.models import Message

YEAR = 2026
MONDAY = dt.date(YEAR, 1, 5)


def days(person, n: int, *, first: dt.date = MONDAY, mon_to_wed_only: bool = True, recorded_by=None):
    """`n` research days: Monday to Wednesday of successive weeks, or every day from `first`."""
    out, day = [], first
    while len(out) < n:
        if not mon_to_wed_only or day.isoweekday() <= 3:
            out.append(
                ResearchDay(person=person, day=day, place="平西乡", subject="调研", recorded_by=recorded_by or person)
            )
        day += dt.timedelta(days=1)
    ResearchDay.objects.bulk_create(out)


def topic(person, title: str, *, report: bool, year: int = YEAR):
    return ResearchTopic.objects.create(
        person=person,
        year=year,
        title=title,
        report="报告正文" if report else "",
        report_filed_on=dt.date(year, 6, 1) if report else None,
        state=ResearchTopic.State.REPORTED if report else ResearchTopic.State.OPEN,
    )


def short_world(w):
    """head: complete; exec: one day short; judicial: a topic without report; edu: no topic."""
    days(w.head, 30)
    topic(w.head, "营商环境", report=True)
    days(w.exec_deputy, 29)
    topic(w.exec_deputy, "财政收支", report=True)
    days(w.judicial_deputy, 31, mon_to_wed_only=False)
    topic(w.judicial_deputy, "信访积案", report=True)
    topic(w.judicial_deputy, "社区矫正", report=False)
    days(w.edu_deputy, 30)


def test_res_1_yearly_view_shows_who_is_short_of_a_month_or_a_report(world, client):
    w = world
    short_world(w)
    rows = {r.person.pk: r for r in research_selectors.year_view(YEAR)}
    assert set(rows) == {w.head.pk, w.exec_deputy.pk, w.judicial_deputy.pk, w.edu_deputy.pk}
    head, ex, jud, edu = (rows[u.pk] for u in (w.head, w.exec_deputy, w.judicial_deputy, w.edu_deputy))
    assert not head.is_short
    assert ex.short_of_month and ex.days_missing == 1 and not ex.short_of_report
    assert jud.short_of_report and not jud.short_of_month and [t.title for t in jud.reports_missing] == ["社区矫正"]
    assert edu.topics_missing and edu.is_short
    # the Monday-to-Wednesday habit: share of the days on Mon-Wed
    assert head.mon_to_wed_share == 100
    assert jud.days == 31 and jud.mon_to_wed == 15 and jud.mon_to_wed_share == 48  # 4 weeks + Mon-Wed

    client.force_login(w.staff)
    page = client.get(reverse("coordination:research", args=[YEAR]))
    html = page.content.decode()
    assert page.status_code == 200 and html.count('data-testid="research-row"') == 4
    assert html.count('data-short="1"') == 3
    assert "尚差1天" in html and "课题“社区矫正”尚未提交调研报告" in html and "尚未确定重点调研课题" in html

    client.force_login(w.edu_deputy)  # a leader sees their own row only
    html = client.get(reverse("coordination:research", args=[YEAR])).content.decode()
    assert html.count('data-testid="research-row"') == 1 and "张副区长" in html and "王区长" not in html


def test_res_1_research_page_is_404_for_clerks_unit_heads_and_outsiders(world, client):
    w = world
    for user in (w.clerks["教育局"], w.unit_heads["教育局"], w.outsider):
        client.force_login(user)
        assert client.get(reverse("coordination:research", args=[YEAR])).status_code == 404
        url = reverse("coordination:research_action", args=["day"])
        assert client.post(url, {"year": YEAR, "day-day": "2026-03-02"}).status_code == 404


def test_res_1_days_are_recorded_by_the_leader_or_the_office_on_their_behalf(world):
    w = world
    today = dt.date(YEAR, 3, 10)
    own = research.record_day(
        actor=w.edu_deputy, person=w.edu_deputy, day=dt.date(YEAR, 3, 9), place="某小学", subject="校舍", today=today
    )
    assert own.recorded_by == w.edu_deputy
    for_them = research.record_day(
        actor=w.staff, person=w.edu_deputy, day=dt.date(YEAR, 3, 10), place="某中学", subject="午餐", today=today
    )
    assert for_them.recorded_by == w.staff
    with pytest.raises(ActionNotAllowed):  # another leader may not record for them
        research.record_day(
            actor=w.judicial_deputy, person=w.edu_deputy, day=dt.date(YEAR, 3, 3), place="x", subject="y", today=today
        )
    with pytest.raises(CoordinationError):  # the same day twice
        research.record_day(
            actor=w.edu_deputy, person=w.edu_deputy, day=dt.date(YEAR, 3, 9), place="x", subject="y", today=today
        )
    with pytest.raises(CoordinationError):  # a day still to come
        research.record_day(
            actor=w.edu_deputy, person=w.edu_deputy, day=dt.date(YEAR, 3, 11), place="x", subject="y", today=today
        )
    with pytest.raises(CoordinationError):  # only district leaders' research counts here
        research.record_day(
            actor=w.staff, person=w.unit_heads["教育局"], day=dt.date(YEAR, 3, 9), place="x", subject="y", today=today
        )
    assert ResearchDay.objects.count() == 2


def test_res_1_one_or_two_topics_a_year_a_third_is_refused_and_each_ends_with_a_report(world):
    w = world
    today = dt.date(YEAR, 2, 1)
    first = research.add_topic(actor=w.edu_deputy, person=w.edu_deputy, year=YEAR, title="课后服务", today=today)
    research.add_topic(actor=w.staff, person=w.edu_deputy, year=YEAR, title="校园安全", today=today)
    with pytest.raises(CoordinationError) as exc:
        research.add_topic(actor=w.edu_deputy, person=w.edu_deputy, year=YEAR, title="第三个", today=today)
    assert exc.value.rule_id == "RES-1"
    research.add_topic(actor=w.edu_deputy, person=w.edu_deputy, year=YEAR + 1, title="下一年的", today=today)
    assert research_selectors.year_view(YEAR, person=w.edu_deputy)[0].reports_missing == list(
        ResearchTopic.objects.filter(person=w.edu_deputy, year=YEAR).order_by("id")
    )
    filed = research.file_report(actor=w.edu_deputy, topic=first, report="调研报告全文", today=dt.date(YEAR, 5, 6))
    assert filed.report_filed_on == dt.date(YEAR, 5, 6)
    with pytest.raises(CoordinationError):
        research.file_report(actor=w.edu_deputy, topic=first, report="再交一次", today=dt.date(YEAR, 5, 7))
    with pytest.raises(ActionNotAllowed):
        other = ResearchTopic.objects.get(title="校园安全")
        research.file_report(actor=w.judicial_deputy, topic=other, report="x", today=dt.date(YEAR, 5, 7))


def test_res_1_a_topic_form_posted_twice_is_one_topic_not_the_two_of_the_year(world, client):
    """The topic form posted again (a double click, Back and 确定) made the same topic twice: the leader's 1-2 key
    topics of the year were "two", the second needing a report of its own. The same title again is refused."""
    w = world
    year = timezone.localdate().year
    client.force_login(w.staff)
    url = reverse("coordination:research_action", args=["topic"])
    data = {"year": year, "topic-person": w.edu_deputy.pk, "topic-title": "课后服务"}
    assert client.post(url, data).status_code == 302
    events = Event.objects.count()
    again = client.post(url, data)
    assert again.status_code == 400 and "请勿重复登记" in again.content.decode()
    assert ResearchTopic.objects.filter(person=w.edu_deputy, year=year).count() == 1
    assert Event.objects.count() == events
    # another title is the leader's second topic
    assert client.post(url, {**data, "topic-title": "校园安全"}).status_code == 302


def test_res_1_a_research_day_posted_twice_from_the_page_is_answered_with_the_year_not_a_refusal(world, client):
    """登记 posted again (a double click, Back and 登记) answered the second post with the page's forms, the first
    post's 已登记…的基层调研 above them and the refusal of the same day — as if it had both gone and failed. The page's
    one-time token now answers the same post again with the year's page, the day recorded once."""
    w = world
    today = timezone.localdate()
    client.force_login(w.staff)
    page = client.get(reverse("coordination:research", args=[today.year])).content.decode()
    token = re.search(r'name="once_token" value="([0-9a-f]{32})"', page)
    data = {"year": today.year, "day-person": w.edu_deputy.pk, "day-day": today.isoformat(), "day-place": "某村",
            "day-subject": "走访", "once_token": token.group(1) if token else ""}  # fmt: skip
    url = reverse("coordination:research_action", args=["day"])
    assert client.post(url, data).status_code == 302
    again = client.post(url, data, follow=True)
    assert again.redirect_chain == [(reverse("coordination:research", args=[today.year]), 302)]
    assert "该表单已提交过" in again.content.decode()
    assert ResearchDay.objects.count() == 1


def test_res_1_reminders_only_in_the_last_quarter_and_once_per_week(world):
    w = world
    short_world(w)
    assert research.remind_short(dt.date(YEAR, 9, 30)) == 0
    assert not Message.objects.exists()
    assert research.remind_short(dt.date(YEAR, 10, 1)) == 3
    reminded = set(Message.objects.values_list("recipient_id", flat=True))
    assert reminded == {w.exec_deputy.pk, w.judicial_deputy.pk, w.edu_deputy.pk}
    assert "尚差1天" in Message.objects.get(recipient=w.exec_deputy).subject
    for day in (1, 2, 5, 7):  # the same week (counted from 1 October): nothing more
        assert research.remind_short(dt.date(YEAR, 10, day)) == 0
    assert research.remind_short(dt.date(YEAR, 10, 8)) == 3
    # the exec deputy catches up: no longer reminded
    ResearchDay.objects.create(
        person=w.exec_deputy, day=dt.date(YEAR, 10, 12), place="x", subject="y", recorded_by=w.exec_deputy
    )
    assert research.remind_short(dt.date(YEAR, 10, 15)) == 2
    assert Message.objects.filter(recipient=w.exec_deputy).count() == 2
    assert Message.objects.filter(recipient=w.head).count() == 0


def test_res_1_research_page_uses_constant_queries(world, client, django_assert_max_num_queries):
    w = world
    client.force_login(w.director)
    days(w.head, 2, first=dt.date(YEAR, 6, 1))
    topic(w.head, "a", report=False)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("coordination:research", args=[YEAR])).status_code == 200
    short_world(w)
    for person in (w.exec_deputy, w.edu_deputy):
        topic(person, "b", report=False)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse("coordination:research", args=[YEAR])).status_code == 200


def test_res_1_research_actions_from_the_page(world, client):
    w = world
    today = timezone.localdate()
    year = today.year
    client.force_login(w.edu_deputy)
    url = reverse("coordination:research_action", args=["topic"])
    for title in ("一", "二"):
        done = client.post(url, {"year": year, "topic-person": w.edu_deputy.pk, "topic-title": f"课题{title}"})
        assert done.status_code == 302 and done["Location"] == reverse("coordination:research", args=[year])
    third = client.post(url, {"year": year, "topic-person": w.edu_deputy.pk, "topic-title": "课题三"})
    assert third.status_code == 400  # the form is no longer offered for a leader with two topics
    assert ResearchTopic.objects.filter(person=w.edu_deputy).count() == 2
    # a leader records their own day; they cannot post someone else's
    day_url = reverse("coordination:research_action", args=["day"])
    data = {"year": year, "day-person": w.edu_deputy.pk, "day-day": today.isoformat(), "day-place": "某村",
            "day-subject": "走访"}  # fmt: skip
    assert client.post(day_url, data).status_code == 302
    data.update({"day-person": w.judicial_deputy.pk})
    refused = client.post(day_url, data)
    assert refused.status_code == 400 and "某村" in refused.content.decode()
    assert ResearchDay.objects.count() == 1
    # the office records a topic for a leader with one still free: the third for edu is refused with the reason
    client.force_login(w.staff)
    office = client.post(url, {"year": year, "topic-person": w.judicial_deputy.pk, "topic-title": "政法课题"})
    assert office.status_code == 302
    topic = ResearchTopic.objects.get(person=w.judicial_deputy)
    report_url = reverse("coordination:research_action", args=["report"])
    filed = client.post(report_url, {"year": year, "report-topic": topic.pk, "report-report": "报告全文"})
    assert filed.status_code == 302
    topic.refresh_from_db()
    assert topic.report_filed_on == today
