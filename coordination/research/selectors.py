"""Reads of research (RES-1): the yearly view of each district leader's days, Monday-to-Wednesday share, topics
and reports, and who is short. A constant number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q

from tiexi_gov.org.models import Appointment, Post, User

from ..models import ResearchDay, ResearchTopic

RESEARCH_DAYS_REQUIRED = 30  # "1个月以上" as 30 days of research (see coordination.research.services)
MAX_TOPICS = 2  # "1至2个重点课题"
MIN_TOPICS = 1
MON_TO_WED = (1, 2, 3)  # ISO weekdays: Monday, Tuesday, Wednesday ("一般每周一至周三")
LEADER_ORDER = {Post.Kind.HEAD: 0, Post.Kind.EXEC_DEPUTY: 1, Post.Kind.DEPUTY: 2}

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
