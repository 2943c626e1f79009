"""Reads of the supervision ledger: the traffic light in SQL, the filtered ledger, an item's page, the links
from a source (a document's slip, a meeting decision) to the items raised from it.

The light depends on the day, so it is never stored: `with_light(qs, day)` annotates it in SQL from two
dates computed once in Python on the official working-day calendar (CAL-*), so the ledger can filter, sort
and count by light over any number of rows in one query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, CharField, F, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from supervision.reports.models import ProgressReport
from tiexi_gov.deadlines.models import Deadline
from tiexi_gov.workdays import calendar as wd

from . import permissions
from .models import CLOSED_STATES, WORKING_STATES, ItemState, Light, SupervisionFile, SupervisionItem

AMBER_WORKDAYS = 3  # amber when due within 3 WD (issue 4, SUP-1)


def amber_limit(day: dt.date) -> dt.date:
    """The last due date that is amber on `day`: the 3rd working day after it (a holiday does not count)."""
    return wd.add_workdays(day, AMBER_WORKDAYS)


def light_expression(day: dt.date) -> Case:
    """SQL for the light on `day`: red overdue (or claimed late); amber due within 3 WD, a report missing or
    behind plan; green on track; done once closed; none before it is issued or after it is cancelled."""
    limit = amber_limit(day)
    working = Q(state__in=WORKING_STATES)
    return Case(
        When(state__in=CLOSED_STATES, then=Value(Light.DONE)),
        When(~working, then=Value(Light.NONE)),
        When(Q(state=ItemState.CLAIMED) & Q(claimed_on__gt=F("due")), then=Value(Light.RED)),
        When(Q(state=ItemState.CLAIMED), then=Value(Light.GREEN)),
        When(due__lt=day, then=Value(Light.RED)),
        When(Q(due__lte=limit) | Q(next_report_due__lt=day) | Q(behind_plan=True), then=Value(Light.AMBER)),
        default=Value(Light.GREEN),
        output_field=CharField(),
    )


def report_missing_q(day: dt.date) -> Q:
    """SUP-2: the lead unit owes a progress report that was due before `day` (one of the amber reasons)."""
    return Q(state__in=WORKING_STATES, next_report_due__lt=day)


def with_light(qs: QuerySet, day: dt.date | None = None) -> QuerySet:
    return qs.annotate(light=light_expression(day or timezone.localdate()))


def light_of(item: SupervisionItem, day: dt.date | None = None) -> str:
    """The same rule in Python, for one item already in memory (its page, notifications)."""
    day = day or timezone.localdate()
    if item.state in CLOSED_STATES:
        return Light.DONE
    if item.state not in WORKING_STATES:
        return Light.NONE
    if item.state == ItemState.CLAIMED:
        return Light.RED if item.claimed_on and item.claimed_on > item.due else Light.GREEN
    if item.due < day:
        return Light.RED
    if item.due <= amber_limit(day) or (item.next_report_due and item.next_report_due < day) or item.behind_plan:
        return Light.AMBER
    return Light.GREEN


def amber_reasons(item: SupervisionItem, day: dt.date | None = None) -> list[str]:
    """Why an item is amber, in words for its page."""
    day = day or timezone.localdate()
    reasons = []
    if item.state in (ItemState.ACCEPTED, ItemState.IN_PROGRESS, ItemState.ASSIGNED) and day <= item.due:
        left = wd.workdays_between(day, item.due)
        if item.due <= amber_limit(day):
            reasons.append(f"距完成时限仅剩{left}个工作日")
    if item.next_report_due and item.next_report_due < day and item.state in WORKING_STATES:
        reasons.append(f"进展报告逾期未报（应于{item.next_report_due}前报告）")
    if item.behind_plan and item.state in WORKING_STATES:
        reasons.append("进度滞后于计划")
    return reasons


LEDGER_SORTS = {
    "due": ("due", "id"),
    "-due": ("-due", "-id"),
    "number": ("year", "seq"),
    "-number": ("-year", "-seq"),
    "unit": ("lead_unit__order", "lead_unit_id", "due", "id"),
    "percent": ("percent", "due", "id"),
    "-percent": ("-percent", "due", "id"),
    "created": ("-created_at", "-id"),
}
DEFAULT_SORT = "due"


@dataclass(frozen=True)
class LedgerFilters:
    """What the ledger page can filter on; every field optional. `unit` matches lead or cooperating."""

    unit: int | None = None
    leader_post: int | None = None
    source: str = ""
    kind: str = ""
    state: str = ""
    light: str = ""
    q: str = ""
    due_from: dt.date | None = None
    due_to: dt.date | None = None
    sort: str = DEFAULT_SORT
    # Added for the dashboard's click-through (its per-unit figures count the items a unit leads, and the
    # units whose progress report is overdue); both optional, appended so nothing existing changes.
    lead_unit: int | None = None
    report_missing: bool = False


def ledger_rows(qs: QuerySet) -> QuerySet:
    """The joins and prefetches a ledger row needs (the page's and the API list's columns: lead unit, leader,
    cooperating units), so a page costs the same whatever it shows. The export reads its own columns."""
    return qs.select_related("lead_unit", "leader_post").prefetch_related("cooperating_units")


def ledger(user, filters: LedgerFilters | None = None, day: dt.date | None = None) -> QuerySet:
    """The items `user` may see, with the light, filtered and sorted (lazy: the page slices it)."""
    day = day or timezone.localdate()
    f = filters or LedgerFilters()
    qs = with_light(permissions.visible_items(user, day=day), day)
    if f.unit:
        co = SupervisionItem.cooperating_units.through.objects.filter(unit_id=f.unit).values("supervisionitem_id")
        qs = qs.filter(Q(lead_unit_id=f.unit) | Q(pk__in=co))
    if f.leader_post:
        qs = qs.filter(leader_post_id=f.leader_post)
    if f.source:
        qs = qs.filter(source=f.source)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.state:
        qs = qs.filter(state=f.state)
    if f.light:
        qs = qs.filter(light=f.light)
    if f.q:
        text = f.q.strip()
        qs = qs.filter(Q(number__icontains=text) | Q(task__icontains=text) | Q(source_ref__icontains=text))
    if f.due_from:
        qs = qs.filter(due__gte=f.due_from)
    if f.due_to:
        qs = qs.filter(due__lte=f.due_to)
    if f.lead_unit:
        qs = qs.filter(lead_unit_id=f.lead_unit)
    if f.report_missing:
        qs = qs.filter(report_missing_q(day))
    return ledger_rows(qs).order_by(*LEDGER_SORTS.get(f.sort, LEDGER_SORTS[DEFAULT_SORT]))


def item_page(user, pk) -> SupervisionItem:
    """One item with everything its page shows, or 404 for whoever may not see it."""
    qs = SupervisionItem.objects.select_related(
        "lead_unit", "leader_post", "supervising_unit", "created_by", "rectification", "proposal"
    ).prefetch_related(
        "cooperating_units",
        "joint_units",
        "files",
        Prefetch("reports", queryset=ProgressReport.objects.select_related("unit", "author").prefetch_related("files")),
        "outcomes__unit",
        "outcomes__approver_post",
    )
    return permissions.get_item_or_404(user, pk, qs)


def items_for_source(source_object, user=None) -> list[SupervisionItem]:
    """Items raised from a document's instruction, a meeting decision…: the other half of the two-way link.
    With `user`, only those they may see."""
    ct = ContentType.objects.get_for_model(source_object)
    qs = SupervisionItem.objects.filter(source_type=ct, source_id=str(source_object.pk)).select_related("lead_unit")
    if user is not None:
        qs = permissions.visible_items(user, qs)
    return list(qs.order_by("id"))


def items_for_sources(source_objects, user=None) -> dict[tuple[int, str], list[SupervisionItem]]:
    """Several sources in one query (a slip with several instructions): keyed by (content type id, pk)."""
    objs = list(source_objects)
    if not objs:
        return {}
    q = Q()
    for obj in objs:
        ct = ContentType.objects.get_for_model(obj)
        q |= Q(source_type=ct, source_id=str(obj.pk))
    qs = SupervisionItem.objects.filter(q).select_related("lead_unit")
    if user is not None:
        qs = permissions.visible_items(user, qs)
    out: dict[tuple[int, str], list[SupervisionItem]] = {}
    for item in qs.order_by("id"):
        out.setdefault((item.source_type_id, item.source_id), []).append(item)
    return out


# --- an item's page: its clocks and its files ------------------------------------------------------------------


def item_deadlines(item: SupervisionItem) -> list:
    """Every clock of the item (SUP-1 completion, SUP-2 reports), running or closed, oldest first."""
    ct = ContentType.objects.get_for_model(SupervisionItem)
    return list(Deadline.objects.filter(subject_type=ct, subject_id=str(item.pk)).order_by("created_at", "id"))


def item_file(item: SupervisionItem, file_id) -> SupervisionFile | None:
    """One attachment of the item (its own or a progress report's), or None; the caller checked the item."""
    try:
        file_id = int(file_id)
    except (TypeError, ValueError):
        return None
    return SupervisionFile.objects.filter(Q(item_id=item.pk) | Q(report__item_id=item.pk), pk=file_id).first()


def followups_of_instructions(user, instructions) -> tuple[dict[int, list[SupervisionItem]], bool]:
    """SUP-1 on a processing slip: the items raised from each leader instruction that `user` may see, and whether
    `user` (the office) may raise one — the provider of tiexi_gov.followups for "leader_instruction"."""
    links = items_for_sources(instructions, user=user)
    out = {int(source_id): items for (_ct, source_id), items in links.items()}
    return out, permissions.can_manage(user)
