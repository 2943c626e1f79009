"""Who may see and act on an outgoing document (flow B, DOC-8/9/14..18) — the one place for flow B."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from documents.outgoing.models import (
    OUTGOING_IN_PROGRESS,
    DeputyReview,
    DocumentPlan,
    LegalityReview,
    OneOffApproval,
    OutgoingCountersign,
    OutgoingDocument,
    OutgoingDocumentUserObjectPermission,
    OutgoingKind,
    OutgoingState,
)
from documents.shared.access import (
    _active,
    _day,
    _may_name_readers,
    handled_post_ids,
    is_editor,
    is_office_staff,
    is_unit_clerk_or_head,
    sees_as_office,
)
from documents.shared.normative import needs_checklist
from tiexi_gov.org.access import handlers_on
from tiexi_gov.org.models import Post, Unit
from tiexi_gov.org.roles import home_unit_id
from tiexi_gov.org.selectors import Handler, carries_authority
from tiexi_gov.workflow.kernel import transitions_for, transitions_leaving

OS = OutgoingState


OUTGOING_READ_PERM = "read_outgoingdocument"


JUSTICE_UNIT_CODE = "sfj"  # 铁西区司法局 in the org chart (tiexi_gov.org.demo)


# DOC-14: which post kinds sign which kind of document.
HEAD_SIGNED_KINDS = (
    OutgoingKind.GOVERNMENT,
    OutgoingKind.UPWARD,
    OutgoingKind.CONGRESS,
    OutgoingKind.PARTY_MEETING,
    OutgoingKind.JOINT_PARTY,
)


SIGNER_KINDS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(HEAD_SIGNED_KINDS, (Post.Kind.HEAD,)),
    OutgoingKind.OFFICE_DECISION: (Post.Kind.EXEC_DEPUTY, Post.Kind.HEAD),
    OutgoingKind.OFFICE_REMIT: (Post.Kind.OFFICE_DIRECTOR,),
    OutgoingKind.DEPARTMENT_APPROVED: (Post.Kind.UNIT_HEAD, Post.Kind.UNIT_DEPUTY),
}


SIGNER_TEXT = {
    **dict.fromkeys(HEAD_SIGNED_KINDS, "区长"),
    OutgoingKind.OFFICE_DECISION: "负责常务工作的副区长（必要时区长）",
    OutgoingKind.OFFICE_REMIT: "区政府办公室主任",
    OutgoingKind.DEPARTMENT_APPROVED: "本部门主要负责人或经授权的分管负责人",
}


SIGNING_VISIBLE_STATES = (OS.AWAITING_SIGNATURE, OS.SIGNED, OS.ISSUED, OS.SENT_TO_PARTY, OS.WITHDRAWN)


def justice_unit() -> Unit | None:
    """司法局: does the legality review of government normative documents (第二十四条)."""
    return (
        Unit.objects.filter(Q(code=JUSTICE_UNIT_CODE) | Q(name__endswith="司法局"), active=True)
        .order_by("-code", "id")
        .first()
    )


def is_justice_staff(user) -> bool:
    if not _active(user) or not home_unit_id(user):
        return False
    cached = getattr(user, "_is_justice_staff", None)
    if cached is None:
        unit = justice_unit()
        cached = user._is_justice_staff = bool(unit and unit.pk == home_unit_id(user))
    return cached


def is_named_outgoing_reader(user, document: OutgoingDocument) -> bool:
    if not _active(user):
        return False
    return OutgoingDocumentUserObjectPermission.objects.filter(
        user=user, content_object=document, permission__codename=OUTGOING_READ_PERM
    ).exists()


def signer_post_kinds(document: OutgoingDocument) -> tuple[str, ...]:
    return SIGNER_KINDS[OutgoingKind(document.kind)]


def signing_handler(user, document: OutgoingDocument, day: date | None = None) -> Handler | None:
    """The Handler by which `user` may sign `document` on `day` (own post first), or None."""
    if not _active(user):
        return None
    day = day or _day(document)
    kinds = signer_post_kinds(document)
    found = []
    for h in handlers_on(user, day):
        if h.post.kind not in kinds or not carries_authority(h):
            continue
        if document.kind == OutgoingKind.DEPARTMENT_APPROVED:
            if h.post.unit_id != document.drafting_unit_id:
                continue
            if h.post.kind == Post.Kind.UNIT_DEPUTY and not h.post.may_sign:
                continue
        found.append(h)
    found.sort(key=lambda h: (h.is_acting, kinds.index(h.post.kind)))
    return found[0] if found else None


def can_sign_outgoing(user, document: OutgoingDocument) -> bool:
    return document.state == OS.AWAITING_SIGNATURE and signing_handler(user, document) is not None


def _reached_leader(user, document: OutgoingDocument, day: date) -> bool:
    posts = handled_post_ids(user, day)
    if document.signed_by_id == user.pk:
        return True
    if document.deputy_reviews.filter(
        Q(post_id__in=posts) & ~Q(state=DeputyReview.State.CANCELLED) | Q(reviewed_by=user)
    ).exists():
        return True
    return document.state in SIGNING_VISIBLE_STATES and signing_handler(user, document, day) is not None


def _processing_visible(user, document: OutgoingDocument, day: date) -> bool:
    """Those who process the draft: the office once it is sent (or asked for a one-off approval), 司法局 for its
    legality review, the leaders it reached."""
    if sees_as_office(user, day) and (document.submitted_at is not None or document.one_off_approvals.exists()):
        return True
    if (
        is_justice_staff(user)
        and document.normative
        and (document.state == OS.LEGALITY_REVIEW or document.legality_reviews.exists())
    ):
        return True
    return _reached_leader(user, document, day)


def can_view_outgoing(user, document: OutgoingDocument) -> bool:
    """X-2: the drafting and countersigning units' staff and those who process it. A confidential document
    (限定知悉范围): in the units only its named readers; the processing bodies still see it — the office, 司法局
    and the leaders cannot check, review or sign what they cannot read."""
    if not _active(user):
        return False
    day = _day(document)
    if document.confidential:
        return (
            is_named_outgoing_reader(user, document)
            or _processing_visible(user, document, day)
            or countersign_handler(user, document, day) is not None
        )
    unit_id = home_unit_id(user)
    if unit_id and (document.drafting_unit_id == unit_id or document.countersign_units.filter(pk=unit_id).exists()):
        return True
    return _processing_visible(user, document, day)


def can_edit_outgoing(user, document: OutgoingDocument) -> bool:
    """The drafter and the drafting unit's clerks draft, revise, fill the DOC-8 checklist and send the draft on."""
    return (
        is_editor(user, document.drafting_unit_id, document.drafted_by_id)
        and document.state in (OS.DRAFTING, OS.RETURNED)
        and can_view_outgoing(user, document)
    )


def can_grant_outgoing_reader(user, document: OutgoingDocument) -> bool:
    """The drafting unit's clerk or head (or the drafter) and the office name readers of a confidential document."""
    day = _day(document)
    return _may_name_readers(user, document.drafting_unit_id, document.drafted_by_id, day) and can_view_outgoing(
        user, document
    )


def can_countersign(user, document: OutgoingDocument) -> bool:
    """会签: the head (or an authorized deputy) of a unit listed to countersign, while the draft is open."""
    if not _active(user) or document.state not in (OS.DRAFTING, OS.OFFICE_CHECK):
        return False
    unit_id = home_unit_id(user)
    return bool(unit_id) and document.countersign_units.filter(pk=unit_id).exists()


def can_office_check(user, document: OutgoingDocument) -> bool:
    return is_office_staff(user) and document.state == OS.OFFICE_CHECK and can_view_outgoing(user, document)


def can_legality_review(user, document: OutgoingDocument) -> bool:
    return is_justice_staff(user) and document.state == OS.LEGALITY_REVIEW and document.normative


def pending_reviews_for(user, document: OutgoingDocument, day: date | None = None) -> QuerySet[DeputyReview]:
    posts = handled_post_ids(user, day or _day(document))
    return document.deputy_reviews.filter(state=DeputyReview.State.PENDING, post_id__in=posts)


def can_review(user, document: OutgoingDocument) -> bool:
    return _active(user) and document.state == OS.DEPUTY_REVIEW and pending_reviews_for(user, document).exists()


def can_advance(user, document: OutgoingDocument) -> bool:
    """Who moves the draft past a checking step: the office (核稿), 司法局 (legality), a reviewing deputy."""
    return can_office_check(user, document) or can_legality_review(user, document) or can_review(user, document)


def can_send_back(user, document: OutgoingDocument) -> bool:
    """Returned by whoever holds it: the office at any checking step, 司法局, a reviewing deputy, the signer."""
    if document.state not in OUTGOING_IN_PROGRESS:
        return False
    return (
        (is_office_staff(user) and can_view_outgoing(user, document))
        or can_legality_review(user, document)
        or can_review(user, document)
        or can_sign_outgoing(user, document)
    )


def can_issue(user, document: OutgoingDocument) -> bool:
    """印发: the office for the government's and its own documents, the drafting unit for its own."""
    if document.state != OS.SIGNED or document.is_party_draft:
        return False
    if document.kind == OutgoingKind.DEPARTMENT_APPROVED:
        return is_editor(user, document.drafting_unit_id, document.drafted_by_id) and can_view_outgoing(user, document)
    return is_office_staff(user) and can_view_outgoing(user, document)


def can_send_to_party(user, document: OutgoingDocument) -> bool:
    return (
        document.state == OS.SIGNED
        and document.is_party_draft
        and (is_office_staff(user) or is_editor(user, document.drafting_unit_id, document.drafted_by_id))
        and can_view_outgoing(user, document)
    )


def can_withdraw(user, document: OutgoingDocument) -> bool:
    if document.state not in (OS.SIGNED, OS.ISSUED):
        return False
    if document.kind == OutgoingKind.DEPARTMENT_APPROVED:
        return _active(user) and home_unit_id(user) == document.drafting_unit_id
    return is_office_staff(user) and can_view_outgoing(user, document)


def can_record_filing(user, document: OutgoingDocument) -> bool:
    """备案 is recorded by the drafting unit or the office once a normative document is issued."""
    return (
        document.normative
        and document.state == OS.ISSUED
        and (is_editor(user, document.drafting_unit_id, document.drafted_by_id) or is_office_staff(user))
        and can_view_outgoing(user, document)
    )


def can_request_one_off(user, document: OutgoingDocument) -> bool:
    return can_edit_outgoing(user, document)


def can_decide_one_off(user, approval: OneOffApproval) -> bool:
    return is_office_staff(user) and approval.state == OneOffApproval.State.PENDING


def can_decide_one_off_for(user, document: OutgoingDocument) -> bool:
    """DOC-15: the office decides the document's pending one-off request."""
    return is_office_staff(user) and document.one_off_approvals.filter(state=OneOffApproval.State.PENDING).exists()


def visible_outgoing_q(user, day: date | None = None) -> Q:
    """A Q on OutgoingDocument equal to can_view_outgoing (constant number of queries for a list page)."""
    if not _active(user):
        return Q(pk__in=[])
    day = day or timezone.localdate()
    handlers = handlers_on(user, day)
    posts = {h.post.pk for h in handlers}
    reviewed = Exists(
        DeputyReview.objects.filter(document=OuterRef("pk")).filter(
            Q(post_id__in=posts) & ~Q(state=DeputyReview.State.CANCELLED) | Q(reviewed_by=user)
        )
    )
    leader = Q(reviewed) | Q(signed_by=user)
    signer_kinds = {kind for kind, post_kinds in SIGNER_KINDS.items() for h in handlers if h.post.kind in post_kinds}
    for kind in signer_kinds:
        post_kinds = SIGNER_KINDS[kind]
        ok = [h for h in handlers if h.post.kind in post_kinds and carries_authority(h)]
        if not ok:
            continue
        if kind == OutgoingKind.DEPARTMENT_APPROVED:
            units = [h.post.unit_id for h in ok if h.post.kind == Post.Kind.UNIT_HEAD or h.post.may_sign]
            if units:
                leader |= Q(kind=kind, state__in=SIGNING_VISIBLE_STATES, drafting_unit_id__in=units)
        else:
            leader |= Q(kind=kind, state__in=SIGNING_VISIBLE_STATES)
    processing = Q(leader)
    if is_office_staff(user):
        processing |= Q(submitted_at__isnull=False) | Q(Exists(OneOffApproval.objects.filter(document=OuterRef("pk"))))
    if is_justice_staff(user):
        processing |= Q(normative=True) & (
            Q(state=OS.LEGALITY_REVIEW) | Q(Exists(LegalityReview.objects.filter(document=OuterRef("pk"))))
        )
    base = Q(processing)
    unit_id = home_unit_id(user)
    if unit_id:
        base |= Q(drafting_unit_id=unit_id)
        base |= Q(
            Exists(
                OutgoingDocument.countersign_units.through.objects.filter(outgoingdocument=OuterRef("pk"), unit=unit_id)
            )
        )
    named = Exists(
        OutgoingDocumentUserObjectPermission.objects.filter(
            content_object=OuterRef("pk"), user=user, permission__codename=OUTGOING_READ_PERM
        )
    )
    return (Q(confidential=False) & base) | (Q(confidential=True) & (Q(named) | processing))


def visible_outgoing(user, day: date | None = None) -> QuerySet[OutgoingDocument]:
    """Every outgoing document `user` may see, newest first (the SQL twin of can_view_outgoing)."""
    return (
        OutgoingDocument.objects.filter(visible_outgoing_q(user, day))
        .select_related("drafting_unit", "drafted_by", "signed_by")
        .order_by("-created_at", "-id")
    )


def get_visible_outgoing(user, pk: int, day: date | None = None) -> OutgoingDocument | None:
    """One outgoing document if visible, else None (the view answers 404, never 403)."""
    return visible_outgoing(user, day).filter(pk=pk).first()


def countersigned_units(document: OutgoingDocument) -> set[int]:
    return set(OutgoingCountersign.objects.filter(document=document).values_list("unit_id", flat=True))


def signature_q(user, day: date | None = None) -> Q:
    """OutgoingDocument rows awaiting `user`'s signature on `day` (DOC-14, ORG-3): the SQL twin of
    can_sign_outgoing, for the queue (constant queries)."""
    if not _active(user):
        return Q(pk__in=[])
    day = day or timezone.localdate()
    q = Q(pk__in=[])
    handlers = [h for h in handlers_on(user, day) if carries_authority(h)]
    for kind, post_kinds in SIGNER_KINDS.items():
        ok = [h for h in handlers if h.post.kind in post_kinds]
        if not ok:
            continue
        if kind == OutgoingKind.DEPARTMENT_APPROVED:
            units = [h.post.unit_id for h in ok if h.post.kind == Post.Kind.UNIT_HEAD or h.post.may_sign]
            if units:
                q |= Q(kind=kind, drafting_unit_id__in=units)
        else:
            q |= Q(kind=kind)
    return Q(state=OS.AWAITING_SIGNATURE) & q


def countersign_handler(user, document: OutgoingDocument, day: date | None = None) -> Handler | None:
    """会签 (DOC-14) is given for a listed unit by its main head or a deputy authorized to sign — or whoever acts for
    them (LEAVE-4) — once per unit, while the draft is open. The Handler they sign by, or None."""
    if not _active(user) or document.state not in (OS.DRAFTING, OS.OFFICE_CHECK):
        return None
    posts = [h for h in handlers_on(user, day or _day(document)) if _signs_for_unit(h.post)]
    if not posts:
        return None
    listed = set(document.countersign_units.values_list("pk", flat=True)) - countersigned_units(document)
    posts = sorted((h for h in posts if h.post.unit_id in listed), key=lambda h: h.is_acting)
    return posts[0] if posts else None


def _signs_for_unit(post: Post) -> bool:
    return post.kind == Post.Kind.UNIT_HEAD or (post.kind == Post.Kind.UNIT_DEPUTY and post.may_sign)


def may_countersign_now(user, document: OutgoingDocument, day: date | None = None) -> bool:
    return countersign_handler(user, document, day) is not None


# FSM transition → the 发文 item page's actions it offers.
TRANSITION_ACTIONS = {
    "submit": ("submit",),
    "send_to_unit_signer": ("submit",),
    "countersign": ("countersign",),
    "decide_one_off": ("decide_one_off",),
    "to_legality_review": ("office_check",),
    "to_deputy_review": ("office_check", "legality"),
    "to_signature": ("office_check", "legality", "review"),
    "review": ("review",),
    "sign": ("sign",),
    "send_back": ("return",),
    "revise": ("revise",),
    "issue": ("issue",),
    "send_to_party": ("send_to_party",),
    "record_filing": ("filing",),
    "withdraw": ("withdraw",),
}
# Which page action a transition offers depends on the state it leaves (核稿 / 合法性审查 / 审核).
STATE_ACTIONS = {OS.OFFICE_CHECK: "office_check", OS.LEGALITY_REVIEW: "legality", OS.DEPUTY_REVIEW: "review"}


def allowed_transitions(user, obj) -> list[str]:
    """The steps the page offers: transitions leaving the state whose permission `user` holds; a rule not met yet
    (a transition's condition) is explained by the service when the button is used."""
    return transitions_for(obj, user, conditions=False)


def _steps_of(document: OutgoingDocument, action: str, names) -> set[str]:
    """Of the transitions `names`, those that offer page action `action` from the document's state."""
    return {
        name
        for name in names
        if action in TRANSITION_ACTIONS.get(name, ())
        and (not name.startswith("to_") or STATE_ACTIONS.get(document.state) == action)
    }


# Page actions that are not steps of the state machine: edits of the draft that go with its state.
EDIT_ACTIONS = frozenset({"edit", "attach", "checklist", "one_off", "party_opinion", "interpretation"})


def outgoing_action_refused(user, document: OutgoingDocument, action: str) -> bool:
    """Asked before an action's form is read, so that someone who may not take it learns nothing from the form's
    checks or the rule's: an edit the page does not offer `user`, or a step the document's state offers whose
    permission `user` does not hold (an office clerk posting 签发). A step the state no longer offers is its
    service's to answer ("已由XX处理")."""
    if action in EDIT_ACTIONS:
        return action not in outgoing_allowed_actions(user, document)
    leaving = _steps_of(document, action, transitions_leaving(document))
    return bool(leaving) and not (leaving & set(allowed_transitions(user, document)))


def outgoing_allowed_actions(user, document: OutgoingDocument, day: date | None = None) -> set[str]:
    """The actions the 发文 item page offers `user` now: the steps from the state machine's allowed transitions,
    plus the edits that go with a state. Each service re-checks under the row lock."""
    if not can_view_outgoing(user, document):
        return set()
    if day is not None:
        document._day = day
    state = document.state
    out: set[str] = set()
    for name in allowed_transitions(user, document):
        actions = TRANSITION_ACTIONS.get(name, ())
        if name.startswith("to_"):
            actions = [a for a in actions if a == STATE_ACTIONS.get(state)]
        out.update(actions)
    if can_edit_outgoing(user, document) and state == OS.DRAFTING:
        out |= {"edit", "attach"}
        if needs_checklist(document):
            out.add("checklist")
        if document.kind != OutgoingKind.PARTY_MEETING:
            out.add("one_off")
        if document.kind == OutgoingKind.JOINT_PARTY:
            out.add("party_opinion")
    own_unit = home_unit_id(user) == document.drafting_unit_id
    if own_unit and document.normative and state not in (OS.ISSUED, OS.WITHDRAWN, OS.SENT_TO_PARTY):
        out.add("interpretation")
    return out


def can_download_outgoing_attachment(user, attachment) -> bool:
    """A file of an outgoing document is as visible as the document (X-2)."""
    return can_view_outgoing(user, attachment.document)


def can_view_unit_plan(user, unit: Unit) -> bool:
    """A department's plan is seen by its own staff and by the office; anyone else gets 404."""
    return _active(user) and (home_unit_id(user) == unit.pk or is_office_staff(user))


def can_keep_plan(user, plan_or_unit) -> bool:
    """Who writes a plan: the office keeps the government's and the office's; a department's clerk or head its own.
    `plan_or_unit` is a DocumentPlan, or the Unit whose department plan is meant (None: the office's plans)."""

    unit_id = plan_or_unit.unit_id if isinstance(plan_or_unit, DocumentPlan) else getattr(plan_or_unit, "pk", None)
    if unit_id is None:
        return is_office_staff(user)
    return is_unit_clerk_or_head(user, unit_id)
