"""Leave's tasks (the queue's half of `coordination.absence.permissions`):

    requested → whoever handles the approver's post on the day the queue is read (the head for a deputy and for a
                unit head away longer than a day, the responsible deputy for one day; acting applies): 待审批
    approved  → the requester: 待返回销假 — the absence ends with their return report, which ends the acting (LEAVE-4)
    rejected, returned, cancelled → final

A head's travel (LEAVE-1) is a report to the city, approved on filing: it never waits on anyone in the district.
"""

from __future__ import annotations

from datetime import date

from django.urls import NoReverseMatch, reverse

from tiexi_gov.workflow.models import Area
from tiexi_gov.workflow.registry import Flow, Need, for_post, for_user

from .models import AbsenceRequest

State = AbsenceRequest.State
RULE_BY_KIND = {
    AbsenceRequest.Kind.HEAD: "LEAVE-1",
    AbsenceRequest.Kind.DEPUTY: "LEAVE-2",
    AbsenceRequest.Kind.UNIT_HEAD: "LEAVE-3",
}


def leave_url(req: AbsenceRequest) -> str:
    try:
        return reverse("coordination:leave", args=[req.pk])
    except NoReverseMatch:
        return ""


def span(req: AbsenceRequest) -> str:
    if req.start == req.end:
        return f"{req.start:%Y-%m-%d}"
    return f"{req.start:%Y-%m-%d}至{req.end:%Y-%m-%d}"


def waiting(req: AbsenceRequest, day: date) -> list[Need]:
    rule = RULE_BY_KIND.get(req.kind, "")
    if req.state == State.REQUESTED and req.approver_post_id:
        return [for_post("decide", "待审批", req.approver_post_id, rule_id=rule, from_user_id=req.person_id)]
    if req.state == State.APPROVED:
        rule = "LEAVE-3" if req.kind == AbsenceRequest.Kind.UNIT_HEAD else "LEAVE-4"
        note = f"{span(req)}外出，返回后销假（代理安排随之结束）"
        return [for_user("report_return", "待返回销假", req.person_id, rule_id=rule, note=note)]
    return []


def label(req: AbsenceRequest) -> str:
    return f"{req.person.display_name}（{req.post.title}）外出请假：{span(req)}，{req.place}"


FLOW = Flow(
    model=AbsenceRequest,
    area=Area.COORDINATION,
    noun="该请假",
    url=leave_url,
    waiting=waiting,
    lock_related=("person", "post", "post__unit", "acting_post", "approver_post"),
    optional={
        "reject": "不批准是审批的另一种结果，待办是审批本身",
        "cancel": "撤回是请假人的另一种处理，不单独形成待办",
        "report_return_for": "区政府办公室可代为销假；待办是请假人本人的",
    },
    label=label,
)
