"""Flow B's tasks: what a 发文 waits on in each state, and who (the queue's half of documents.outgoing.permissions).

Every need mirrors a transition's permission; the completeness tests prove that the people these needs reach are
exactly the people the transitions allow. On a confidential document the drafting unit's needs go to its named
readers by name; the bodies that process it (the office, 司法局, the deputies, the signers, the countersigning
heads) see it by their step.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from django.db.models import Q
from django.urls import NoReverseMatch, reverse

from documents.shared.readers import named_readers, narrowed_to_readers
from tiexi_gov.deadlines.selectors import running_deadline_ids
from tiexi_gov.org.models import Post
from tiexi_gov.org.roles import Role
from tiexi_gov.workflow.models import Area, UnitScope
from tiexi_gov.workflow.registry import Flow, Need, for_post, for_role, for_unit, for_user

from .models import DeputyReview, OneOffApproval, OutgoingCountersign, OutgoingDocument, OutgoingKind
from .models import OutgoingState as OS
from .permissions import SIGNER_KINDS, justice_unit

OFFICE = Role.OFFICE_STAFF
SIGNING_DEPUTY = Q(kind=Post.Kind.UNIT_HEAD) | Q(kind=Post.Kind.UNIT_DEPUTY, may_sign=True)
# The states in which a document a meeting decided to issue still waits to be issued (its MTG-10 clock runs).
ISSUE_CLOCK_STATES = (
    OS.DRAFTING,
    OS.RETURNED,
    OS.OFFICE_CHECK,
    OS.LEGALITY_REVIEW,
    OS.DEPUTY_REVIEW,
    OS.AWAITING_SIGNATURE,
    OS.SIGNED,
)


def outgoing_url(document: OutgoingDocument) -> str:
    try:
        return reverse("documents:outgoing_detail", args=[document.pk])
    except NoReverseMatch:
        return ""


def _editors(doc: OutgoingDocument, action: str, label: str, **kw) -> list[Need]:
    """The drafter (while still in the drafting unit) and that unit's clerks keep the draft going."""
    needs = [for_unit(action, label, doc.drafting_unit_id, UnitScope.CLERKS, **kw)]
    drafter = doc.drafted_by
    if drafter is not None and drafter.is_active and drafter.unit_id == doc.drafting_unit_id:
        needs.append(for_user(action, label, drafter, **kw))
    return needs


def _countersigners(doc: OutgoingDocument) -> list[Need]:
    """DOC-14 会签: each listed unit that has not signed yet, by its main head and its deputies authorized to sign."""
    signed = set(OutgoingCountersign.objects.filter(document=doc).values_list("unit_id", flat=True))
    units = [pk for pk in doc.countersign_units.values_list("pk", flat=True) if pk not in signed]
    if not units:
        return []
    posts = Post.objects.filter(SIGNING_DEPUTY, unit_id__in=units).order_by("unit_id", "kind", "pk")
    return [for_post("countersign", "待会签", pid, rule_id="DOC-14") for pid in posts.values_list("pk", flat=True)]


def _one_off(doc: OutgoingDocument) -> list[Need]:
    pending = doc.one_off_approvals.filter(state=OneOffApproval.State.PENDING).exists()
    return [for_role("decide_one_off", "待审核计划外发文", OFFICE, rule_id="DOC-15")] if pending else []


def _signers(doc: OutgoingDocument) -> list[Need]:
    """DOC-14: who signs which kind of document; the head's own signature only by the holder or the executive
    deputy entrusted to preside (ORG-3, `authority`)."""

    kinds = SIGNER_KINDS[OutgoingKind(doc.kind)]
    if doc.kind == OutgoingKind.DEPARTMENT_APPROVED:
        posts = Post.objects.filter(SIGNING_DEPUTY, unit_id=doc.drafting_unit_id)
    else:
        posts = Post.objects.filter(kind__in=kinds)
    return [
        for_post("sign", "待签发", p.pk, rule_id="DOC-14", authority=p.kind == Post.Kind.HEAD)
        for p in posts.order_by("kind", "order", "pk")
    ]


def waiting(doc: OutgoingDocument, day: date) -> list[Need]:

    state = doc.state
    needs: list[Need] = []
    if state == OS.DRAFTING:
        needs += _editors(doc, "submit", "待报送")
        needs += _countersigners(doc)
    elif state == OS.RETURNED:
        needs += _editors(doc, "revise", "待修改")
    elif state == OS.OFFICE_CHECK:
        needs.append(for_role("office_check", "待核稿", OFFICE, rule_id="DOC-15"))
        needs += _countersigners(doc)
    elif state == OS.LEGALITY_REVIEW:
        unit = justice_unit()
        if unit is not None and doc.normative:
            needs.append(for_unit("legality", "待合法性审查", unit, UnitScope.MEMBERS, rule_id="DOC-8"))
    elif state == OS.DEPUTY_REVIEW:
        posts = doc.deputy_reviews.filter(state=DeputyReview.State.PENDING).values_list("post_id", flat=True)
        needs += [for_post("review", "待审核", pid, rule_id="DOC-14") for pid in posts.order_by("post_id")]
    elif state == OS.AWAITING_SIGNATURE:
        needs += _signers(doc)
    elif state == OS.SIGNED:
        if doc.is_party_draft:
            needs.append(for_role("send_to_party", "待报区委", OFFICE, rule_id="DOC-9"))
            needs += _editors(doc, "send_to_party", "待报区委", rule_id="DOC-9")
        elif doc.kind == OutgoingKind.DEPARTMENT_APPROVED:
            needs += _editors(doc, "issue", "待印发")
        else:
            needs.append(for_role("issue", "待印发", OFFICE))
    elif state == OS.ISSUED and doc.normative and not doc.filed_on:
        clock = running_deadline_ids([doc], "DOC-8").get(doc.pk)
        needs.append(for_role("record_filing", "待备案", OFFICE, rule_id="DOC-8", deadline_id=clock))
        needs += _editors(doc, "record_filing", "待备案", rule_id="DOC-8", deadline_id=clock)
    if state in ISSUE_CLOCK_STATES and state != OS.SIGNED:  # a one-off request is decided before signature
        needs += _one_off(doc)
    if state in ISSUE_CLOCK_STATES and (clock := running_deadline_ids([doc], "MTG-10").get(doc.pk)):
        # A meeting decided to issue it within 7 working days (MTG-10): every step before 印发 runs on that clock,
        # so each task shows its due day and turns red when it is late, as the item page's record does.
        needs = [n if n.deadline_id else dataclasses.replace(n, deadline_id=clock) for n in needs]
    if doc.confidential:
        # Only the drafting unit's side is narrowed: everyone else sees a confidential document by their step.
        unit_side = lambda n: n.user_id is not None or n.unit_id == doc.drafting_unit_id  # noqa: E731
        needs = narrowed_to_readers(needs, named_readers(doc), day, keep=lambda n: not unit_side(n))
    return needs


FLOW = Flow(
    model=OutgoingDocument,
    area=Area.DOCUMENTS,
    noun="该发文",
    url=outgoing_url,
    waiting=waiting,
    lock_related=("drafting_unit",),
    optional={
        "send_back": "退回是核稿、审查、审核、签发时的另一种处理，不单独形成待办",
        "withdraw": "撤回（废止）是已签发、已印发文件的例外处理",
    },
    nobody={},
)
