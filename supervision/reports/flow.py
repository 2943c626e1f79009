"""The reports' tasks: what a half-year report waits on (the queue's half of `supervision.reports.permissions`), and
the cooperating units' part reports owed on an item (part of the item's tasks, `supervision.ledger.flow`)."""

from __future__ import annotations

from datetime import date

from supervision.ledger.models import PART_STATES, ItemState, SupervisionItem
from supervision.shared.access import unit_staff_need
from tiexi_gov.deadlines.selectors import running_deadline_ids
from tiexi_gov.workflow.models import Area
from tiexi_gov.workflow.registry import Flow, Need

from .models import HalfYearReport
from .permissions import owing_part_unit_ids
from .services import half_year_url


def part_needs(item: SupervisionItem) -> list[Need]:
    """SUP-2: each cooperating unit owes its part once per lead-unit reporting cycle (`can_report_part`)."""
    if item.state not in PART_STATES:
        return []
    return [
        unit_staff_need("report_part", "待报送协办进展", unit_id, rule_id="SUP-2")
        for unit_id in sorted(owing_part_unit_ids(item))
    ]


def mechanism_needs(item: SupervisionItem) -> list[Need]:
    """SUP-3: a claimed rectification item whose long-term mechanism was cleared waits on the lead unit."""
    if item.state != ItemState.CLAIMED or item.rectification_settled():
        return []
    return [unit_staff_need("supply_mechanism", "待补充长效机制", item.lead_unit_id, rule_id="SUP-3")]


def waiting(report: HalfYearReport, day: date) -> list[Need]:
    if report.state != HalfYearReport.State.PENDING:
        return []
    clock = running_deadline_ids([report], "SUP-2").get(report.pk)
    return [unit_staff_need("file", "待报送半年报告", report.unit_id, rule_id="SUP-2", deadline_id=clock)]


FLOW = Flow(
    model=HalfYearReport,
    area=Area.SUPERVISION,
    noun="该半年报告",
    url=half_year_url,
    waiting=waiting,
    lock_related=("unit",),
    optional={"file_for_unit": "办公室代单位登记收到的纸质报告，不单独形成待办；待办是单位报送"},
)
