"""The public side's tasks: what an inquiry waits on (PUB-1), and the replies and published results owed on a
suggestion or proposal (PUB-3, part of its item's tasks in `supervision.ledger.flow`). Each need mirrors a
transition's permission in `supervision.public.permissions`."""

from __future__ import annotations

from datetime import date

from supervision.ledger.models import PROPOSAL_STATES, SupervisionItem
from supervision.shared.access import office_needs, unit_staff_need
from tiexi_gov.deadlines.selectors import running_deadline_ids
from tiexi_gov.workflow.models import Area
from tiexi_gov.workflow.registry import Flow, Need

from .models import PublicInquiry
from .services import inquiry_url


def proposal_needs(item: SupervisionItem) -> list[Need]:
    """PUB-3: the lead unit replies to the deputy or member; then the office discloses the result."""
    if item.state not in PROPOSAL_STATES or not item.is_proposal():
        return []
    if item.awaits_proposal_reply():
        return [unit_staff_need("reply_proposal", "待答复代表委员", item.lead_unit_id, rule_id="PUB-3")]
    if item.awaits_proposal_publication():
        return office_needs("publish_proposal", "待公开办理结果", rule_id="PUB-3")
    return []


def waiting(inquiry: PublicInquiry, day: date) -> list[Need]:
    if inquiry.state == PublicInquiry.State.LOGGED:
        return office_needs("assign", "待转办", rule_id="PUB-1")
    if inquiry.state == PublicInquiry.State.ASSIGNED and inquiry.unit_id:
        clock = running_deadline_ids([inquiry], "PUB-1").get(inquiry.pk)
        return [unit_staff_need("answer", "待答复", inquiry.unit_id, rule_id="PUB-1", deadline_id=clock)]
    return []


FLOW = Flow(
    model=PublicInquiry,
    area=Area.SUPERVISION,
    noun="该咨询",
    url=inquiry_url,
    waiting=waiting,
    optional={"assign@assigned": "改派承办单位是办公室的另一种处理；待办是承办单位答复"},
)
