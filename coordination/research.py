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
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from tiexi_gov.audit.services import record_event
from tiexi_gov.notify.services import notify
from tiexi_gov.org.models import Appointment, Post, User

from . import permissions
from .errors import ActionNotAllowed, CoordinationError
from .models import ResearchDay, ResearchTopic

RESEARCH_DAYS_REQUIRED = 30  # "1个月以上" as 30 days of research (see the module docstring)
MAX_TOPICS = 2  # "1至2个重点课题"
MIN_TOPICS = 1
MON_TO_WED = (1, 2, 3)  # ISO weekdays: Monday, Tuesday, Wednesday ("一般每周一至周三")
REMIND_FROM = (10, 1)  # the last quarter: reminders from 1 October
ARTICLE_79 = (
    "（第七十九条：区政府领导每年到基层调研时间1个月以上，每人确定1至2个重点课题，开展专题调研，撰写调研报告。）"
)
LEADER_ORDER = {Post.Kind.HEAD: 0, Post.Kind.EXEC_DEPUTY: 1, Post.Kind.DEPUTY: 2}


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def research_url(year: int) -> str:
    try:
        return reverse("coordination:research", args=[year])
    except NoReverseMatch:
        return ""


def _event(actor, subject, action: str, label: str, opinion: str = "") -> None:
    record_event(actor=actor, subject=subject, action=action, action_label=label, opinion=opinion, rule_id="RES-1")


# --- reads: the yearly view ---------------------------------------------------------------------------------


@dataclass
class LeaderYear:
    """One district leader's research in a year."""

    person: User
    posts: list[Post]
    served_from: dt.date | None = None  # set when the leader's posts began during the year
    served_until: dt.date | None = None  # set when they ended during the year
    days: int = 0
    mon_to_wed: int = 0
    topics: list[ResearchTopic] = field(default_factory=list)
    day_rows: list[ResearchDay] = field(default_factory=list)

    @property
    def post_titles(self) -> str:
        return "、".join(p.title for p in self.posts)

    @property
    def mon_to_wed_share(self) -> int | None:
        """Percent of the days that fell on Monday to Wednesday (None when there are no days)."""
        return round(100 * self.mon_to_wed / self.days) if self.days else None

    @property
    def days_missing(self) -> int:
        return max(0, RESEARCH_DAYS_REQUIRED - self.days)

    @property
    def short_of_month(self) -> bool:
        return self.days < RESEARCH_DAYS_REQUIRED

    @property
    def topics_missing(self) -> bool:
        return len(self.topics) < MIN_TOPICS

    @property
    def reports_missing(self) -> list[ResearchTopic]:
        return [t for t in self.topics if not t.report_filed_on]

    @property
    def short_of_report(self) -> bool:
        return self.topics_missing or bool(self.reports_missing)

    @property
    def is_short(self) -> bool:
        return self.short_of_month or self.short_of_report

    @property
    def may_add_topic(self) -> bool:
        return len(self.topics) < MAX_TOPICS

    def shortfalls(self) -> list[str]:
        """What is missing, in the words of the article."""
        out = []
        if self.short_of_month:
            out.append(
                f"基层调研{self.days}天，尚差{self.days_missing}天（每年不少于1个月，按{RESEARCH_DAYS_REQUIRED}天计）"
            )
        if self.topics_missing:
            out.append("尚未确定重点调研课题（每年1至2个）")
        for topic in self.reports_missing:
            out.append(f"课题“{topic.title}”尚未提交调研报告")
        return out


def _leader_appointments(year: int):
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return (
        Appointment.objects.filter(post__kind__in=Post.LEADER_KINDS, start__lte=last)
        .filter(Q(end__isnull=True) | Q(end__gte=first))
        .select_related("person", "post")
    )


def is_leader_on(person: User, day: dt.date) -> bool:
    return Appointment.objects.on(day).filter(person=person, post__kind__in=Post.LEADER_KINDS).exists()


def year_view(year: int, *, person: User | None = None, with_days: bool = False) -> list[LeaderYear]:
    """Every district leader of `year` (holders of 区长/常务副区长/副区长 at any time of the year), or just `person`,
    with their days, Monday-to-Wednesday share, topics and reports. A constant number of queries."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    appts = _leader_appointments(year)
    if person is not None:
        appts = appts.filter(person=person)
    rows: dict[int, LeaderYear] = {}
    rank: dict[int, tuple] = {}
    spans: dict[int, tuple[dt.date, dt.date]] = {}
    for appt in appts:
        row = rows.setdefault(appt.person_id, LeaderYear(person=appt.person, posts=[]))
        if appt.post not in row.posts:
            row.posts.append(appt.post)
        began, ended = max(appt.start, first), min(appt.end or last, last)
        known = spans.get(appt.person_id)
        spans[appt.person_id] = (min(known[0], began), max(known[1], ended)) if known else (began, ended)
        key = (LEADER_ORDER.get(appt.post.kind, 9), appt.post.order, appt.post.pk)
        rank[appt.person_id] = min(rank.get(appt.person_id, key), key)
    for pk, (began, ended) in spans.items():
        rows[pk].served_from = began if began > first else None
        rows[pk].served_until = ended if ended < last else None
    ids = list(rows)
    if ids:
        counts = (
            ResearchDay.objects.filter(person_id__in=ids, day__year=year)
            .values("person_id")
            .annotate(total=Count("id"), mw=Count("id", filter=Q(day__iso_week_day__in=MON_TO_WED)))
        )
        for c in counts:
            rows[c["person_id"]].days = c["total"]
            rows[c["person_id"]].mon_to_wed = c["mw"]
        for topic in ResearchTopic.objects.filter(person_id__in=ids, year=year).order_by("id"):
            topic.person = rows[topic.person_id].person  # already loaded: no query per topic
            rows[topic.person_id].topics.append(topic)
        if with_days:
            for d in (
                ResearchDay.objects.filter(person_id__in=ids, day__year=year)
                .select_related("topic")
                .order_by("-day", "-id")
            ):
                rows[d.person_id].day_rows.append(d)
    return sorted(rows.values(), key=lambda r: rank[r.person.pk])


def topics_for(person: User | None, year: int):
    qs = ResearchTopic.objects.filter(year=year).select_related("person").order_by("person_id", "id")
    return qs.filter(person=person) if person is not None else qs


# --- the actions --------------------------------------------------------------------------------------------


def _check_actor(actor, person: User) -> None:
    if not permissions.can_record_research(actor, person):
        raise ActionNotAllowed("只能登记本人的调研情况；区政府办公室可以代为登记。")


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
    now = _today(today)
    _check_actor(actor, person)
    if day is None:
        raise CoordinationError("请填写调研日期。", "RES-1")
    if day > now:
        raise CoordinationError("调研日期不能晚于今天；请在调研后登记。", "RES-1")
    if not is_leader_on(person, day):
        raise CoordinationError(f"{person.display_name}在{day:%Y-%m-%d}不是区政府领导。", "RES-1")
    place, subject = (place or "").strip(), (subject or "").strip()
    if not place or not subject:
        raise CoordinationError("请填写调研地点和调研内容。", "RES-1")
    if topic is not None and (topic.person_id != person.pk or topic.year != day.year):
        raise CoordinationError("所选课题不是该领导当年的重点调研课题。", "RES-1")
    try:
        with transaction.atomic():
            row = ResearchDay.objects.create(
                person=person, day=day, place=place[:120], subject=subject[:200], topic=topic, recorded_by=actor
            )
    except IntegrityError as exc:
        raise CoordinationError(f"{person.display_name}在{day:%Y-%m-%d}已登记调研，请勿重复登记。", "RES-1") from exc
    who = "" if actor.pk == person.pk else f"（{actor.display_name}代为登记）"
    _event(actor, row, "record_research_day", "登记基层调研", f"{day:%Y-%m-%d} {row.place}：{row.subject}{who}")
    return row


@transaction.atomic
def add_topic(*, actor, person: User, year: int, title: str, today: dt.date | None = None) -> ResearchTopic:
    """One of the leader's 1-2 key topics of the year; a third is refused (RES-1)."""
    now = _today(today)
    _check_actor(actor, person)
    title = (title or "").strip()
    if not title:
        raise CoordinationError("请填写课题名称。", "RES-1")
    if year < now.year - 1 or year > now.year + 1:
        raise CoordinationError("只能确定上一年、本年或下一年的重点调研课题。", "RES-1")
    if not _leader_appointments(year).filter(person=person).exists():
        raise CoordinationError(f"{person.display_name}在{year}年不是区政府领导。", "RES-1")
    User.objects.select_for_update().filter(pk=person.pk).first()  # one topic count per leader at a time
    count = ResearchTopic.objects.filter(person=person, year=year).count()
    if count >= MAX_TOPICS:
        raise CoordinationError(
            f"{person.display_name}{year}年已确定{count}个重点调研课题；每年每人确定1至2个（第七十九条）。", "RES-1"
        )
    topic = ResearchTopic.objects.create(person=person, year=year, title=title[:200])
    _event(actor, topic, "add_research_topic", "确定重点调研课题", f"{year}年：{topic.title}")
    return topic


@transaction.atomic
def file_report(*, actor, topic: ResearchTopic, report: str, today: dt.date | None = None) -> ResearchTopic:
    """The research report that closes a topic (RES-1). Filed once; the record keeps it."""
    now = _today(today)
    topic = ResearchTopic.objects.select_for_update().select_related("person").get(pk=topic.pk)
    _check_actor(actor, topic.person)
    report = (report or "").strip()
    if not report:
        raise CoordinationError("请填写调研报告。", "RES-1")
    if topic.report_filed_on:
        raise CoordinationError(f"课题“{topic.title}”的调研报告已于{topic.report_filed_on:%Y-%m-%d}提交。", "RES-1")
    topic.report = report
    topic.report_filed_on = now
    topic.save(update_fields=["report", "report_filed_on"])
    _event(actor, topic, "file_research_report", "提交调研报告", f"{topic.title}（{len(report)}字）")
    return topic


def remind_short(today: dt.date | None = None) -> int:
    """RES-1 in the last quarter: from 1 October, each leader short of the month, a topic or a report is reminded
    once per week (weeks counted from 1 October). Safe to run daily: the notify key makes it once per week.
    Returns the number of reminders sent now."""
    day = _today(today)
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
                level="warning",
                key=f"res-1:{day.year}:week-{week}",
            )
            sent += len(fresh)
    return sent
