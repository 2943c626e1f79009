"""The minutes flow's tasks (the queue's half of `minutes.permissions`):

- drafting: the drafters (the office, MTG-6; a special-topic meeting's lead unit as well, MTG-7) draft the minutes
  and their decisions and send them for signing (待起草纪要) — also after a send-back;
- signing: the post of the chain's next step (待签署), whoever handles it on the day (LEAVE-4); consecutive unit
  countersigns (MTG-7) wait on all their units' main heads at once.
"""

from __future__ import annotations

from datetime import date

from django.urls import NoReverseMatch, reverse

from tiexi_gov.workflow.models import Area
from tiexi_gov.workflow.registry import Flow, Need, for_post

from ..meeting.flow import MINUTES_RULE, drafter_needs
from .models import Minutes, MinutesStep
from .permissions import next_steps

S = MinutesStep.Step
STEP_LABELS = {
    S.OFFICE_DEPUTY_REVIEW: "待审核纪要",
    S.OFFICE_DIRECTOR_REVIEW: "待审核纪要",
    S.JUDICIAL_FORWARD: "待批转合法性审查",
    S.LEGALITY_REVIEW: "待合法性审查",
    S.UNIT_COUNTERSIGN: "待会签纪要",
    S.CHAIR_APPROVE: "待审定纪要",
    S.SECRETARY_SIGN: "待签发纪要",
    S.HEAD_SIGN: "待签发纪要",
}


def minutes_url(minutes: Minutes) -> str:
    try:
        return reverse("meetings:minutes", args=[minutes.meeting_id])
    except NoReverseMatch:
        return ""


def minutes_waiting(minutes: Minutes, day: date) -> list[Need]:
    meeting = minutes.meeting
    rule = MINUTES_RULE.get(meeting.kind, "")
    if minutes.state == Minutes.State.DRAFTING:
        return drafter_needs(meeting, "send_for_signing", "待起草纪要", rule_id=rule)
    if minutes.state == Minutes.State.SIGNING:
        return [
            for_post(
                "sign", STEP_LABELS.get(st.step, "待签署纪要"), st.post_id, rule_id=rule, note=st.get_step_display()
            )
            for st in next_steps(minutes)
        ]
    return []


MINUTES_FLOW = Flow(
    model=Minutes,
    area=Area.MEETINGS,
    noun="该纪要",
    url=minutes_url,
    waiting=minutes_waiting,
    optional={"send_back": "退回修改是审签的另一种结果，不单独形成待办"},
    label=str,
)

FLOWS = (MINUTES_FLOW,)
