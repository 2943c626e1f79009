"""The items' tasks: what a supervision item waits on in each state, and who (the queue's half of the permissions).

Every need mirrors a transition's permission; the completeness tests prove that the people these needs reach are
exactly the people the transitions allow:
- draft → the office (its business roles), 待交办: `assign` or `submit_for_approval` (SUP-1, SUP-5);
- awaiting_approval → the leader-in-charge's post and the head's post (the head presides over any), 待审批 (SUP-5);
- assigned → the lead unit's clerks and heads, 待签收, on the SUP-1 clock;
- accepted / in_progress → the lead unit, 待报送进展 on the SUP-2 clock (or 待报办结 on the SUP-1 clock when the
  completion deadline comes first);
- assigned / accepted / in_progress → each cooperating unit that has not reported its part this cycle;
- claimed → the office, 待核验 (SUP-4) — or, when a rectification item's long-term mechanism was cleared after the
  claim, the lead unit, 待补充长效机制 (SUP-3);
- a suggestion or proposal (PUB-3), once issued: the lead unit until it replies (待答复代表委员), then the office
  until the result is published (待公开办理结果).
"""

from __future__ import annotations

from datetime import date

from supervision.public.flow import proposal_needs
from supervision.reports.flow import mechanism_needs, part_needs
from supervision.shared.access import office_needs, unit_staff_need
from tiexi_gov.deadlines.models import Deadline
from tiexi_gov.deadlines.selectors import running_deadline_ids
from tiexi_gov.workflow.models import Area
from tiexi_gov.workflow.registry import Flow, Need, for_post

from .models import REPORTING_STATES, ItemState, SupervisionItem
from .permissions import approver_post_ids
from .services import item_url

St = ItemState


def _lead_work(item: SupervisionItem) -> Need:
    """The lead unit's one task while it works: the report or the completion, whichever clock runs out first."""
    clocks = {rule: running_deadline_ids([item], rule).get(item.pk) for rule in ("SUP-1", "SUP-2")}
    dues = dict(Deadline.objects.filter(pk__in=[d for d in clocks.values() if d]).values_list("pk", "due"))
    report_due, complete_due = dues.get(clocks["SUP-2"]), dues.get(clocks["SUP-1"])
    if report_due is not None and (complete_due is None or report_due < complete_due):
        return unit_staff_need(
            "progress",
            "待报送进展",
            item.lead_unit_id,
            rule_id="SUP-2",
            deadline_id=clocks["SUP-2"],
            urgency=_urgency(item),
        )
    return unit_staff_need(
        "progress", "待报办结", item.lead_unit_id, rule_id="SUP-1", deadline_id=clocks["SUP-1"], urgency=_urgency(item)
    )


def _urgency(item: SupervisionItem) -> int:
    return 1 if item.is_major else 0


def waiting(item: SupervisionItem, day: date) -> list[Need]:
    state = item.state
    needs: list[Need] = []
    if state == St.DRAFT:
        needs += office_needs("issue", "待交办", rule_id="SUP-1", urgency=_urgency(item))
    elif state == St.AWAITING_APPROVAL:
        needs += [
            for_post("approve", "待审批", post_id, rule_id="SUP-5", urgency=_urgency(item))
            for post_id in approver_post_ids(item)
        ]
    elif state == St.ASSIGNED:
        clock = running_deadline_ids([item], "SUP-1").get(item.pk)
        needs.append(
            unit_staff_need(
                "accept", "待签收", item.lead_unit_id, rule_id="SUP-1", deadline_id=clock, urgency=_urgency(item)
            )
        )
    elif state in REPORTING_STATES:
        needs.append(_lead_work(item))
    elif state == St.CLAIMED and item.rectification_settled():
        needs += office_needs("verify", "待核验", rule_id="SUP-4", urgency=_urgency(item))
    needs += part_needs(item)
    needs += mechanism_needs(item)
    needs += proposal_needs(item)
    return needs


FLOW = Flow(
    model=SupervisionItem,
    area=Area.SUPERVISION,
    noun="该督办事项",
    url=item_url,
    waiting=waiting,
    optional={
        "refuse": "不同意是审批领导对待审批事项的另一种处理，不单独形成待办",
        "cancel": "办公室可随时撤销在办事项；待办是事项当前的办理步骤",
        "return_for_rework": "退回整改是复查核验的另一种结论，不单独形成待办",
        "amend_proposal_reply": "答复后补登满意度或由办公室代为登记答复，不单独形成待办；待办是牵头单位答复",
    },
)
