"""Reads of the rule compliance board (规则执行情况, issue 15.5).

1. Clocks per article (X-3): of the year's clocks (Deadline rows counted from a day in the year), how many started,
   were met, were missed, were extended and still run — by unit and by the leader in charge (分管, ORG-2).
2. The items behind one cell of that table (click-through).
3. Handling efficiency per person and step (Task rows of the workflow kernel): average working days from a task's
   opening to its closing, pending tasks counted to today, split by urgency.

Every figure is aggregated in SQL (values + Count with filters); Python only labels the aggregated rows, so a page
costs a constant number of queries whatever the number of clocks and tasks. Working days come from
tiexi_gov.workdays: a sum of spans is Σ C(closing day) − Σ C(opening day), where C(d) is the number of working days
from a fixed day to d; C is computed once per distinct day in the request (`WorkdayIndex`), never per row.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, CharField, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from tiexi_gov.deadlines import rules
from tiexi_gov.deadlines.models import Deadline
from tiexi_gov.deadlines.owners import handling_people
from tiexi_gov.deadlines.selectors import ROW_RELATED
from tiexi_gov.http import to_id, to_int
from tiexi_gov.org.models import Portfolio, Post, Unit, User
from tiexi_gov.org.selectors import handlers_for_posts
from tiexi_gov.workdays import calendar as wd
from tiexi_gov.workflow.models import AREA_ORDER, Area, Task, UnitScope

from .access import Scope

State = Deadline.State
FIRST_YEAR = 2020  # the portal's first year of records: an older ?year= is not a year of this board

CATEGORIES: tuple[tuple[str, str], ...] = (
    ("started", "启动"),
    ("met", "按期完成"),
    ("missed", "超期"),
    ("extended", "延期"),
    ("running", "进行中"),
)
CATEGORY_LABELS = dict(CATEGORIES)
BY_UNIT, BY_LEADER, BY_ALL = "unit", "leader", "all"

NO_UNIT = "（未明确责任单位）"
NO_LEADER = "（未明确分管领导）"

URGENCY_LABELS = {0: "一般", 1: "加急", 2: "特急", 3: "特急重要"}  # documents: 3 − URGENCY_RANK
AREA_URGENCY_LABELS = {Area.SUPERVISION: {0: "一般", 1: "重大事项"}}  # supervision: is_major


# --- the year -------------------------------------------------------------------------------------------------


def year_from(value, today: dt.date) -> int:
    """?year=YYYY when it is a year of the board (FIRST_YEAR … next year), else this year: never an error."""
    return to_int(value, low=FIRST_YEAR, high=today.year + 1) or today.year


def year_span(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def as_of(year: int, today: dt.date) -> dt.date:
    """The day whose division of work (分管) a year's rows are read with: today, or the last day of a past year."""
    return min(today, year_span(year)[1])


# --- the articles ---------------------------------------------------------------------------------------------


def _article_order() -> dict[str, int]:
    order: dict[str, int] = {}
    for i, rule in enumerate(rules.RULES.values()):
        order.setdefault(rule.article, i)
    return order


ARTICLE_ORDER = _article_order()


def article_of(rule_id: str) -> str:
    return rules.describe(rule_id).article or "（其他）"


def rule_ids_of(article: str) -> list[str]:
    return [r.id for r in rules.RULES.values() if r.article == article]


def known_article(value) -> str:
    """An article as the page links it (第六十条), or "" when it is not one of the catalogue's."""
    value = (value or "").strip()
    return value if value in ARTICLE_ORDER else ""


# --- 1. clocks per article --------------------------------------------------------------------------------------


@dataclass
class Counts:
    started: int = 0
    met: int = 0
    missed: int = 0
    extended: int = 0
    running: int = 0

    def add(self, other: Counts) -> None:
        for name, _label in CATEGORIES:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def values(self) -> list[int]:
        return [getattr(self, name) for name, _label in CATEGORIES]

    def cells(self) -> list[tuple[str, str, int]]:
        """(category, label, number) for templates."""
        return [(name, label, getattr(self, name)) for name, label in CATEGORIES]


@dataclass
class Line:
    """One unit's (or leader's) counts under one article."""

    key: int  # unit id / leader post id; 0: none
    label: str
    counts: Counts = field(default_factory=Counts)


@dataclass
class Block:
    """One article: its total and its lines."""

    article: str
    titles: list[str]
    total: Counts = field(default_factory=Counts)
    lines: list[Line] = field(default_factory=list)


def category_q(category: str, today: dt.date) -> Q:
    """Which of the year's clocks a category counts (the cells and their click-through use the same Q).

    met: closed on time; missed: closed late, settled by the rule after the limit (逾期按规则办结), or still owed
    past the due day (escalated, or not yet swept); extended: opened in place of a clock whose limit was agreed
    anew (DOC-7); running: not closed yet (overdue ones included). Cancelled clocks are not counted at all.
    """
    if category == "met":
        return Q(state=State.MET)
    if category == "missed":
        return Q(state__in=(State.MISSED, State.SETTLED)) | Q(state=State.OPEN, closed_at__isnull=True, due__lt=today)
    if category == "extended":
        return Q(extended_from__isnull=False)  # set by deadlines.services.extend_deadline
    if category == "running":
        return Q(closed_at__isnull=True)
    return Q()


def clocks(scope: Scope, year: int) -> QuerySet[Deadline]:
    """The year's clocks the reader may see (index deadline_counted_from_idx), annotated with the unit that owes
    each (`unit_key`) and the leader post that owes it itself (`own_leader`)."""
    start, end = year_span(year)
    qs = (
        Deadline.objects.filter(counted_from__gte=start, counted_from__lte=end)
        .exclude(state=State.CANCELLED)
        .annotate(
            unit_key=Coalesce("owner_unit", "owner_post__unit", "owner_user__unit", output_field=IntegerField()),
            own_leader=Case(
                When(owner_post__kind__in=Post.LEADER_KINDS, then=F("owner_post")),
                default=None,
                output_field=IntegerField(),
            ),
        )
    )
    if not scope.sees_all:
        qs = qs.filter(unit_key=scope.unit_id)
    return qs


@dataclass
class Leaders:
    """The division of work a year is read with: unit → leader post (分管; the head where nobody's portfolio
    covers the unit, as org.selectors.leader_post_for_unit), and each leader's label."""

    by_unit: dict[int, int]
    head_id: int | None
    labels: dict[int, str]

    def of(self, unit_id: int | None, own_leader: int | None) -> int:
        if own_leader:
            return own_leader
        if unit_id is not None and unit_id in self.by_unit:
            return self.by_unit[unit_id]
        return self.head_id or 0

    def q(self, key: int) -> Q:
        """The clocks `of()` gives to leader `key` (click-through)."""
        mine = [u for u, p in self.by_unit.items() if p == key]
        q = Q(own_leader__isnull=True, unit_key__in=mine)
        if (key and key == self.head_id) or (not key and not self.head_id):
            q |= Q(own_leader__isnull=True) & (Q(unit_key__isnull=True) | ~Q(unit_key__in=list(self.by_unit)))
        if key:
            q |= Q(own_leader=key)
        return q


def leaders(day: dt.date, extra_post_ids=()) -> Leaders:
    """Three to five queries: portfolios, the head's post, the posts with their holders (acting applied)."""
    by_unit = dict(Portfolio.objects.on(day).order_by("-start", "-id").values_list("unit_id", "post_id"))
    head = Post.objects.filter(kind=Post.Kind.HEAD).order_by("id").values_list("id", flat=True).first()
    ids = set(by_unit.values()) | set(extra_post_ids) | ({head} if head else set())
    posts = list(Post.objects.filter(pk__in=ids).select_related("unit"))
    labels = {pk: h.shown for pk, h in handlers_for_posts(posts, day).items()}
    return Leaders(by_unit=by_unit, head_id=head, labels=labels)


def _unit_labels(ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {
        pk: short or name for pk, name, short in Unit.objects.filter(pk__in=ids).values_list("pk", "name", "short_name")
    }


@dataclass
class Table:
    by: str
    blocks: list[Block]
    total: Counts


def clock_tables(scope: Scope, year: int, today: dt.date) -> dict[str, Table]:
    """{"unit": Table, "leader": Table} (the leader table only for those who see every unit)."""
    annotations = {"started": Count("id")}
    for name, _label in CATEGORIES[1:]:
        annotations[name] = Count("id", filter=category_q(name, today))
    groups = list(clocks(scope, year).values("rule_id", "unit_key", "own_leader").annotate(**annotations).order_by())
    day = as_of(year, today)
    unit_labels = _unit_labels(g["unit_key"] for g in groups)
    tables = {BY_UNIT: _table(BY_UNIT, groups, lambda g: g["unit_key"] or 0, unit_labels, NO_UNIT)}
    if scope.sees_all:
        lead = leaders(day, extra_post_ids={g["own_leader"] for g in groups if g["own_leader"]})
        tables[BY_LEADER] = _table(
            BY_LEADER, groups, lambda g: lead.of(g["unit_key"], g["own_leader"]), lead.labels, NO_LEADER
        )
    return tables


def _table(by: str, groups, key_of, labels: dict[int, str], none_label: str) -> Table:
    blocks: dict[str, Block] = {}
    lines: dict[tuple[str, int], Line] = {}
    total = Counts()
    for g in groups:
        article = article_of(g["rule_id"])
        block = blocks.get(article)
        if block is None:
            block = blocks[article] = Block(article=article, titles=[])
        title = rules.describe(g["rule_id"]).title
        if title not in block.titles:
            block.titles.append(title)
        key = key_of(g) or 0
        line = lines.get((article, key))
        if line is None:
            line = lines[(article, key)] = Line(key=key, label=labels.get(key, none_label) if key else none_label)
            block.lines.append(line)
        counts = Counts(**{name: g[name] for name, _label in CATEGORIES})
        line.counts.add(counts)
        block.total.add(counts)
        total.add(counts)
    ordered = sorted(blocks.values(), key=lambda b: (ARTICLE_ORDER.get(b.article, 10_000), b.article))
    for block in ordered:
        block.titles.sort(key=lambda t: t)
        block.lines.sort(key=lambda line: (line.key == 0, -line.counts.started, line.label))
    return Table(by=by, blocks=ordered, total=total)


# --- 2. click-through -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    article: str  # "" = every article
    by: str  # unit / leader / all
    key: int  # unit id or leader post id; 0 = none
    category: str

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS[self.category]


def cell_from(params) -> Cell | None:
    """Parse ?article=&by=&key=&cat=; None when the cell is not one the board shows."""
    category = params.get("cat") or ""
    by = params.get("by") or BY_ALL
    if category not in CATEGORY_LABELS or by not in (BY_UNIT, BY_LEADER, BY_ALL):
        return None
    article = known_article(params.get("article"))
    if params.get("article") and not article:
        return None
    raw_key = params.get("key")
    key = 0 if raw_key in (None, "", "0") else to_id(raw_key)
    if key is None:
        return None
    return Cell(article=article, by=by, key=key, category=category)


def cell_label(cell: Cell, year: int, today: dt.date) -> str:
    """「2026年 第六十条 · 财政局 · 超期」: what the item list is of (two small queries at most)."""
    parts = [f"{year}年", cell.article or "全部条款"]
    if cell.by == BY_UNIT:
        parts.append(_unit_labels([cell.key]).get(cell.key, NO_UNIT) if cell.key else NO_UNIT)
    elif cell.by == BY_LEADER:
        if cell.key:
            post = Post.objects.filter(pk=cell.key).select_related("unit").first()
            parts.append(handlers_for_posts([post], as_of(year, today))[post.pk].shown if post else NO_LEADER)
        else:
            parts.append(NO_LEADER)
    parts.append(cell.category_label)
    return " · ".join(parts)


def cell_items(scope: Scope, year: int, today: dt.date, cell: Cell) -> QuerySet[Deadline]:
    """The clocks behind one cell, most recent limit first; the same filters as the counts."""
    qs = clocks(scope, year).filter(category_q(cell.category, today))
    if cell.article:
        qs = qs.filter(rule_id__in=rule_ids_of(cell.article))
    if cell.by == BY_UNIT:
        qs = qs.filter(unit_key=cell.key) if cell.key else qs.filter(unit_key__isnull=True)
    elif cell.by == BY_LEADER:
        qs = qs.filter(leaders(as_of(year, today)).q(cell.key))
    return qs.select_related(*ROW_RELATED, "extended_from").order_by("-due", "-id")


# --- 3. handling efficiency ---------------------------------------------------------------------------------------


class WorkdayIndex:
    """C(d) = working days in (base, d], computed once per distinct day: workdays_between(a, b) = C(b) − C(a)."""

    def __init__(self, base: dt.date):
        self.base = base
        self._memo: dict[dt.date, int] = {}

    def __call__(self, day: dt.date) -> int:
        value = self._memo.get(day)
        if value is None:
            value = self._memo[day] = wd.workdays_between(self.base, day)
        return value


@dataclass
class Effort:
    """Sums for one person, step and urgency; averages in working days."""

    done: int = 0
    pending: int = 0
    done_days: int = 0
    pending_days: int = 0

    def add(self, other: Effort) -> None:
        self.done += other.done
        self.pending += other.pending
        self.done_days += other.done_days
        self.pending_days += other.pending_days

    @staticmethod
    def _avg(days: int, n: int) -> float | None:
        return round(days / n, 1) if n else None

    @property
    def total(self) -> int:
        return self.done + self.pending

    @property
    def average(self) -> float | None:
        """Average working days of every task, pending ones counted to today."""
        return self._avg(self.done_days + self.pending_days, self.total)

    @property
    def average_done(self) -> float | None:
        return self._avg(self.done_days, self.done)

    @property
    def average_pending(self) -> float | None:
        return self._avg(self.pending_days, self.pending)


@dataclass
class EffortRow:
    person: str
    unit: str
    area: str
    step: str
    urgency: int
    urgency_label: str
    effort: Effort


def urgency_label(area: str, urgency: int) -> str:
    return AREA_URGENCY_LABELS.get(area, URGENCY_LABELS).get(urgency, f"紧急程度{urgency}")


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    return (
        timezone.make_aware(dt.datetime(year, 1, 1)),
        timezone.make_aware(dt.datetime(year + 1, 1, 1)),
    )


def tasks(scope: Scope, year: int) -> QuerySet[Task]:
    """The year's tasks (opened in the year) the reader may see, one per step done: when one step closed twin tasks
    (the unit's clerks and the drafter, both waiting on the same action), the person did it once."""
    start, end = _year_bounds(year)
    twin = Task.objects.filter(
        subject_type=OuterRef("subject_type"),
        subject_id=OuterRef("subject_id"),
        action=OuterRef("action"),
        closed_by=OuterRef("closed_by"),
        closed_at=OuterRef("closed_at"),
        id__lt=OuterRef("id"),
    )
    nobody = Q(closed_by__isnull=True, owner_user__isnull=True)
    qs = (
        Task.objects.filter(opened_at__gte=start, opened_at__lt=end)
        .filter(~Exists(twin))
        .annotate(
            # Who handled it: who closed it; while it waits, the person it is addressed to, else its post (whoever
            # handles the post today), its unit (with the scope of people in it) or its role.
            k_user=Coalesce("closed_by", "owner_user", output_field=IntegerField()),
            k_post=Case(When(nobody, then=F("owner_post")), default=None, output_field=IntegerField()),
            k_unit=Case(
                When(nobody & Q(owner_post__isnull=True), then=F("owner_unit")),
                default=None,
                output_field=IntegerField(),
            ),
            k_scope=Case(
                When(nobody & Q(owner_post__isnull=True), then=F("unit_scope")),
                default=Value(""),
                output_field=CharField(),
            ),
            k_role=Case(When(nobody, then=F("owner_role")), default=Value(""), output_field=CharField()),
        )
    )
    if not scope.sees_all:
        qs = qs.annotate(
            task_unit=Coalesce(
                "owner_unit", "owner_post__unit", "owner_user__unit", "closed_by__unit", output_field=IntegerField()
            )
        ).filter(task_unit=scope.unit_id)
    return qs


KEYS = ("k_user", "k_post", "k_unit", "k_scope", "k_role", "area", "action_label", "urgency")


def efficiency(scope: Scope, year: int, today: dt.date) -> list[EffortRow]:
    """Per person, step and urgency: tasks done and pending, average working days (pending counted to today).

    Two aggregate queries (by opening day; by closing day) and three to five to name the people."""
    qs = tasks(scope, year)
    by_open = list(
        qs.values(*KEYS, day=TruncDate("opened_at"))
        .annotate(n=Count("id"), pending=Count("id", filter=Q(closed_at__isnull=True)))
        .order_by()
    )
    by_close = list(
        qs.filter(closed_at__isnull=False).values(*KEYS, day=TruncDate("closed_at")).annotate(n=Count("id")).order_by()
    )
    index = WorkdayIndex(dt.date(year, 1, 1) - dt.timedelta(days=1))
    sums: dict[tuple, Effort] = defaultdict(Effort)
    c_today = index(today)
    for g in by_open:
        key = tuple(g[k] for k in KEYS)
        c_open, pending = index(g["day"]), g["pending"]
        done = g["n"] - pending
        e = sums[key]
        e.done += done
        e.pending += pending
        e.done_days -= c_open * done
        e.pending_days += (c_today - c_open) * pending
    for g in by_close:
        sums[tuple(g[k] for k in KEYS)].done_days += index(g["day"]) * g["n"]
    return _name_rows(sums, today)


def _name_rows(sums: dict[tuple, Effort], today: dt.date) -> list[EffortRow]:
    post_ids = {k[1] for k in sums if k[1]}
    handlers = handling_people(post_ids, today)  # post → the person handling it today (acting applied)
    user_ids = {k[0] for k in sums if k[0]} | {u.pk for u in handlers.values()}
    users = {
        pk: (full or username, short or name or "")
        for pk, full, username, name, short in User.objects.filter(pk__in=user_ids).values_list(
            "pk", "full_name", "username", "unit__name", "unit__short_name"
        )
    }
    vacant = {
        p.pk: (f"{p.unit.display_name}{p.title}（空缺）", p.unit.display_name)
        for p in Post.objects.filter(pk__in=post_ids - set(handlers)).select_related("unit")
    }
    unit_labels = _unit_labels(k[2] for k in sums)

    merged: dict[tuple, tuple[str, str, Effort]] = {}
    for (k_user, k_post, k_unit, k_scope, k_role, area, step, urgency), effort in sums.items():
        if k_post and k_post in handlers:
            k_user = handlers[k_post].pk
        if k_user:
            who = ("user", k_user)
            person, unit = users.get(k_user, ("（已删除）", ""))
        elif k_post:
            who = ("post", k_post)
            person, unit = vacant.get(k_post, ("（空缺）", ""))
        elif k_unit:
            who = ("unit", k_unit, k_scope)
            unit = unit_labels.get(k_unit, "")
            person = f"{unit}（{UnitScope(k_scope).label if k_scope in UnitScope.values else '本单位'}）"
        else:
            who = ("role", k_role)
            person, unit = (k_role or "（未指定）"), ""
        key = (who, area, step, urgency)
        if key not in merged:
            merged[key] = (person, unit, Effort())
        merged[key][2].add(effort)
    rows = [
        EffortRow(
            person=person,
            unit=unit,
            area=Area(area).label if area in Area.values else area,
            step=step,
            urgency=urgency,
            urgency_label=urgency_label(area, urgency),
            effort=effort,
        )
        for (_who, area, step, urgency), (person, unit, effort) in merged.items()
    ]
    area_rank = {Area(a).label: r for a, r in AREA_ORDER.items()}
    rows.sort(key=lambda r: (r.unit, r.person, area_rank.get(r.area, 99), r.step, -r.urgency))
    return rows
