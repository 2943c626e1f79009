"""Who may report on an item and file the half-year reports (SUP-2), and who records rectification (SUP-3) — each
the permission of a transition and mirrored by a task (`supervision.ledger.flow`, `supervision.reports.flow`)."""

from __future__ import annotations

from django.db.models import QuerySet

from supervision.ledger.models import SupervisionItem
from supervision.ledger.permissions import can_act_as_lead, can_manage, sees_all
from supervision.shared.access import active, is_unit_staff
from tiexi_gov.org.access import business_unit_ids, member_unit_ids
from tiexi_gov.org.roles import home_unit_id

from .models import HalfYearReport, ProgressReport


def cycle_start_id(item: SupervisionItem) -> int:
    """The lead unit's latest report on the item (its id; 0 before the first): a reporting cycle starts there."""
    last = (
        ProgressReport.objects.filter(item_id=item.pk, is_part=False).order_by("-id").values_list("id", flat=True)
    ).first()
    return last or 0


def owing_part_unit_ids(item: SupervisionItem) -> set[int]:
    """SUP-2: the cooperating units that have not reported their part since the lead unit's latest report (each
    owes one part report per reporting cycle)."""
    units = {u.pk for u in item.cooperating_units.all()}
    if not units:
        return set()
    done = ProgressReport.objects.filter(item_id=item.pk, is_part=True, pk__gt=cycle_start_id(item))
    return units - set(done.values_list("unit_id", flat=True))


def is_cooperating_staff(user, item: SupervisionItem) -> bool:
    """A clerk or head of a unit cooperating on the item (their home unit)."""
    return is_unit_staff(user, home_unit_id(user)) and any(
        u.pk == home_unit_id(user) for u in item.cooperating_units.all()
    )


def can_report_part(user, item: SupervisionItem) -> bool:
    """A cooperating unit's clerks and heads report its part to the lead unit, once per reporting cycle."""
    return is_cooperating_staff(user, item) and home_unit_id(user) in owing_part_unit_ids(item)


def can_supply_mechanism(user, item: SupervisionItem) -> bool:
    """SUP-3: the lead unit states the long-term mechanism its claim rests on (when it was cleared)."""
    return can_act_as_lead(user, item)


def can_update_rectification(user, item: SupervisionItem) -> bool:
    """SUP-3: the lead unit (or the office) records the measures and the long-term mechanism."""
    return can_act_as_lead(user, item) or can_manage(user)


# --- half-year reports ---------------------------------------------------------------------------------------


def visible_half_year_reports(user, qs: QuerySet | None = None) -> QuerySet:
    """The office sees every unit's half-year reports; others those of the units they may see."""
    qs = HalfYearReport.objects.all() if qs is None else qs
    if not active(user):
        return qs.none()
    if sees_all(user):
        return qs
    return qs.filter(unit_id__in=set(business_unit_ids(user) or ()) | member_unit_ids(user))


def can_open_half_year_report(user, report: HalfYearReport) -> bool:
    """The report's page and files: its unit and the office (its leaders read the list)."""
    return active(user) and (report.unit_id in member_unit_ids(user) or can_manage(user))


def can_file_half_year(user, report: HalfYearReport) -> bool:
    """SUP-2: the unit's clerks and heads file its own half-year report."""
    return is_unit_staff(user, report.unit_id)


def can_file_for_unit(user, report: HalfYearReport) -> bool:
    """The office may file a copy it received on paper, in the unit's stead (not a step it is waited on for)."""
    return can_manage(user)
