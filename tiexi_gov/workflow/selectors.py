"""Reads of tasks: 我的待办 and the navbar's count, each one indexed query over open tasks.

Who a task reaches is decided on the day it is read, so acting arrangements apply from their first day to their
last (LEAVE-4): a post's task reaches whoever handles the post that day; a unit's task its clerks, heads or
members; a role's task the role's members; a person's task that person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import Case, DateField, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from tiexi_gov.deadlines import rules
from tiexi_gov.deadlines.selectors import due_text
from tiexi_gov.listing import TemplateRow
from tiexi_gov.org.access import handlers_on, member_unit_ids
from tiexi_gov.org.roles import Role, has_role, home_unit_id, role_names
from tiexi_gov.org.selectors import carries_authority

from .models import AREA_ORDER, Area, Task, UnitScope

NOTHING = Q(pk__in=[])
PER_AREA = 10  # rows shown per area on 我的待办 (the most urgent); the rest one click away (?area=…), 50 a page


def unit_scopes(user) -> list[str]:
    """The scopes of unit-addressed tasks that reach `user` in their home unit."""
    scopes = [UnitScope.MEMBERS]
    clerk, head = has_role(user, Role.CLERK), has_role(user, Role.UNIT_HEAD)
    if clerk:
        scopes.append(UnitScope.CLERKS)
    if head:
        scopes.append(UnitScope.HEADS)
    if clerk or head:
        scopes.append(UnitScope.STAFF)
    return scopes


def _reaching(user, day: date) -> list[tuple[tuple[str, object], ...]] | None:
    """How tasks reach `user` on `day`: an OR of ANDs of (lookup, value) pairs; None when nothing does. The one
    description both the queue's Q (addressed_to) and the navbar's plain-SQL count (open_count) are made from."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    terms: list[tuple[tuple[str, object], ...]] = [(("owner_user_id", user.pk),)]
    handlers = handlers_on(user, day)
    if handlers:
        terms.append((("owner_post_id__in", [h.post.pk for h in handlers]), ("authority", False)))
        with_authority = [h.post.pk for h in handlers if carries_authority(h)]
        if with_authority:
            terms.append((("owner_post_id__in", with_authority), ("authority", True)))
    names = role_names(user)
    if names:
        terms.append((("owner_role__in", sorted(names)),))
    if unit_id := home_unit_id(user):
        terms.append((("owner_unit_id", unit_id), ("unit_scope__in", unit_scopes(user))))
    others = member_unit_ids(user, day) - {home_unit_id(user)}
    if others:
        terms.append((("owner_unit_id__in", sorted(others)), ("unit_scope", UnitScope.MEMBERS)))
    return terms


def addressed_to(user, day: date) -> Q:
    """A Q on Task: the tasks that reach `user` on `day` (open or not)."""
    terms = _reaching(user, day)
    if terms is None:
        return NOTHING
    q = Q()
    for term in terms:
        q |= Q(**dict(term))
    return q


def reaches(user, task: Task, day: date) -> bool:
    """Python twin of addressed_to for one task (no query beyond the cached handlers and roles)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if task.owner_user_id is not None:
        return task.owner_user_id == user.pk
    if task.owner_post_id is not None:
        return any(
            h.post.pk == task.owner_post_id and (not task.authority or carries_authority(h))
            for h in handlers_on(user, day)
        )
    if task.owner_role:
        return task.owner_role in role_names(user)
    if task.owner_unit_id == home_unit_id(user) and task.unit_scope in unit_scopes(user):
        return True
    return task.unit_scope == UnitScope.MEMBERS and task.owner_unit_id in member_unit_ids(user, day)


def open_tasks_for(user, day: date) -> QuerySet[Task]:
    """Open tasks reaching `user` on `day`, most urgent first: overdue, due today, by urgency, by due date."""
    running = Q(deadline__closed_at__isnull=True)
    mine = addressed_to(user, day)
    # One row per item and action: a person reached twice for the same step (a clerk who also drafted the item, an
    # office deputy director who is office staff too) reads it once.
    twin = Task.objects.filter(
        mine,
        closed_at__isnull=True,
        subject_type=OuterRef("subject_type"),
        subject_id=OuterRef("subject_id"),
        action=OuterRef("action"),
        id__lt=OuterRef("id"),
    )
    return (
        Task.objects.filter(closed_at__isnull=True)
        .filter(mine)
        .exclude(Exists(twin))
        .annotate(
            due=Case(When(running, then=F("deadline__due")), default=None, output_field=DateField()),
            band=Case(
                When(running & Q(deadline__due__lt=day), then=Value(0)),
                When(running & Q(deadline__due=day), then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
        )
        .select_related("deadline", "from_user", "owner_post", "owner_unit", "owner_user")
        .order_by(*URGENCY_ORDER)
    )


URGENCY_ORDER = ("band", "-urgency", F("due").asc(nulls_last=True), "opened_at", "id")


def _where(terms) -> tuple[str, list]:
    """The SQL of `_reaching`'s terms on the task table (unqualified columns) and its parameters."""
    quote, meta = connection.ops.quote_name, Task._meta
    ors, params = [], []
    for term in terms:
        ands = []
        for key, value in term:
            name, _, lookup = key.partition("__")
            column = quote(meta.get_field(name).column)
            if lookup == "in":
                ands.append(f"{column} IN ({', '.join(['%s'] * len(value))})")
                params.extend(value)
            else:
                ands.append(f"{column} = %s")
                params.append(value)
        ors.append("(" + " AND ".join(ands) + ")")
    return " OR ".join(ors), params


def _first_of_each(terms) -> tuple[str, list]:
    """SQL selecting, of the open tasks reaching the user, one per item and action (the lowest id): the queue's
    "one row per item and action" (as open_tasks_for's anti-join), as a GROUP BY."""
    quote, meta = connection.ops.quote_name, Task._meta
    where, params = _where(terms)
    group = ", ".join(quote(meta.get_field(f).column) for f in ("subject_type", "subject_id", "action"))
    sql = (
        f"SELECT MIN({quote(meta.pk.column)}) FROM {quote(meta.db_table)}"
        f" WHERE {quote(meta.get_field('closed_at').column)} IS NULL AND ({where}) GROUP BY {group}"
    )
    return sql, params


def open_count(user, day: date) -> int:
    """The navbar's number: open tasks reaching `user` today, one per item and action (as the queue reads them).

    Every page shows it, so it is one plain SQL statement made from the same description as the queue's Q
    (_reaching): it costs no ORM compilation (issue 14.2)."""
    terms = _reaching(user, day)
    if terms is None:
        return 0
    sql, params = _first_of_each(terms)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) first_of_each", params)
        return cursor.fetchone()[0]


@dataclass(frozen=True)
class Row(TemplateRow):
    """A task as 我的待办 shows it: what, which action, from whom, since when, the working days left, the article.

    Everything _row.jinja prints is a field of the row, made here once from the task's columns (issue 14.2): no model
    instance is built for a row, and the template reads none."""

    pk: int
    action: str
    action_label: str
    subject_type_id: int
    subject_id: int
    subject: str  # "content type id:object id", the row's data-subject
    subject_repr: str
    url: str
    note: str
    rule: rules.Rule | None
    due: date | None  # the running clock's due day (None: no clock, or it stopped)
    remaining: str
    tone: str
    capacity: str
    sent: str  # when it reached the user, "n月j日 H:i" local time (made here, not by the date filter per row)
    due_day: str  # the running clock's due date, Y-m-d
    sender: str  # who sent it, by name
    provisional: bool  # the running clock's due date is provisional (CAL-2)


@dataclass
class Section:
    area: str
    label: str
    total: int
    rows: list[Row] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


# What a row reads of a task, its clock and its sender: a queue of thirty rows reads these columns as values, not
# three model instances a row (all of three tables, the sender's password hash among them).
ROW_VALUES = (
    "pk",
    "subject_type_id",
    "subject_id",
    "subject_repr",
    "url",
    "action",
    "action_label",
    "rule_id",
    "note",
    "owner_post_id",
    "opened_at",
    "deadline_id",
    "deadline__due",
    "deadline__closed_at",
    "deadline__provisional",
    "from_user_id",
    "from_user__username",
    "from_user__full_name",
)


def _row(v: dict, day: date, acting: dict[int, str], tz) -> Row:
    """A Row from a task's ROW_VALUES (`tz`: the current time zone, looked up once a list, not once a row)."""
    running = v["deadline_id"] is not None and v["deadline__closed_at"] is None
    due = v["deadline__due"] if running else None
    remaining, tone = due_text(due, day) if due else ("", "secondary")
    sent = v["opened_at"].astimezone(tz)
    return Row(
        pk=v["pk"],
        action=v["action"],
        action_label=v["action_label"],
        subject_type_id=v["subject_type_id"],
        subject_id=v["subject_id"],
        subject=f"{v['subject_type_id']}:{v['subject_id']}",
        subject_repr=v["subject_repr"],
        url=v["url"],
        note=v["note"],
        rule=rules.describe(v["rule_id"]) if v["rule_id"] else None,
        due=due,
        remaining=remaining,
        tone=tone,
        capacity=acting.get(v["owner_post_id"], "") if v["owner_post_id"] else "",
        sent=f"{sent.month}月{sent.day}日 {sent:%H:%M}",
        due_day=due.isoformat() if due else "",
        # User.display_name, without the user
        sender=(v["from_user__full_name"] or v["from_user__username"]) if v["from_user_id"] else "",
        provisional=bool(running and v["deadline__provisional"]),
    )


def acting_capacities(user, day: date) -> dict[int, str]:
    """post id → "代副区长赵国庆" / "受区长委托主持工作" for the posts `user` handles in someone's stead on `day`."""
    return {h.post.pk: h.badge for h in handlers_on(user, day) if h.is_acting}


def rows_for(tasks: QuerySet[Task], user, day: date) -> list[Row]:
    """The rows of a queryset of tasks (open_tasks_for's, or a page of it), in its order."""
    acting, tz = acting_capacities(user, day), timezone.get_current_timezone()
    return [_row(v, day, acting, tz) for v in tasks.values(*ROW_VALUES)]


def queue(user, day: date, *, per_area: int = PER_AREA) -> list[Section]:
    """我的待办 grouped by area (in the areas' order), each area's most urgent `per_area` rows and its total.

    Two queries (issue 14.2: the one ORM query with its window and anti-join cost more to build than to run): plain
    SQL made from `_reaching` numbers each area's rows in urgency order (overdue, due today, by urgency, by due
    date, oldest first — open_tasks_for's order) and counts them, keeping the first `per_area` of each; then those
    rows are read with what a row shows."""
    terms = _reaching(user, day)
    if terms is None:
        return []
    quote, meta = connection.ops.quote_name, Task._meta
    where, params = _where(terms)
    d = Task._meta.get_field("deadline").related_model._meta
    col = {f: quote(meta.get_field(f).column) for f in ("id", "area", "urgency", "opened_at", "deadline")}
    # The twins' text key compares byte by byte (COLLATE "C"): it only groups equal values, and a database created
    # with a national collation would otherwise call strcoll for every comparison of the sort (issue 14.2). SQLite
    # compares bytes already.
    byte_order = ' COLLATE "C"' if connection.vendor == "postgresql" else ""
    twins = ", ".join(quote(meta.get_field(f).column) for f in ("subject_type", "subject_id", "action")) + byte_order
    # Rows are ranked within their area by the area's number, not its name: partitioning 400 rows by a text column
    # took a quarter of the query, even compared byte by byte (issue 14.2). The task table admits no other area
    # (the task_area_known constraint).
    area = f"CASE t.{col['area']} " + " ".join(f"WHEN '{a}' THEN {n}" for a, n in AREA_ORDER.items()) + " END"
    # The open tasks reaching the user, each numbered among its twins (same item and action): the first of each is
    # the one listed, as _first_of_each's MIN(id), read in the same scan instead of fetched again by id.
    reaching = (
        f"SELECT {', '.join(col.values())}, ROW_NUMBER() OVER (PARTITION BY {twins} ORDER BY {col['id']}) AS twin"
        f" FROM {quote(meta.db_table)} WHERE {quote(meta.get_field('closed_at').column)} IS NULL AND ({where})"
    )
    closed, due = f"d.{quote(d.get_field('closed_at').column)}", f"d.{quote(d.get_field('due').column)}"
    running_due = f"CASE WHEN {closed} IS NULL THEN {due} END"
    today = connection.ops.adapt_datefield_value(day)
    # One window numbers and counts each area (its frame spans the whole area, which ROW_NUMBER ignores): one sort
    # and one pass instead of a second pass for the count (issue 14.2).
    sql = (
        f"SELECT id, area, rank, area_total FROM (SELECT t.{col['id']} AS id, t.{col['area']} AS area,"
        f" ROW_NUMBER() OVER w AS rank, COUNT(*) OVER w AS area_total"
        f" FROM ({reaching}) t"
        f" LEFT JOIN {quote(d.db_table)} d ON d.{quote(d.pk.column)} = t.{col['deadline']}"
        f" WHERE t.twin = 1 WINDOW w AS (PARTITION BY {area} ORDER BY"
        f" CASE WHEN {closed} IS NULL AND {due} < %s THEN 0 WHEN {closed} IS NULL AND {due} = %s THEN 1 ELSE 2 END,"
        f" t.{col['urgency']} DESC, CASE WHEN {running_due} IS NULL THEN 1 ELSE 0 END, {running_due},"
        f" t.{col['opened_at']}, t.{col['id']} ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)"
        f") ranked WHERE rank <= %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, today, today, per_area])
        ranks = {pk: (area, rank, total) for pk, area, rank, total in cursor.fetchall()}
    if not ranks:
        return []
    acting, tz = acting_capacities(user, day), timezone.get_current_timezone()
    sections: dict[str, Section] = {}
    found = Task.objects.filter(pk__in=list(ranks)).values(*ROW_VALUES)
    for v in sorted(found, key=lambda v: (AREA_ORDER.get(ranks[v["pk"]][0], 99), ranks[v["pk"]][1])):
        area, _rank, total = ranks[v["pk"]]
        section = sections.get(area)
        if section is None:
            section = sections[area] = Section(area, Area(area).label, total)
        section.rows.append(_row(v, day, acting, tz))
    return list(sections.values())
