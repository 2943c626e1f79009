"""Reads for the queue (我的待办) and the office's deadline board; a constant number of queries each."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, CharField, Q, QuerySet, Value, When

from tiexi_gov.http import to_id
from tiexi_gov.org.access import handlers_on
from tiexi_gov.org.models import Unit
from tiexi_gov.org.roles import OFFICE_ROLES, Role, has_role, home_unit_id
from tiexi_gov.org.selectors import handlers_for_posts, holder_note
from tiexi_gov.workdays import calendar as wd

from . import rules
from .models import Deadline

ROW_RELATED = ("owner_user", "owner_user__unit", "owner_post", "owner_post__unit", "owner_unit")


def may_see_board(user) -> bool:
    """The deadline board is the office's tool (issue 2 point 5); anyone else gets a 404."""
    return has_role(user, *OFFICE_ROLES)


def queue_for(user, day: date) -> QuerySet[Deadline]:
    """Running deadlines the user owes on `day`, most urgent first, each annotated with `capacity`
    ("" for their own, "代…" / "受…委托主持工作" when it reaches them through an acting arrangement).

    Owed: owner_user is the user; owner_post is a post the user handles that day (their own unless someone
    acts for them, plus those they act for — LEAVE-4); owner_unit is the user's unit for its clerks and head.
    """
    handled = handlers_on(user, day)  # cached per request: the areas' waiting counts start from it too
    owed = Q(owner_user=user)
    acting_whens = []
    if handled:
        owed |= Q(owner_post_id__in=[h.post.pk for h in handled])
        acting_whens = [When(owner_post_id=h.post.pk, then=Value(h.badge)) for h in handled if h.is_acting]
    if (unit_id := home_unit_id(user)) and has_role(user, Role.CLERK, Role.UNIT_HEAD):
        owed |= Q(owner_unit_id=unit_id)
    capacity = (
        Case(When(owner_user_id=user.pk, then=Value("")), *acting_whens, default=Value(""), output_field=CharField())
        if acting_whens
        else Value("", output_field=CharField())
    )
    return (
        Deadline.objects.running()
        .filter(owed)
        .annotate(capacity=capacity)
        .select_related(*ROW_RELATED)
        .order_by("due", "id")
    )


@dataclass(frozen=True)
class Row:
    """A deadline as lists show it: the rule and its article, the due date in working days."""

    deadline: Deadline
    rule: rules.Rule
    remaining: str  # 剩 N 个工作日 / 今日到期 / 超期 N 个工作日
    tone: str  # bootstrap colour: danger, warning, secondary
    capacity: str = ""
    holder: str = ""  # （张海燕）after an owing post's title: four deputies share 副区长 (see name_holders)

    @property
    def owner(self) -> str:
        d = self.deadline
        parts = []
        if d.owner_user_id:
            parts.append(d.owner_user.display_name)
        if d.owner_post_id:
            post, unit = d.owner_post, d.owner_post.unit
            # "区政府办公室主任" already names its unit: not "区政府办公室区政府办公室主任"
            named = any(name and post.title.startswith(name) for name in (unit.name, unit.short_name))
            parts.append((post.title if named else f"{unit.display_name}{post.title}") + self.holder)
        if d.owner_unit_id:
            parts.append(d.owner_unit.display_name)
        return "、".join(parts)


def due_text(due: date, today: date) -> tuple[str, str]:
    """("剩 N 个工作日" | "今日到期" | "超期 N 个工作日", tone), counted in working days (CAL-1)."""
    if due == today:
        return "今日到期", "warning"
    if due > today:
        left = wd.workdays_between(today, due)
        return f"剩 {left} 个工作日", "warning" if left <= 1 else "secondary"
    late = wd.workdays_between(due, today)
    return (f"超期 {late} 个工作日" if late else "已超期"), "danger"


def rows_for(deadlines, today: date) -> list[Row]:
    rows = []
    for d in deadlines:
        text, tone = due_text(d.due, today)
        rows.append(Row(d, rules.describe(d.rule_id), text, tone, getattr(d, "capacity", "") or ""))
    return rows


def name_holders(*sections: list[Row], day: date) -> tuple[list[Row], ...]:
    """The sections with who holds (or acts for) each owing post named, in a few queries for the whole page:
    区政府副区长（张海燕）, 区政府副区长（张海燕，陈晓东代）."""
    posts = {
        r.deadline.owner_post_id: r.deadline.owner_post for rows in sections for r in rows if r.deadline.owner_post_id
    }
    if not posts:
        return sections
    handlers = handlers_for_posts(posts.values(), day)
    named = {pk: f"（{holder_note(handlers.get(pk))}）" for pk in posts}
    return tuple(
        [replace(r, holder=named[r.deadline.owner_post_id]) if r.deadline.owner_post_id else r for r in rows]
        for rows in sections
    )


# --- the office's board ------------------------------------------------------------------------------------


@dataclass
class BoardFilters:
    unit: Unit | None = None
    rule_id: str = ""


def board_filters(params) -> BoardFilters:
    """Parse ?unit=<id>&rule=<ID>; unknown values are ignored rather than failing the page."""
    unit = None
    unit_id = to_id(params.get("unit"))
    if unit_id is not None:
        unit = Unit.objects.filter(pk=unit_id).first()
    rule_id = (params.get("rule") or "").strip().upper()
    return BoardFilters(unit=unit, rule_id=rule_id if rule_id in rules.RULES else "")


def _board_base(filters: BoardFilters) -> QuerySet[Deadline]:
    qs = Deadline.objects.running().select_related(*ROW_RELATED)
    if filters.unit is not None:
        u = filters.unit.pk
        qs = qs.filter(Q(owner_unit_id=u) | Q(owner_post__unit_id=u) | Q(owner_user__unit_id=u))
    if filters.rule_id:
        qs = qs.filter(rule_id=filters.rule_id)
    return qs


def week_end(today: date) -> date:
    """Sunday of today's week: "due this week" is the calendar week (Monday to Sunday)."""
    return today + timedelta(days=6 - today.weekday())


def board_due_today(filters: BoardFilters, today: date) -> QuerySet[Deadline]:
    return _board_base(filters).filter(due=today).order_by("rule_id", "id")


def board_due_this_week(filters: BoardFilters, today: date) -> QuerySet[Deadline]:
    return _board_base(filters).filter(due__gt=today, due__lte=week_end(today)).order_by("due", "id")


def board_overdue(filters: BoardFilters, today: date) -> QuerySet[Deadline]:
    """Still owed past the due day: escalated rows and any the sweep has not reached yet."""
    return _board_base(filters).filter(due__lt=today).order_by("due", "id")


def board_units():
    return Unit.objects.filter(active=True).only("id", "name", "short_name").order_by("order", "id")


def running_deadline_ids(subjects, rule_id: str) -> dict[int, int]:
    """subject pk → the id of its running clock under `rule_id` (the latest), for linking tasks to their clocks.
    One query for a list of subjects of one model."""
    subjects = [s for s in subjects if s is not None]
    if not subjects:
        return {}

    ct = ContentType.objects.get_for_model(subjects[0])
    rows = (
        Deadline.objects.running()
        .filter(subject_type=ct, subject_id__in=[str(s.pk) for s in subjects], rule_id=rule_id)
        .order_by("due", "id")
        .values_list("subject_id", "id")
    )
    return {int(sid): did for sid, did in rows}
