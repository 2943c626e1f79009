"""District leaders' grassroots research (第七十九条, RES-1): the days, the key topics and their reports, the
yearly view of who is short, and the last-quarter reminders.

"每年到基层调研时间1个月以上" is counted as **30 research days** a year: the article measures *time spent at the
grassroots* ("调研时间"), and a month of time is 30 days — the way the central rules it follows state the same
requirement ("每年到基层调研时间不少于30天"). A research day is a dated day a leader spent at the grassroots,
whatever the weekday: counting working days instead would both lengthen the month to ~22 WD *of a 30-day
calendar month* (a different quantity) and drop a Saturday spent in a village. The article's habit "一般每周一至
周三" is not a limit: the view shows each leader's share of days that fell on Monday to Wednesday.

"每年每人要确定1至2个重点课题…撰写调研报告": at least one and at most two topics a year (a third is refused), and
each topic needs its report. A leader is *short* when they have fewer than 30 days, no topic, or a topic without
a filed report. From 1 October each short leader is reminded once a week (idempotent: notify(key=…)).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from tiexi_gov.audit.services import record_event
from tiexi_gov.notify.services import notify
from tiexi_gov.org.models import Appointment, Post, User
from tiexi_gov.workflow.errors import ActionRefused, NotAllowed
from tiexi_gov.workflow.kernel import step, today_or

from ..models import ResearchDay, ResearchTopic
from . import permissions
from .flow import research_url
from .selectors import MAX_TOPICS, _leader_appointments, is_leader_on, year_view

REMIND_FROM = (10, 1)  # the last quarter: reminders from 1 October
ARTICLE_79 = (
    "（第七十九条：区政府领导每年到基层调研时间1个月以上，每人确定1至2个重点课题，开展专题调研，撰写调研报告。）"
)


# --- the actions --------------------------------------------------------------------------------------------


def _check_actor(actor, person: User) -> None:
    if not permissions.can_record_research(actor, person):
        raise NotAllowed("只能登记本人的调研情况；区政府办公室可以代为登记。")


@transaction.atomic
def record_day(
    *,
    actor,
    person: User,
    day: dt.date,
    place: str,
    subject: str,
    topic: ResearchTopic | None = None,
    today: dt.date | None = None,
) -> ResearchDay:
    """A day `person` spent on grassroots research (by the leader, or the office on their behalf)."""
    now = today_or(today)
    _check_actor(actor, person)
    if day is None:
        raise ActionRefused("请填写调研日期。", rule_id="RES-1")
    if day > now:
        raise ActionRefused("调研日期不能晚于今天；请在调研后登记。", rule_id="RES-1")
    if not is_leader_on(person, day):
        raise ActionRefused(f"{person.display_name}在{day:%Y-%m-%d}不是区政府领导。", rule_id="RES-1")
    place, subject = (place or "").strip(), (subject or "").strip()
    if not place or not subject:
        raise ActionRefused("请填写调研地点和调研内容。", rule_id="RES-1")
    if topic is not None and (topic.person_id != person.pk or topic.year != day.year):
        raise ActionRefused("所选课题不是该领导当年的重点调研课题。", rule_id="RES-1")
    try:
        with transaction.atomic():
            row = ResearchDay.objects.create(
                person=person, day=day, place=place[:120], subject=subject[:200], topic=topic, recorded_by=actor
            )
    except IntegrityError as exc:
        raise ActionRefused(
            f"{person.display_name}在{day:%Y-%m-%d}已登记调研，请勿重复登记。", rule_id="RES-1"
        ) from exc
    who = "" if actor.pk == person.pk else f"（{actor.display_name}代为登记）"
    record_event(
        actor=actor,
        subject=row,
        action="record_research_day",
        action_label="登记基层调研",
        opinion=f"{day:%Y-%m-%d} {row.place}：{row.subject}{who}",
        rule_id="RES-1",
    )
    return row


@transaction.atomic
def add_topic(*, actor, person: User, year: int, title: str, today: dt.date | None = None) -> ResearchTopic:
    """One of the leader's 1-2 key topics of the year; a third is refused (RES-1)."""
    now = today_or(today)
    _check_actor(actor, person)
    title = (title or "").strip()
    if not title:
        raise ActionRefused("请填写课题名称。", rule_id="RES-1")
    if year < now.year - 1 or year > now.year + 1:
        raise ActionRefused("只能确定上一年、本年或下一年的重点调研课题。", rule_id="RES-1")
    if not _leader_appointments(year).filter(person=person).exists():
        raise ActionRefused(f"{person.display_name}在{year}年不是区政府领导。", rule_id="RES-1")
    User.objects.select_for_update().filter(pk=person.pk).first()  # one topic count per leader at a time
    same = ResearchTopic.objects.filter(person=person, year=year, title=title[:200]).first()
    if same is not None:  # the form posted twice (a double click, Back and 确定): one topic, not two of the 1-2
        raise ActionRefused(
            f"{person.display_name}{year}年已确定重点调研课题“{same.title}”，请勿重复登记。", rule_id="RES-1"
        )
    count = ResearchTopic.objects.filter(person=person, year=year).count()
    if count >= MAX_TOPICS:
        raise ActionRefused(
            f"{person.display_name}{year}年已确定{count}个重点调研课题；每年每人确定1至2个（第七十九条）。",
            rule_id="RES-1",
        )
    topic = ResearchTopic.objects.create(person=person, year=year, title=title[:200])
    with step(topic, actor=actor, today=now) as s:  # the topic now waits on its report (RES-1)
        s.record("add_research_topic", "确定重点调研课题", opinion=f"{year}年：{topic.title}", rule_id="RES-1")
    return s.obj


def file_report(*, actor, topic: ResearchTopic | int, report: str, today: dt.date | None = None) -> ResearchTopic:
    """The research report that closes a topic (RES-1). Filed once; the record keeps it. The leader files it, or the
    office on their behalf."""
    with step(topic, actor=actor, today=today, model=ResearchTopic) as s:
        topic = s.obj
        _check_actor(actor, topic.person)
        report = (report or "").strip()
        if not report:
            raise ActionRefused("请填写调研报告。", rule_id="RES-1")
        if topic.report_filed_on:
            raise ActionRefused(
                f"课题“{topic.title}”的调研报告已于{topic.report_filed_on:%Y-%m-%d}提交。", rule_id="RES-1"
            )
        before = s.fire("file_report" if topic.person_id == actor.pk else "file_report_for")
        topic.report = report
        topic.report_filed_on = s.day
        s.record(
            "file_research_report", "提交调研报告", before, opinion=f"{topic.title}（{len(report)}字）", rule_id="RES-1"
        )
    return s.obj


def remind_short(today: dt.date | None = None) -> int:
    """RES-1 in the last quarter: from 1 October, each leader short of the month, a topic or a report is reminded
    once per week (weeks counted from 1 October). Safe to run daily: the notify key makes it once per week.
    Returns the number of reminders sent now."""
    day = today_or(today)
    start = dt.date(day.year, *REMIND_FROM)
    if day < start:
        return 0
    week = (day - start).days // 7 + 1
    current = set(
        Appointment.objects.on(day).filter(post__kind__in=Post.LEADER_KINDS).values_list("person_id", flat=True)
    )
    sent = 0
    url = research_url(day.year)
    with transaction.atomic():
        for row in year_view(day.year):
            if row.person.pk not in current or not row.person.is_active or not row.is_short:
                continue
            what = f"尚差{row.days_missing}天" if row.short_of_month else "重点课题或调研报告未完成"
            fresh = notify(
                recipients=[row.person],
                subject=f"{day.year}年基层调研提醒：{what}",
                body="；".join(row.shortfalls()) + "。" + ARTICLE_79,
                url=url,
                level="reminder",
                key=f"res-1:{day.year}:week-{week}",
            )
            sent += len(fresh)
    return sent
