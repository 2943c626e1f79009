"""Who may see and act on an outgoing document (发文, flow B) — the one place for flow B (X-2).

Views, selectors, the FSM's transition permissions and documents.issuance all ask here. Object-only:
a global Django permission never grants anything. To be merged into documents/permissions.py later.

Day: checks that depend on who holds or acts for a post use `document._day` when a service set it
(the day of the action), otherwise today.

Signing authority (DOC-14, 第六十二条) and acting (ORG-3, 第十五条): a deputy acting for an absent deputy
(指定代理) reviews and signs what that deputy would; the head's signature may be given by someone else only
under an arrangement of the kind 受委托主持工作 held by the executive deputy — the only way the rules let anyone
stand in for the head. A "designated" arrangement for the head (invalid under ORG-3, but possible in data
entered without the admin form's check) never carries the head's signing authority.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from tiexi_gov.org.models import ActingArrangement, Post, Unit
from tiexi_gov.org.selectors import Handler, posts_handled_by

from .models import (
    OUTGOING_IN_PROGRESS,
    DeputyReview,
    LegalityReview,
    OneOffApproval,
    OutgoingCountersign,
    OutgoingDocument,
    OutgoingDocumentUserObjectPermission,
    OutgoingKind,
    OutgoingState,
)
from .permissions import handled_post_ids, is_office_staff

OS = OutgoingState
READ_PERM = "read_outgoingdocument"
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


def _day(obj=None) -> date:
    return getattr(obj, "_day", None) or timezone.localdate()


def _active(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def justice_unit() -> Unit | None:
    """司法局: does the legality review of government normative documents (第二十四条)."""
    return (
        Unit.objects.filter(Q(code=JUSTICE_UNIT_CODE) | Q(name__endswith="司法局"), active=True)
        .order_by("-code", "id")
        .first()
    )


def is_justice_staff(user) -> bool:
    if not _active(user) or not getattr(user, "unit_id", None):
        return False
    cached = getattr(user, "_is_justice_staff", None)
    if cached is None:
        unit = justice_unit()
        cached = user._is_justice_staff = bool(unit and unit.pk == user.unit_id)
    return cached


def is_named_reader(user, document: OutgoingDocument) -> bool:
    if not _active(user):
        return False
    return OutgoingDocumentUserObjectPermission.objects.filter(
        user=user, content_object=document, permission__codename=READ_PERM
    ).exists()


# --- signing authority (DOC-14, ORG-3) ----------------------------------------------------------------


def signer_post_kinds(document: OutgoingDocument) -> tuple[str, ...]:
    return SIGNER_KINDS[OutgoingKind(document.kind)]


def _carries_authority(handler: Handler) -> bool:
    """ORG-3: only the executive deputy entrusted to preside (受委托主持工作) stands in for the head."""
    if not handler.is_acting or handler.post.kind != Post.Kind.HEAD:
        return True
    return (
        handler.arrangement.kind == ActingArrangement.Kind.ENTRUSTED and handler.via_post.kind == Post.Kind.EXEC_DEPUTY
    )


def signing_handler(user, document: OutgoingDocument, day: date | None = None) -> Handler | None:
    """The Handler by which `user` may sign `document` on `day` (own post first), or None."""
    if not _active(user):
        return None
    day = day or _day(document)
    kinds = signer_post_kinds(document)
    found = []
    for h in posts_handled_by(user, day):
        if h.post.kind not in kinds or not _carries_authority(h):
            continue
        if document.kind == OutgoingKind.DEPARTMENT_APPROVED:
            if h.post.unit_id != document.drafting_unit_id:
                continue
            if h.post.kind == Post.Kind.UNIT_DEPUTY and not h.post.may_sign:
                continue
        found.append(h)
    found.sort(key=lambda h: (h.is_acting, kinds.index(h.post.kind)))
    return found[0] if found else None


def can_sign(user, document: OutgoingDocument) -> bool:
    return document.state == OS.AWAITING_SIGNATURE and signing_handler(user, document) is not None


# --- seeing ----------------------------------------------------------------------------------------------


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
    if is_office_staff(user) and (document.submitted_at is not None or document.one_off_approvals.exists()):
        return True
    if (
        is_justice_staff(user)
        and document.normative
        and (document.state == OS.LEGALITY_REVIEW or document.legality_reviews.exists())
    ):
        return True
    return _reached_leader(user, document, day)


def can_view(user, document: OutgoingDocument) -> bool:
    """X-2: the drafting and countersigning units' staff and those who process it. A confidential document
    (限定知悉范围): in the units only its named readers; the processing bodies still see it — the office, 司法局
    and the leaders cannot check, review or sign what they cannot read."""
    if not _active(user):
        return False
    day = _day(document)
    if document.confidential:
        return is_named_reader(user, document) or _processing_visible(user, document, day)
    unit_id = getattr(user, "unit_id", None)
    if unit_id and (document.drafting_unit_id == unit_id or document.countersign_units.filter(pk=unit_id).exists()):
        return True
    return _processing_visible(user, document, day)


# --- acting ----------------------------------------------------------------------------------------------


def can_edit(user, document: OutgoingDocument) -> bool:
    """The drafting unit's staff draft, revise, fill the DOC-8 checklist and send the draft on."""
    return (
        _active(user)
        and getattr(user, "unit_id", None) == document.drafting_unit_id
        and document.state in (OS.DRAFTING, OS.RETURNED)
        and can_view(user, document)
    )


def can_countersign(user, document: OutgoingDocument) -> bool:
    """会签: the head (or an authorized deputy) of a unit listed to countersign, while the draft is open."""
    if not _active(user) or document.state not in (OS.DRAFTING, OS.OFFICE_CHECK):
        return False
    unit_id = getattr(user, "unit_id", None)
    return bool(unit_id) and document.countersign_units.filter(pk=unit_id).exists()


def can_office_check(user, document: OutgoingDocument) -> bool:
    return is_office_staff(user) and document.state == OS.OFFICE_CHECK and can_view(user, document)


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
        (is_office_staff(user) and can_view(user, document))
        or can_legality_review(user, document)
        or can_review(user, document)
        or can_sign(user, document)
    )


def can_issue(user, document: OutgoingDocument) -> bool:
    """印发: the office for the government's and its own documents, the drafting unit for its own."""
    if document.state != OS.SIGNED or document.is_party_draft:
        return False
    if document.kind == OutgoingKind.DEPARTMENT_APPROVED:
        return _active(user) and getattr(user, "unit_id", None) == document.drafting_unit_id
    return is_office_staff(user) and can_view(user, document)


def can_send_to_party(user, document: OutgoingDocument) -> bool:
    return (
        document.state == OS.SIGNED
        and document.is_party_draft
        and (is_office_staff(user) or getattr(user, "unit_id", None) == document.drafting_unit_id)
        and can_view(user, document)
    )


def can_withdraw(user, document: OutgoingDocument) -> bool:
    if document.state not in (OS.SIGNED, OS.ISSUED):
        return False
    if document.kind == OutgoingKind.DEPARTMENT_APPROVED:
        return _active(user) and getattr(user, "unit_id", None) == document.drafting_unit_id
    return is_office_staff(user) and can_view(user, document)


def can_record_filing(user, document: OutgoingDocument) -> bool:
    """备案 is recorded by the drafting unit or the office once a normative document is issued."""
    return (
        document.normative
        and document.state == OS.ISSUED
        and (getattr(user, "unit_id", None) == document.drafting_unit_id or is_office_staff(user))
        and can_view(user, document)
    )


def can_request_one_off(user, document: OutgoingDocument) -> bool:
    return can_edit(user, document)


def can_decide_one_off(user, approval: OneOffApproval) -> bool:
    return is_office_staff(user) and approval.state == OneOffApproval.State.PENDING


# --- the same rules in SQL, for lists ------------------------------------------------------------------


def visible_outgoing_q(user, day: date | None = None) -> Q:
    """A Q on OutgoingDocument equal to can_view (constant number of queries for a list page)."""
    if not _active(user):
        return Q(pk__in=[])
    day = day or timezone.localdate()
    handlers = posts_handled_by(user, day)
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
        ok = [h for h in handlers if h.post.kind in post_kinds and _carries_authority(h)]
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
    unit_id = getattr(user, "unit_id", None)
    if unit_id:
        base |= Q(drafting_unit_id=unit_id)
        base |= Q(
            Exists(
                OutgoingDocument.countersign_units.through.objects.filter(outgoingdocument=OuterRef("pk"), unit=unit_id)
            )
        )
    named = Exists(
        OutgoingDocumentUserObjectPermission.objects.filter(
            content_object=OuterRef("pk"), user=user, permission__codename=READ_PERM
        )
    )
    return (Q(confidential=False) & base) | (Q(confidential=True) & (Q(named) | processing))


def visible_outgoing(user, day: date | None = None) -> QuerySet[OutgoingDocument]:
    """Every outgoing document `user` may see, newest first (the SQL twin of can_view)."""
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
