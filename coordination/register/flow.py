"""The register's tasks: what an application waits on in each state, and who (the queue's half of
`coordination.register.permissions` — each need mirrors the permission of the transition it expects).

    drafting / returned → the applicant unit's members: 待提交 / 待修改后重新提交 (while the body is free, CRD-1)
    office_review       → the office (staff and director roles): 待审核
    deputy_review       → the responsible deputy's post (acting applies on the day the queue is read): 待审核
    head_review         → the head's post, with the head's authority (ORG-3): 待审定
    approved            → final

No rule sets a time limit on these steps, so no task carries a clock. A body itself waits on no one: it changes only
by an approved application.
"""

from __future__ import annotations

from datetime import date

from django.urls import NoReverseMatch, reverse

from tiexi_gov.org.roles import Role
from tiexi_gov.org.selectors import head_post
from tiexi_gov.workflow.models import Area, UnitScope
from tiexi_gov.workflow.registry import Flow, Need, for_post, for_role, for_unit

from .models import Application, Body

St = Application.State
OFFICE_ROLES = (Role.OFFICE_STAFF, Role.OFFICE_DIRECTOR)  # the twin of coordination.shared.access.can_manage


def application_url(application: Application) -> str:
    try:
        return reverse("coordination:application", args=[application.pk])
    except NoReverseMatch:
        return ""


def body_url(body: Body) -> str:
    try:
        return reverse("coordination:body", args=[body.pk])
    except NoReverseMatch:
        return ""


def office_needs(action: str, label: str, **kw) -> list[Need]:
    return [for_role(action, label, role, **kw) for role in OFFICE_ROLES]


def waiting(app: Application, day: date) -> list[Need]:
    state = app.state
    if state in (St.DRAFTING, St.RETURNED):
        if not app.body_is_free():
            return []  # the body is busy with another application or gone: nobody can submit this one now
        label = "待提交" if state == St.DRAFTING else "待修改后重新提交"
        return [for_unit("submit", label, app.applicant_unit_id, UnitScope.MEMBERS, rule_id="CRD-1")]
    if state == St.OFFICE_REVIEW:
        return office_needs("office_review", "待审核", rule_id="CRD-1")
    if state == St.DEPUTY_REVIEW:
        if app.deputy_post_id is None:
            return []
        return [for_post("deputy_review", "待审核", app.deputy_post_id, rule_id="CRD-1")]
    if state == St.HEAD_REVIEW:
        head = head_post()
        return [for_post("approve", "待审定", head, rule_id="CRD-1", authority=True)] if head else []
    return []


APPLICATION_FLOW = Flow(
    model=Application,
    area=Area.COORDINATION,
    noun="该申请",
    url=application_url,
    waiting=waiting,
    lock_related=("applicant_unit", "applicant"),
    optional={
        "send_back": "退回是审核环节的另一种办理，待办是审核本身",
        "submit_for_unit": "区政府办公室可代申请单位提交；待办是申请单位的",
    },
)

BODY_FLOW = Flow(
    model=Body,
    area=Area.COORDINATION,
    noun="该议事协调机构",
    url=body_url,
    waiting=lambda body, day: [],
    state_field="status",
    optional={
        "merge": "合并只随区长批准的合并申请一并发生（第六十四条），不单独办理",
        "abolish": "撤销只随区长批准的撤销申请一并发生（第六十四条），不单独办理",
    },
    nobody={"active": "存续的机构不等待任何人：设立、调整、撤并都经申请（第六十四条）办理"},
)
