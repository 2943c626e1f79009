"""Reads for the schedule side of meetings: the month calendar, the upcoming list, the .ics feed and the MTG-11
plan page. Each does its own joins and asks the permissions who may see what (X-2); a page costs a
constant number of queries whatever the number of meetings.
"""

from __future__ import annotations

import calendar as pycal
import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import timezone

from tiexi_gov.http import to_id
from tiexi_gov.org.access import business_unit_ids
from tiexi_gov.org.models import Unit

from ..meeting import permissions as meeting_permissions
from ..meeting.models import INTAKE_KINDS, MS, Meeting, MeetingKind
from ..meeting.services import last_filing_day
from . import permissions
from .models import DistrictMeeting, MeetingPlan, Postponement

KIND_BADGE = {
    MeetingKind.PLENARY: "text-bg-danger",
    MeetingKind.PARTY_GROUP: "text-bg-warning",
    MeetingKind.EXECUTIVE: "text-bg-primary",
    MeetingKind.SPECIAL: "text-bg-info",
}
KIND_SHORT = {
    MeetingKind.PLENARY: "全体会议",
    MeetingKind.PARTY_GROUP: "党组会议",
    MeetingKind.EXECUTIVE: "常务会议",
    MeetingKind.SPECIAL: "专题会议",
}
STATE_BADGE = {
    MS.SCHEDULED: "text-bg-light border",
    MS.AGENDA_SUBMITTED: "text-bg-warning",
    MS.AGENDA_APPROVED: "text-bg-success",
    MS.HELD: "text-bg-secondary",
    MS.CLOSED: "text-bg-dark",
    MS.CANCELLED: "text-bg-danger",
}
POSTPONABLE_STATES = (MS.SCHEDULED, MS.AGENDA_SUBMITTED, MS.AGENDA_APPROVED)
WEEKDAYS = ("一", "二", "三", "四", "五", "六", "日")
FEED_PAST_DAYS = 366  # the .ics feed keeps a year of past meetings; phones keep their own history
DAY_CHIPS = 4  # a day's cell shows this many meetings and "另有 N 场"; the list below shows the whole day (issue 14)


def schedule_queryset(user) -> QuerySet:
    """The meetings `user` may see, with what a calendar row shows (chair, lead unit, postponements)."""
    qs = Meeting.objects.select_related("chair_post", "lead_unit").prefetch_related(
        Prefetch("postponements", queryset=Postponement.objects.select_related("decided_by").order_by("at", "id"))
    )
    return meeting_permissions.visible_meetings(user, qs)


@dataclass(frozen=True)
class Row:
    """A meeting as the calendar shows it."""

    meeting: Meeting
    kind_badge: str
    kind_short: str
    state_badge: str
    postponements: list
    pending_consent: bool
    may_postpone: bool
    status: str  # the state as read today (a passed meeting is no longer 收集议题)

    @property
    def weekday(self) -> str:
        return f"周{WEEKDAYS[self.meeting.date.weekday()]}"

    @property
    def original_date(self) -> dt.date | None:
        return self.postponements[0].from_date if self.postponements else None

    @property
    def last_postponement(self):
        return self.postponements[-1] if self.postponements else None

    @property
    def cancelled(self) -> bool:
        return self.meeting.state == MS.CANCELLED

    @property
    def may_consent(self) -> bool:
        # can_consent_ad_hoc is can_postpone (the head; the secretary for the party group).
        return self.pending_consent and self.may_postpone

    @property
    def postponable(self) -> bool:
        return self.meeting.state in POSTPONABLE_STATES


def rows(user, meetings, today: dt.date | None = None) -> list[Row]:
    meetings = list(meetings)
    today = today or timezone.localdate()
    allowed = permissions.postponable_ids(user, meetings)
    return [
        Row(
            meeting=m,
            kind_badge=KIND_BADGE.get(m.kind, "text-bg-secondary"),
            kind_short=KIND_SHORT.get(m.kind, m.get_kind_display()),
            state_badge=STATE_BADGE.get(m.state, "text-bg-secondary"),
            postponements=list(m.postponements.all()),
            pending_consent=m.needs_consent and m.state != MS.CANCELLED,
            may_postpone=m.pk in allowed,
            status=m.status_on(today),
        )
        for m in meetings
    ]


@dataclass(frozen=True)
class OpenForTopics:
    """A meeting a unit may still file topics for (MTG-5), with the last day its request may reach the office."""

    meeting: Meeting
    last_filing_day: dt.date
    late: bool  # past the last day: the topic form offers the next meeting instead


def open_for_topics(user, today: dt.date, limit: int = 6) -> list[OpenForTopics]:
    """For a unit's people, who see a meeting's page only once their unit has a topic or a seat on it: the coming
    meetings they may file topics for, so they reach the topic form by clicking (MTG-5). Empty for the office,
    which sees every meeting anyway, and for people without a unit. Never a party-group meeting: its topics are
    the secretary's or a member's (MTG-3)."""
    if meeting_permissions.can_manage(user) or not meeting_permissions.member_unit_ids(user):
        return []
    meetings = (
        Meeting.objects.filter(state=MS.SCHEDULED, kind__in=INTAKE_KINDS, date__gte=today)
        .filter(Q(is_regular=True) | Q(ad_hoc_consent_by__isnull=False))  # an ad hoc one waits for its consent
        .order_by("date", "start_time", "id")[:limit]
    )
    rows = []
    for meeting in meetings:
        last_day = last_filing_day(meeting)
        rows.append(OpenForTopics(meeting, last_day, today > last_day))
    return rows


def upcoming(user, today: dt.date) -> QuerySet:
    """Meetings from today on, soonest first (cancelled ones stay listed, marked)."""
    return schedule_queryset(user).filter(date__gte=today).order_by("date", "start_time", "id")


def on_day(user, day: dt.date) -> QuerySet:
    """One day's meetings, for the list a full day cell links to ("另有 N 场")."""
    return schedule_queryset(user).filter(date=day).order_by("start_time", "id")


def parse_day(value: str | None) -> dt.date | None:
    """'YYYY-MM-DD' within 2000–2099 → a date; anything else → None (the list then shows the coming meetings)."""
    try:
        day = dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2099 else None


# --- the month grid --------------------------------------------------------------------------------------------


@dataclass
class Day:
    date: dt.date
    in_month: bool
    is_today: bool
    rows: list[Row] = field(default_factory=list)
    total: int = 0  # meetings that day the user may see; rows holds at most DAY_CHIPS of them

    @property
    def weekday(self) -> str:
        return f"周{WEEKDAYS[self.date.weekday()]}"

    @property
    def more(self) -> int:
        return max(self.total - len(self.rows), 0)

    @property
    def key(self) -> str:
        return self.date.isoformat()


@dataclass
class Month:
    year: int
    month: int
    weeks: list[list[Day]]
    prev: str
    next: str
    this: str
    today: dt.date

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def days_with_meetings(self) -> list[Day]:
        return [d for week in self.weeks for d in week if d.in_month and d.rows]

    @property
    def count(self) -> int:
        return sum(d.total for d in self.days_with_meetings)


def parse_month(value: str | None, today: dt.date) -> tuple[int, int]:
    """'YYYY-MM' → (year, month); anything else → today's month."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        dt.date(year, month, 1)
    except (TypeError, ValueError, OverflowError):  # OverflowError: a year of twenty digits
        return today.year, today.month
    if not 1900 <= year <= 2999:
        return today.year, today.month
    return year, month


def _shift(year: int, month: int, delta: int) -> str:
    index = year * 12 + (month - 1) + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_view(user, year: int, month: int, today: dt.date) -> Month:
    weeks = pycal.Calendar(firstweekday=0).monthdatescalendar(year, month)
    first, last = weeks[0][0], weeks[-1][-1]
    # At most DAY_CHIPS rows a day come back from the database, each with the day's total, so the grid costs the
    # same however many meetings a day holds (a window over the visible meetings of the six weeks).
    day_order = [F("start_time").asc(), F("id").asc()]
    ranked = (
        schedule_queryset(user)
        .filter(date__gte=first, date__lte=last)
        .annotate(
            day_rank=Window(RowNumber(), partition_by=[F("date")], order_by=day_order),
            day_total=Window(Count("id"), partition_by=[F("date")]),
        )
        .filter(day_rank__lte=DAY_CHIPS)
        .order_by("date", "start_time", "id")
    )
    by_day: dict[dt.date, list[Row]] = {}
    totals: dict[dt.date, int] = {}
    for row in rows(user, ranked, today):
        by_day.setdefault(row.meeting.date, []).append(row)
        totals[row.meeting.date] = row.meeting.day_total
    grid = [[Day(d, d.month == month, d == today, by_day.get(d, []), totals.get(d, 0)) for d in week] for week in weeks]
    return Month(
        year=year,
        month=month,
        weeks=grid,
        prev=_shift(year, month, -1),
        next=_shift(year, month, 1),
        this=f"{today.year:04d}-{today.month:02d}",
        today=today,
    )


# --- the .ics feed ---------------------------------------------------------------------------------------------


def feed_meetings(user, today: dt.date) -> list[Meeting]:
    """What a person's phone calendar shows: every meeting for the office (they keep them all), otherwise the
    meetings the person is invited to (Invitation rows) or chairs; a year back and everything ahead."""
    if not (user is not None and user.is_active):
        return []
    qs = Meeting.objects.select_related("chair_post", "lead_unit").prefetch_related(
        Prefetch("postponements", queryset=Postponement.objects.select_related("decided_by").order_by("at", "id"))
    )
    qs = qs.filter(date__gte=today - dt.timedelta(days=FEED_PAST_DAYS))
    if not meeting_permissions.can_manage(user):
        chaired = meeting_permissions.handled_post_ids(user, today)
        qs = qs.filter(Q(invitations__person=user) | Q(chair_post_id__in=chaired)).distinct()
    return list(qs.order_by("date", "start_time", "id"))


# --- MTG-11: the plan page ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DistrictRow:
    meeting: DistrictMeeting
    may_approve: bool
    may_reject: bool


@dataclass
class PlanPage:
    year: int
    plan: MeetingPlan | None
    rows: list[DistrictRow]
    unplanned: list[DistrictRow]
    may_manage: bool
    may_check: bool
    may_approve: bool

    @property
    def drafting(self) -> bool:
        return self.plan is not None and self.plan.state == MeetingPlan.State.DRAFTING

    @property
    def approved(self) -> bool:
        return self.plan is not None and self.plan.state == MeetingPlan.State.APPROVED


def may_see_plan(user) -> bool:
    if meeting_permissions.can_manage(user) or meeting_permissions.sees_all(user):
        return True
    return bool(business_unit_ids(user))


def district_meetings(user, year: int | None = None) -> QuerySet:
    """District-wide meetings `user` may see: all for the office and the head, else those of the units the person
    sees (their own; a deputy's portfolio)."""
    qs = DistrictMeeting.objects.select_related("unit", "plan", "created_by")
    if year is not None:
        qs = qs.filter(year=year)
    if meeting_permissions.can_manage(user) or meeting_permissions.sees_all(user):
        return qs
    return qs.filter(unit_id__in=business_unit_ids(user) or ())


def decision_flags(user, meeting: DistrictMeeting) -> DistrictRow:
    """Whether `user` may approve or refuse the step an unplanned district-wide meeting waits on (the page and the
    API ask the same)."""
    S = DistrictMeeting.State
    if meeting.state == S.AWAITING_DEPUTY:
        approve = permissions.can_approve_as_deputy(user, meeting)
    elif meeting.state == S.AWAITING_HEAD:
        approve = permissions.can_approve_as_head(user, meeting)
    else:
        return DistrictRow(meeting, False, False)
    return DistrictRow(meeting, approve, approve)  # the one who may approve a step may also refuse it


def plan_page_or_404(user, year: int) -> PlanPage:
    """The plan page of `year` for whoever may see plans; 404 for anyone else and for a year no plan can have."""
    if not 2000 <= year <= 2100 or not may_see_plan(user):
        raise Http404
    return plan_page(user, year)


def plan_page(user, year: int) -> PlanPage:
    plan = MeetingPlan.objects.select_related("checked_by", "approved_by").filter(year=year).first()
    found = [decision_flags(user, m) for m in district_meetings(user, year).order_by("month", "id")]
    S = MeetingPlan.State
    return PlanPage(
        year=year,
        plan=plan,
        rows=[r for r in found if r.meeting.planned],
        unplanned=[r for r in found if not r.meeting.planned],
        may_manage=meeting_permissions.can_manage(user),
        may_check=plan is not None and plan.state == S.DRAFTING and permissions.can_check_plan(user, plan),
        may_approve=plan is not None and plan.state == S.CHECKED and permissions.can_approve_plan(user, plan),
    )


def units_for_district_meeting(user) -> QuerySet:
    """Units a person may enter a district-wide meeting for: any for the office, else their own."""
    qs = Unit.objects.filter(active=True).exclude(kind__in=(Unit.Kind.GOVERNMENT, Unit.Kind.EXTERNAL))
    if meeting_permissions.can_manage(user):
        return qs
    return qs.filter(pk__in=meeting_permissions.member_unit_ids(user))


def get_district_meeting_or_404(user, pk) -> DistrictMeeting:

    pk = to_id(pk)
    found = district_meetings(user).filter(pk=pk).first() if pk else None
    if found is None:
        raise Http404("没有找到该会议。")
    return found
