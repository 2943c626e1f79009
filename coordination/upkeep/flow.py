"""Upkeep's tasks (the queue's half of `coordination.upkeep.permissions`):

    review entry  pending  → the office (staff and director roles): 待评估 (CRD-4)
                  keep     → nobody: the decision stands; the office may change it while the round is open
    annual targets pending → the members of the body's host unit: 待报送, with the CRD-5 clock the office set
                   filed   → the office: 待督导检查 (before year end)
                   reviewed → nobody: checked; the office may correct the check or send unfinished targets on
                   (a body abolished or merged: nobody — its targets end with it, their clock cancelled)

Leader changes (CRD-3) are not items: the page lists the posts whose holder changed since the bodies were last
adjusted, computed from the appointments; the adjustment itself is one action of the office or the body's office.
"""

from __future__ import annotations

from datetime import date

from django.urls import NoReverseMatch, reverse

from tiexi_gov.deadlines.selectors import running_deadline_ids
from tiexi_gov.workflow.models import Area, UnitScope
from tiexi_gov.workflow.registry import Flow, Need, for_unit

from ..register.flow import office_needs
from ..register.models import Body
from .models import AnnualTargets, ReviewEntry

D = ReviewEntry.Decision
T = AnnualTargets.State


def entry_url(entry: ReviewEntry) -> str:
    try:
        return f"{reverse('coordination:review', args=[entry.round_id])}#entry-{entry.pk}"
    except NoReverseMatch:
        return ""


def targets_url(targets: AnnualTargets) -> str:
    try:
        return reverse("coordination:target_set", args=[targets.pk])
    except NoReverseMatch:
        return ""


def entry_waiting(entry: ReviewEntry, day: date) -> list[Need]:
    if entry.decision == D.PENDING and entry.round_is_open():
        return office_needs("decide", "待评估", rule_id="CRD-4")
    return []


def targets_waiting(targets: AnnualTargets, day: date) -> list[Need]:
    if targets.body.status != Body.Status.ACTIVE:  # abolished or merged: its targets end with it
        return []
    if targets.state == T.PENDING:
        clock = running_deadline_ids([targets], "CRD-5").get(targets.pk)
        return [
            for_unit("file", "待报送", targets.body.host_unit_id, UnitScope.MEMBERS, rule_id="CRD-5", deadline_id=clock)
        ]
    if targets.state == T.FILED:
        return office_needs("check", "待督导检查", rule_id="CRD-5")
    return []


REVIEW_FLOW = Flow(
    model=ReviewEntry,
    area=Area.COORDINATION,
    noun="该机构的清理评估",
    url=entry_url,
    waiting=entry_waiting,
    state_field="decision",
    lock_related=("body",),
    optional={
        "decide_keep@keep": "本轮结束前可修改保留结论；不单独形成待办",
        "decide_merge@keep": "本轮结束前可修改保留结论；不单独形成待办",
        "decide_abolish@keep": "本轮结束前可修改保留结论；不单独形成待办",
    },
    nobody={"keep": "已作出保留结论，不再等待任何人"},
    label=lambda entry: f"清理评估：{entry.body.name}",
)

TARGETS_FLOW = Flow(
    model=AnnualTargets,
    area=Area.COORDINATION,
    noun="该年度目标",
    url=targets_url,
    waiting=targets_waiting,
    optional={"recheck_completion": "已督导检查后可修改检查结果；不单独形成待办"},
    nobody={"reviewed": "已督导检查；未完成目标转督查督办由办公室视情办理，不形成待办"},
)
