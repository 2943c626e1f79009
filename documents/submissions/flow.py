"""Flow A's tasks: what a submission waits on in each state, and who (the queue's half of its permissions).

Every need mirrors a transition's permission in `documents.submissions.permissions`; the completeness tests prove
that the people these needs reach are exactly the people the transitions allow. A confidential submission is seen
only by its named readers (X-2), so its needs are addressed to the named readers they would reach, by name.
"""

from __future__ import annotations

from datetime import date

from django.urls import NoReverseMatch, reverse

from documents.shared.access import office_leader_needs
from documents.shared.readers import named_readers, narrowed_to_readers
from tiexi_gov.deadlines.selectors import running_deadline_ids
from tiexi_gov.org.models import Post
from tiexi_gov.org.roles import Role
from tiexi_gov.workflow.models import Area, UnitScope
from tiexi_gov.workflow.registry import Flow, Need, for_post, for_role, for_unit, for_user

from .models import (
    URGENCY_RANK,
    BriefingApproval,
    ConsultationRequest,
    LeaderAssignment,
    Submission,
    SubmissionKind,
    Urgency,
)
from .models import SubmissionState as S

OFFICE = Role.OFFICE_STAFF


def submission_url(submission: Submission) -> str:
    try:
        return reverse("documents:detail", args=[submission.pk])
    except NoReverseMatch:
        return ""


def signing_post_ids(unit_id: int) -> list[int]:
    """DOC-2: the unit's main head post and its deputy posts authorized to sign (ORG-4)."""
    return list(Post.objects.filter(unit_id=unit_id, kind=Post.Kind.UNIT_HEAD).values_list("pk", flat=True)) + list(
        Post.objects.filter(unit_id=unit_id, kind=Post.Kind.UNIT_DEPUTY, may_sign=True).values_list("pk", flat=True)
    )


def editor_needs(sub: Submission, action: str, label: str, **kw) -> list[Need]:
    """The drafting unit's clerks and the drafter (if still in the unit) keep the draft going."""
    needs = [for_unit(action, label, sub.unit_id, UnitScope.CLERKS, **kw)]
    drafter = sub.drafted_by
    if drafter is not None and drafter.is_active and drafter.unit_id == sub.unit_id:
        needs.append(for_user(action, label, drafter, **kw))
    return needs


def _open_consultations(sub: Submission) -> list[ConsultationRequest]:
    return list(sub.consultations.filter(state=ConsultationRequest.State.OPEN).order_by("id"))


def waiting(sub: Submission, day: date) -> list[Need]:
    urgency = 3 - URGENCY_RANK[Urgency(sub.urgency)]
    needs: list[Need] = []
    state = sub.state
    if state in (S.DRAFTING, S.CONSULTING):
        if sub.consultations_settled():
            needs += editor_needs(sub, "send_for_signature", "待送签发", urgency=urgency)
        else:  # the lead unit's own next step while the consultation is not settled (DOC-6)
            if sub.unconsulted_unit_names():
                needs += editor_needs(sub, "consult", "待征求意见", rule_id="DOC-6", urgency=urgency)
            if sub.awaits_statement():
                needs += editor_needs(sub, "statement", "待起草分歧意见说明", rule_id="DOC-6", urgency=urgency)
        requests = _open_consultations(sub)
        clocks = running_deadline_ids(requests, "DOC-7")
        needs += [
            for_unit(
                "reply",
                "待回复意见",
                r.unit_id,
                UnitScope.STAFF,
                rule_id="DOC-7",
                deadline_id=clocks.get(r.pk),
                urgency=urgency,
                from_user_id=r.requested_by_id,
            )
            for r in requests
        ]
        needs += [
            for_unit("countersign", "待会签分歧意见", unit_id, UnitScope.STAFF, rule_id="DOC-6", urgency=urgency)
            for unit_id in sub.units_to_countersign()
        ]
    elif state == S.AWAITING_SIGNATURE:
        needs += [
            for_post("sign", "待签发", pid, rule_id="DOC-2", urgency=urgency) for pid in signing_post_ids(sub.unit_id)
        ]
    elif state == S.SIGNED:
        needs += editor_needs(sub, "submit", "待报送", rule_id="DOC-3", urgency=urgency)
    elif state == S.RETURNED:
        needs += editor_needs(sub, "revise", "待修改", urgency=urgency)
    elif state == S.SUBMITTED:
        pending = _briefing_unapproved(sub)
        needs.append(
            for_role(
                "register", "待登记（简报待核准）" if pending else "待登记", OFFICE, rule_id="DOC-3", urgency=urgency
            )
        )
        if pending:
            needs += office_leader_needs("approve_briefing", "待核准简报", rule_id="DOC-16", urgency=urgency)
    elif state in (S.REGISTERED, S.OFFICE_REVIEW, S.AWAITING_ROUTING):
        clock = running_deadline_ids([sub], "DOC-13").get(sub.pk)
        if state == S.REGISTERED and _briefing_unapproved(sub):
            needs.append(for_role("approve_briefing", "待核准简报", OFFICE, rule_id="DOC-16", urgency=urgency))
            needs += office_leader_needs("approve_briefing", "待核准简报", rule_id="DOC-16", urgency=urgency)
        elif state == S.REGISTERED:
            kind = Post.Kind.OFFICE_DEPUTY_DIRECTOR
            needs += _post_needs(kind, "deputy_review", "待副主任审核", clock, urgency)
        elif state == S.OFFICE_REVIEW:
            needs += _post_needs(Post.Kind.OFFICE_DIRECTOR, "director_review", "待主任审核", clock, urgency)
        else:
            needs.append(for_role("route", "待呈批", OFFICE, rule_id="DOC-11", deadline_id=clock, urgency=urgency))
    elif state == S.LEADER_REVIEW:
        pending = list(sub.assignments.filter(state=LeaderAssignment.State.PENDING).order_by("batch", "order", "id"))
        clocks = running_deadline_ids(pending, "DOC-13")
        needs += [
            for_post(
                "decide",
                "待批示",
                a.post_id,
                rule_id="DOC-13",
                deadline_id=clocks.get(a.pk),
                urgency=urgency,
                from_user_id=a.assigned_by_id,
            )
            for a in pending
        ]
    elif state in (S.APPROVED, S.DISAPPROVED):
        needs.append(for_role("close", "待办结", OFFICE, urgency=urgency))
    if sub.confidential:
        readers = named_readers(sub)
        needs = narrowed_to_readers(needs, readers, day, keep=lambda n: n.action in SEEN_BY_ROUTING)
    return needs


def _briefing_unapproved(sub: Submission) -> bool:

    return sub.kind == SubmissionKind.BRIEFING and not BriefingApproval.objects.filter(submission=sub).exists()


def _post_needs(kind: str, action: str, label: str, clock, urgency: int) -> list[Need]:
    return [
        for_post(action, label, pid, rule_id="DOC-11", deadline_id=clock, urgency=urgency)
        for pid in Post.objects.filter(kind=kind).values_list("pk", flat=True)
    ]


# Steps whose permission does not ask whether the person may read the item: the routing itself names them.
SEEN_BY_ROUTING = ("sign", "decide")


FLOW = Flow(
    model=Submission,
    area=Area.DOCUMENTS,
    noun="该公文",
    url=submission_url,
    waiting=waiting,
    lock_related=("unit", "drafted_by"),
    optional={
        "office_return": "退回是办公室对待办事项的另一种处理，不单独形成待办",
        "start_consultation": "起草中可随时征求意见；待办是送签发",
        "revise@signed": "已签发待报送时可收回修改；待办是报送",
        "send_back_to_drafter": "签发人可退回修改；待办是签发",
    },
)
