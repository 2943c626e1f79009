"""The outcomes' tasks (SUP-4): a proposed outcome waits on the post of the district leader the office named — whoever
handles it on the day the queue is read (LEAVE-4) — exactly `supervision.outcomes.permissions.can_decide_outcome`."""

from __future__ import annotations

from datetime import date

from tiexi_gov.workflow.models import Area
from tiexi_gov.workflow.registry import Flow, Need, for_post

from .models import Outcome
from .services import outcome_url

URGENCY = {Outcome.OutcomeKind.ACCOUNTABILITY: 1, Outcome.OutcomeKind.CRITICISM: 1}


def waiting(outcome: Outcome, day: date) -> list[Need]:
    if outcome.state != Outcome.State.PROPOSED:
        return []
    return [
        for_post(
            "decide",
            "待审定",
            outcome.approver_post_id,
            rule_id="SUP-4",
            urgency=URGENCY.get(outcome.kind, 0),
            from_user_id=outcome.proposed_by_id,
        )
    ]


FLOW = Flow(
    model=Outcome,
    area=Area.SUPERVISION,
    noun="该建议",
    url=outcome_url,
    waiting=waiting,
    lock_related=("unit",),
    optional={"reject": "不予批准是审批领导对待审定事项的另一种处理，不单独形成待办"},
    label=lambda o: f"{o.get_kind_display()}建议：{o.unit.display_name}",
)
