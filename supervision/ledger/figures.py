"""The director's reports — pure reads: the dashboard (issue 4, point 8), the annual assessment (SUP-6) and the
rows of a situation bulletin (情况通报, SUP-4).

Every figure is built on `permissions.visible_items(user)`, so a district leader counts only the items they may
see, and every figure carries the URL of the ledger rows behind it (GET names of `selectors.LedgerFilters`).
Each report costs a fixed number of queries whatever the number of items: counts are grouped in SQL, and the
traffic light is the SQL expression of `selectors.with_light`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse

from supervision.outcomes.models import Outcome
from supervision.outcomes.permissions import visible_outcomes
from supervision.reports.models import HalfYearReport
from supervision.reports.permissions import visible_half_year_reports
from supervision.shared.access import WORKING_UNIT_KINDS
from tiexi_gov.ops.planner import planned_for_its_values
from tiexi_gov.org.access import business_unit_ids
from tiexi_gov.org.models import Unit
from tiexi_gov.workdays import calendar as wd

from . import permissions, selectors
from .models import CLOSED_STATES, WORKING_STATES, ItemState, Light, SupervisionItem

St = ItemState
LIGHT_ORDER = (Light.RED, Light.AMBER, Light.GREEN, Light.DONE, Light.NONE)
LIGHT_CSS = {
    Light.RED: "danger",
    Light.AMBER: "warning",
    Light.GREEN: "success",
    Light.DONE: "secondary",
    Light.NONE: "light",
}
STATE_CSS = {
    St.CLOSED_ON_TIME: "success",
    St.CLOSED_LATE: "danger",
    St.CLAIMED: "info",
    St.CANCELLED: "light",
    St.DRAFT: "light",
}
# Items that were issued to a lead unit and not withdrawn: what the assessment counts.
ISSUED_STATES = (*WORKING_STATES, *CLOSED_STATES)
# Units that owe half-year reports and are assessed (SUP-2, SUP-6): departments, bodies, township and streets.
ASSESSED_UNIT_KINDS = WORKING_UNIT_KINDS
LIST_LIMIT = 30  # rows listed on the dashboard under a figure; the figure's link shows them all
# What a listed item shows (views_dashboard.ItemRow), and its state (the state machine reads it on load).
LIST_COLUMNS = ("number", "task", "state", "due", "next_report_due", "lead_unit__name", "lead_unit__short_name")


def ledger_url(**params) -> str:
    """The ledger page filtered by `params` (LedgerFilters names; dates as YYYY-MM-DD, flags as 1)."""
    query = {}
    for name, value in params.items():
        if value is None or value == "" or value is False:
            continue
        if value is True:
            value = 1
        elif isinstance(value, dt.date):
            value = value.isoformat()
        query[name] = value
    url = reverse("supervision:ledger")
    return f"{url}?{urlencode(query)}" if query else url


def unit_ledger_url(unit_id: int, **params) -> str:
    """The items a unit *leads* (`lead_unit`); `unit` alone would add those it cooperates on."""
    return ledger_url(unit=unit_id, lead_unit=unit_id, **params)


@dataclass(frozen=True)
class Figure:
    """A number on a report and the ledger rows behind it."""

    label: str
    value: int
    url: str
    css: str = "secondary"
    key: str = ""


def _name(row: dict, prefix: str) -> str:
    return row.get(f"{prefix}__short_name") or row.get(f"{prefix}__name") or ""


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


# --- the dashboard -----------------------------------------------------------------------------------------


@dataclass
class UnitFigures:
    """One lead unit on the dashboard chart. Rate: closed on time ÷ (closed on time + closed late + overdue)."""

    unit_id: int
    name: str
    total: int
    on_time: int
    late: int
    overdue: int

    @property
    def due_count(self) -> int:
        return self.on_time + self.late + self.overdue

    @property
    def rate(self) -> int | None:
        return _percent(self.on_time, self.due_count)

    @property
    def total_url(self) -> str:
        return unit_ledger_url(self.unit_id)

    @property
    def on_time_url(self) -> str:
        return unit_ledger_url(self.unit_id, state=St.CLOSED_ON_TIME)

    @property
    def late_url(self) -> str:
        return unit_ledger_url(self.unit_id, state=St.CLOSED_LATE)

    @property
    def overdue_url(self) -> str:
        return unit_ledger_url(self.unit_id, light=Light.RED)


@dataclass
class Dashboard:
    day: dt.date
    total: Figure
    lights: list[Figure]
    states: list[Figure]
    units: list[UnitFigures]
    max_overdue: int
    week_start: dt.date
    week_end: dt.date
    week_workdays: list[dt.date]
    week_total: Figure
    week_states: list[Figure]
    week_items: list[SupervisionItem]
    missing_total: Figure
    missing_units: list[Figure]
    missing_items: list[SupervisionItem]
    half_year_missing: list[HalfYearReport]
    half_year_url: str
    overall_rate: int | None = None
    rate_parts: tuple[int, int] = (0, 0)


def week_window(day: dt.date) -> tuple[dt.date, dt.date, list[dt.date]]:
    """From `day` to the end of its week (Sunday), and the working days in it (make-up days included)."""
    end = day + dt.timedelta(days=6 - day.weekday())
    days = [day + dt.timedelta(days=i) for i in range((end - day).days + 1)]
    return day, end, [d for d in days if wd.is_workday(d)]


def dashboard(user, day: dt.date) -> Dashboard:
    """Everything the director's dashboard shows, for `user` on `day` (a fixed number of queries). Its counts
    compare the items with `day`: each is planned for that day, not prepared once for any day (ops.planner)."""
    with planned_for_its_values():
        return _dashboard(user, day)


def _dashboard(user, day: dt.date) -> Dashboard:
    base = permissions.visible_items(user, day=day)
    lit = selectors.with_light(base, day)

    # 1. by light and 2. by state
    by_light = dict(lit.order_by().values_list("light").annotate(n=Count("id")))
    by_state = dict(base.order_by().values_list("state").annotate(n=Count("id")))
    lights = [
        Figure(Light(value).label, by_light.get(value, 0), ledger_url(light=value), LIGHT_CSS[value], value)
        for value in LIGHT_ORDER
    ]
    states = [
        Figure(label, by_state.get(value, 0), ledger_url(state=value), STATE_CSS.get(value, "primary"), value)
        for value, label in St.choices
    ]
    total = Figure("全部事项", sum(by_state.values()), ledger_url(), "dark", "all")

    # 3. on-time rate and overdue count by lead unit
    rows = (
        lit.order_by()
        .values("lead_unit_id", "lead_unit__name", "lead_unit__short_name", "lead_unit__order")
        .annotate(
            total=Count("id"),
            on_time=Count("id", filter=Q(state=St.CLOSED_ON_TIME)),
            late=Count("id", filter=Q(state=St.CLOSED_LATE)),
            overdue=Count("id", filter=Q(light=Light.RED)),
        )
    )
    units = [
        UnitFigures(r["lead_unit_id"], _name(r, "lead_unit"), r["total"], r["on_time"], r["late"], r["overdue"])
        for r in sorted(rows, key=lambda r: (r["lead_unit__order"], r["lead_unit_id"]))
    ]
    # The worst first: most overdue, then the lowest rate.
    units.sort(key=lambda u: (-u.overdue, u.rate if u.rate is not None else 101))
    on_time = sum(u.on_time for u in units)
    due_count = sum(u.due_count for u in units)

    # 4. due this week
    start, end, workdays = week_window(day)
    week = base.filter(due__gte=start, due__lte=end)
    week_by_state = dict(week.order_by().values_list("state").annotate(n=Count("id")))
    week_states = [
        Figure(label, week_by_state[value], ledger_url(state=value, due_from=start, due_to=end), "primary", value)
        for value, label in St.choices
        if week_by_state.get(value)
    ]
    week_items = list(
        selectors.with_light(week.filter(state__in=WORKING_STATES), day)
        .select_related("lead_unit")
        .only(*LIST_COLUMNS)
        .order_by("due", "id")[:LIST_LIMIT]
    )

    # 5. missing reports: progress reports overdue (SUP-2, the item turns amber) and half-year reports
    missing = base.filter(selectors.report_missing_q(day))
    missing_rows = (
        missing.order_by()
        .values("lead_unit_id", "lead_unit__name", "lead_unit__short_name", "lead_unit__order")
        .annotate(n=Count("id"))
    )
    missing_units = [
        Figure(_name(r, "lead_unit"), r["n"], unit_ledger_url(r["lead_unit_id"], report_missing=True), "warning")
        for r in sorted(missing_rows, key=lambda r: (r["lead_unit__order"], r["lead_unit_id"]))
    ]
    missing_items = list(
        missing.select_related("lead_unit").only(*LIST_COLUMNS).order_by("next_report_due", "id")[:LIST_LIMIT]
    )
    half_year = list(
        visible_half_year_reports(user)
        .filter(state=HalfYearReport.State.PENDING, due__lt=day)
        .select_related("unit")
        .order_by("due", "unit__order", "unit_id")
    )
    for report in half_year:
        report.late_workdays = wd.workdays_between(report.due, day)
    for item in missing_items:
        item.report_late_workdays = wd.workdays_between(item.next_report_due, day)
    for item in week_items:
        item.light_label = Light(item.light).label

    return Dashboard(
        day=day,
        total=total,
        lights=lights,
        states=states,
        units=units,
        max_overdue=max((u.overdue for u in units), default=0),
        week_start=start,
        week_end=end,
        week_workdays=workdays,
        week_total=Figure("本周到期", sum(week_by_state.values()), ledger_url(due_from=start, due_to=end), "primary"),
        week_states=week_states,
        week_items=week_items,
        missing_total=Figure(
            "进展报告逾期", sum(f.value for f in missing_units), ledger_url(report_missing=True), "warning"
        ),
        missing_units=missing_units,
        missing_items=missing_items,
        half_year_missing=half_year,
        half_year_url=reverse("supervision:half_year"),
        overall_rate=_percent(on_time, due_count),
        rate_parts=(on_time, due_count),
    )


# --- the annual assessment (SUP-6) -------------------------------------------------------------------------

ASSESSMENT_DEFINITION = (
    "统计口径：以单位牵头、完成时限在该年度内的已交办督查事项为准（不含草稿、待审批和已撤销事项）；"
    "超期未办结指截至统计日仍未办结且已过完成时限的事项（已报办结但报办结晚于完成时限的也计入）；"
    "按期办结率＝按期办结÷（按期办结＋逾期办结＋超期未办结）；整改事项指其中由督查发现问题形成的整改事项；"
    "结果运用按区领导在该年度内批准的表扬、激励、批评、追责计入对象单位。"
)
OUTCOME_KINDS = tuple(Outcome.OutcomeKind)


@dataclass
class AssessmentRow:
    unit: Unit | None  # None for the totals row
    items: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    rectifications: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    year: int = 0

    @property
    def open_not_due(self) -> int:
        return self.items - self.on_time - self.late - self.overdue

    @property
    def rate(self) -> int | None:
        return _percent(self.on_time, self.on_time + self.late + self.overdue)

    @property
    def outcome_counts(self) -> list[int]:
        return [self.outcomes.get(k, 0) for k in OUTCOME_KINDS]

    @property
    def outcome_cells(self) -> list[tuple[str, int]]:
        """(kind's label, count): each cell says what it counts when the table stacks as cards on a phone."""
        return [(k.label, self.outcomes.get(k, 0)) for k in OUTCOME_KINDS]

    def _url(self, **params) -> str:
        start, end = dt.date(self.year, 1, 1), dt.date(self.year, 12, 31)
        if self.unit is None:
            return ledger_url(due_from=start, due_to=end, **params)
        return unit_ledger_url(self.unit.pk, due_from=start, due_to=end, **params)

    @property
    def on_time_url(self) -> str:
        return self._url(state=St.CLOSED_ON_TIME)

    @property
    def late_url(self) -> str:
        return self._url(state=St.CLOSED_LATE)

    @property
    def overdue_url(self) -> str:
        return self._url(light=Light.RED)

    def as_list(self) -> list:
        """The .xlsx columns (ASSESSMENT_COLUMNS), the same as the page's."""
        rate = self.rate
        return [
            self.unit.name if self.unit else "合计",
            self.items,
            self.on_time,
            self.late,
            self.overdue,
            self.open_not_due,
            f"{rate}%" if rate is not None else "—",
            self.rectifications,
            *self.outcome_counts,
        ]


ASSESSMENT_COLUMNS = (
    "单位",
    "牵头事项",
    "按期办结",
    "逾期办结",
    "超期未办结",
    "在办未到期",
    "按期办结率",
    "整改事项",
    *(k.label for k in OUTCOME_KINDS),
)


@dataclass
class Assessment:
    year: int
    day: dt.date
    rows: list[AssessmentRow]
    totals: AssessmentRow
    years: list[int]
    definition: str = ASSESSMENT_DEFINITION


def assessment(user, year: int, day: dt.date) -> Assessment:
    """SUP-6: per unit, for `year`, the figures that feed the annual performance assessment (4 queries)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    base = permissions.visible_items(user, day=day)
    lit = selectors.with_light(base.filter(due__gte=start, due__lte=end, state__in=ISSUED_STATES), day)
    item_rows = {
        r["lead_unit_id"]: r
        for r in lit.order_by()
        .values("lead_unit_id")
        .annotate(
            items=Count("id"),
            on_time=Count("id", filter=Q(state=St.CLOSED_ON_TIME)),
            late=Count("id", filter=Q(state=St.CLOSED_LATE)),
            overdue=Count("id", filter=Q(light=Light.RED)),
            rectifications=Count("id", filter=Q(rectification__isnull=False)),
        )
    }
    outcomes: dict[int, dict[str, int]] = defaultdict(dict)
    for unit_id, kind, n in (
        visible_outcomes(user)
        .filter(state=Outcome.State.APPROVED, decided_on__gte=start, decided_on__lte=end)
        .order_by()
        .values_list("unit_id", "kind")
        .annotate(n=Count("id"))
    ):
        outcomes[unit_id][kind] = n

    scope = business_unit_ids(user, day)
    assessed = Q(active=True, kind__in=ASSESSED_UNIT_KINDS)
    if scope is not None:
        assessed &= Q(pk__in=scope)
    units = Unit.objects.filter(assessed | Q(pk__in=set(item_rows) | set(outcomes))).order_by("order", "id")

    rows = []
    totals = AssessmentRow(unit=None, year=year)
    for unit in units:
        r = item_rows.get(unit.pk, {})
        row = AssessmentRow(
            unit=unit,
            items=r.get("items", 0),
            on_time=r.get("on_time", 0),
            late=r.get("late", 0),
            overdue=r.get("overdue", 0),
            rectifications=r.get("rectifications", 0),
            outcomes=dict(outcomes.get(unit.pk, {})),
            year=year,
        )
        rows.append(row)
        for name in ("items", "on_time", "late", "overdue", "rectifications"):
            setattr(totals, name, getattr(totals, name) + getattr(row, name))
        for kind, n in row.outcomes.items():
            totals.outcomes[kind] = totals.outcomes.get(kind, 0) + n

    years = {d.year for d in base.order_by().dates("due", "year")} | {day.year, year}
    return Assessment(year=year, day=day, rows=rows, totals=totals, years=sorted(years, reverse=True))


# --- the situation bulletin (SUP-4) ------------------------------------------------------------------------


@dataclass
class BulletinLine:
    item: SupervisionItem
    status: str
    late_workdays: int


@dataclass
class BulletinGroup:
    unit: Unit
    overdue: list[BulletinLine] = field(default_factory=list)
    late: list[BulletinLine] = field(default_factory=list)

    @property
    def lines(self) -> list[BulletinLine]:
        return self.overdue + self.late


@dataclass
class Bulletin:
    start: dt.date
    end: dt.date
    day: dt.date
    groups: list[BulletinGroup]

    @property
    def overdue_count(self) -> int:
        return sum(len(g.overdue) for g in self.groups)

    @property
    def late_count(self) -> int:
        return sum(len(g.late) for g in self.groups)


def bulletin(user, start: dt.date, end: dt.date, day: dt.date) -> Bulletin:
    """SUP-4 情况通报: by lead unit, the items still open past their deadline (red on `day`, deadline by `end`)
    and the items closed late within [start, end]; the lateness in working days (2 queries)."""
    base = permissions.visible_items(user, day=day).select_related("lead_unit")
    overdue = (
        selectors.with_light(base, day).filter(light=Light.RED, due__lte=end).order_by("lead_unit__order", "due", "id")
    )
    late = base.filter(state=St.CLOSED_LATE, closed_on__gte=start, closed_on__lte=end).order_by(
        "lead_unit__order", "closed_on", "id"
    )
    groups: dict[int, BulletinGroup] = {}

    def group(item) -> BulletinGroup:
        return groups.setdefault(item.lead_unit_id, BulletinGroup(unit=item.lead_unit))

    for item in overdue:
        if item.state == St.CLAIMED:
            n = wd.workdays_between(item.due, item.claimed_on)
            status = f"已报办结待核验，报办结时超期{n}个工作日"
        else:
            n = wd.workdays_between(item.due, day)
            status = f"{item.get_state_display()}，超期{n}个工作日"
        group(item).overdue.append(BulletinLine(item, status, n))
    for item in late:
        done_on = item.claimed_on or item.closed_on
        n = wd.workdays_between(item.due, done_on)
        group(item).late.append(BulletinLine(item, f"逾期办结（{done_on:%Y-%m-%d}报办结，超期{n}个工作日）", n))
    ordered = sorted(groups.values(), key=lambda g: (g.unit.order, g.unit.pk))
    return Bulletin(start=start, end=end, day=day, groups=ordered)
