"""Who may see and act on a document — the one place for the documents app (X-2). Views, selectors, the FSM's
transition permissions and the services all ask here. Object-only: a global Django permission never grants
anything.

Two flows live here: a unit's submission to the government (flow A, `Submission`) and a document issued in the
government's or the office's name (flow B, `OutgoingDocument`, the second half of this module). `can_view`,
`can_edit` and `can_sign` answer for either kind of object.

Day: checks that depend on who holds or acts for a post use `submission._day` when a service set it
(the day the action is taken), otherwise today.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from tiexi_gov.org.models import ActingArrangement, Post, Unit
from tiexi_gov.org.roles import OFFICE_ROLES, Role, has_role
from tiexi_gov.org.selectors import Handler, posts_handled_by, posts_held_by

from .models import (
    OFFICE_STATES,
    OUTGOING_IN_PROGRESS,
    RETURNABLE_BY_OFFICE,
    ConsultationRequest,
    DeputyReview,
    LeaderAssignment,
    LegalityReview,
    OneOffApproval,
    OutgoingCountersign,
    OutgoingDocument,
    OutgoingDocumentUserObjectPermission,
    OutgoingKind,
    OutgoingState,
    Submission,
    SubmissionState,
    SubmissionUserObjectPermission,
)

READ_PERM = "read_submission"
# The office keeps seeing what it returned until the unit takes it back to drafting.
OFFICE_VISIBLE_STATES = (*OFFICE_STATES, SubmissionState.RETURNED)


def _day(obj=None) -> date:
    return getattr(obj, "_day", None) or timezone.localdate()


def _active(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_office_staff(user) -> bool:
    """区政府办公室 staff: the office's people or holders of an office role."""
    if not _active(user):
        return False
    if has_role(user, *OFFICE_ROLES):
        return True
    unit = getattr(user, "unit", None)
    return unit is not None and unit.kind == Unit.Kind.OFFICE


def handled_post_ids(user, day: date) -> set[int]:
    """Posts whose matters `user` handles on `day` (own, unless someone acts for them, plus acting-for)."""
    return {h.post.pk for h in handlers_on(user, day)}


def handlers_on(user, day: date) -> list:
    """posts_handled_by(user, day), remembered on the user object for the request (pages ask several times)."""
    if not _active(user):
        return []
    cache = getattr(user, "_handlers_cache", None)
    if cache is None:
        cache = user._handlers_cache = {}
    if day not in cache:
        cache[day] = posts_handled_by(user, day)
    return cache[day]


def handler_for_kind(user, day: date, *kinds) -> object | None:
    """The Handler by which `user` acts in a post of one of `kinds` on `day` (own post first)."""
    if not _active(user):
        return None
    handlers = [h for h in posts_handled_by(user, day) if h.post.kind in kinds]
    handlers.sort(key=lambda h: h.is_acting)
    return handlers[0] if handlers else None


def is_named_reader(user, submission: Submission) -> bool:
    if not _active(user):
        return False
    return SubmissionUserObjectPermission.objects.filter(
        user=user, content_object=submission, permission__codename=READ_PERM
    ).exists()


def _base_visible(user, submission: Submission, day: date) -> bool:
    unit_id = getattr(user, "unit_id", None)
    if unit_id and submission.unit_id == unit_id:
        return True
    if (
        unit_id
        and submission.consultations.filter(unit_id=unit_id).exclude(state=ConsultationRequest.State.CANCELLED).exists()
    ):
        return True
    if is_office_staff(user) and (submission.submitted_at is not None and submission.state in OFFICE_VISIBLE_STATES):
        return True
    return _leader_reached(user, submission, day)


def _leader_reached(user, submission: Submission, day: date) -> bool:
    posts = handled_post_ids(user, day)
    return submission.assignments.filter(
        Q(post_id__in=posts) & ~Q(state=LeaderAssignment.State.CANCELLED) | Q(handled_by=user)
    ).exists()


def can_view(user, submission: Submission) -> bool:
    """X-2. Confidential items: named readers only — plus the leader the item is routed to (the routing
    itself names them), so an acting deputy is never locked out of a queue item."""
    if isinstance(submission, OutgoingDocument):
        return can_view_outgoing(user, submission)
    if not _active(user):
        return False
    day = _day(submission)
    if submission.confidential:
        return is_named_reader(user, submission) or _leader_reached(user, submission, day)
    return _base_visible(user, submission, day)


# --- actions -------------------------------------------------------------------------------------


def can_edit(user, submission: Submission) -> bool:
    """The unit's own staff draft, consult, revise and submit."""
    if isinstance(submission, OutgoingDocument):
        return can_edit_outgoing(user, submission)
    return (
        _active(user)
        and getattr(user, "unit_id", None) == submission.unit_id
        and can_view(user, submission)
        and submission.state
        in (
            SubmissionState.DRAFTING,
            SubmissionState.CONSULTING,
            SubmissionState.SIGNED,
            SubmissionState.RETURNED,
        )
    )


def signing_post(user, submission: Submission) -> Post | None:
    """DOC-2: the unit's main head or a deputy head authorized to sign, holding the post on the day."""
    if not _active(user):
        return None
    for post in posts_held_by(user, _day(submission)):
        if post.unit_id != submission.unit_id:
            continue
        if post.kind == Post.Kind.UNIT_HEAD or (post.kind == Post.Kind.UNIT_DEPUTY and post.may_sign):
            return post
    return None


def can_sign(user, submission: Submission) -> bool:
    if isinstance(submission, OutgoingDocument):
        return can_sign_outgoing(user, submission)
    return signing_post(user, submission) is not None


def can_reply_consultation(user, consultation: ConsultationRequest) -> bool:
    return _active(user) and getattr(user, "unit_id", None) == consultation.unit_id


def can_register(user, submission: Submission) -> bool:
    return is_office_staff(user) and can_view(user, submission)


def can_deputy_review(user, submission: Submission) -> bool:
    return (
        can_view(user, submission)
        and handler_for_kind(user, _day(submission), Post.Kind.OFFICE_DEPUTY_DIRECTOR) is not None
    )


def can_director_review(user, submission: Submission) -> bool:
    return (
        can_view(user, submission) and handler_for_kind(user, _day(submission), Post.Kind.OFFICE_DIRECTOR) is not None
    )


def can_route(user, submission: Submission) -> bool:
    return is_office_staff(user) and can_view(user, submission)


def can_office_return(user, submission: Submission) -> bool:
    return is_office_staff(user) and can_view(user, submission) and submission.state in RETURNABLE_BY_OFFICE


def can_decide(user, submission: Submission) -> bool:
    """A leader acts on a submission when a pending step of it is for a post they handle today."""
    posts = handled_post_ids(user, _day(submission))
    return (
        bool(posts) and submission.assignments.filter(state=LeaderAssignment.State.PENDING, post_id__in=posts).exists()
    )


def can_decide_assignment(user, assignment: LeaderAssignment, day: date | None = None) -> bool:
    return assignment.state == LeaderAssignment.State.PENDING and assignment.post_id in handled_post_ids(
        user, day or _day(assignment.submission)
    )


def can_close(user, submission: Submission) -> bool:
    return is_office_staff(user) and can_view(user, submission)


def can_notify_units(user, submission: Submission) -> bool:
    return is_office_staff(user) and can_view(user, submission) and submission.state == SubmissionState.LEADER_REVIEW


def _may_name_readers(user, unit_id: int | None, drafted_by_id: int | None, day: date) -> bool:
    """X-2: readers of a confidential item are named by the drafting unit's clerk or head (or the drafter) and
    by the office; never by any other member of staff who merely reads it."""
    if not _active(user):
        return False
    if is_office_staff(user):
        return True
    if getattr(user, "unit_id", None) == unit_id and user.pk == drafted_by_id:
        return True
    return is_unit_clerk_or_head(user, unit_id, day)


def is_unit_clerk_or_head(user, unit_id: int | None, day: date | None = None) -> bool:
    """A member of `unit_id` who is its clerk (文书) or head — by role, or holding the unit head post on `day`."""
    if not _active(user) or unit_id is None or getattr(user, "unit_id", None) != unit_id:
        return False
    if has_role(user, Role.CLERK, Role.UNIT_HEAD):
        return True
    return any(
        p.unit_id == unit_id and p.kind == Post.Kind.UNIT_HEAD for p in posts_held_by(user, day or timezone.localdate())
    )


def can_grant_reader(user, submission: Submission) -> bool:
    """Who keeps the list of named readers of a confidential submission: see _may_name_readers; they must see it."""
    return _may_name_readers(user, submission.unit_id, submission.drafted_by_id, _day(submission)) and can_view(
        user, submission
    )


# --- the same rules in SQL, for selectors ----------------------------------------------------------


def visible_q(user, day: date | None = None) -> Q:
    """A Q on Submission equal to can_view, for list pages (constant number of queries)."""
    if not _active(user):
        return Q(pk__in=[])
    day = day or timezone.localdate()
    posts = handled_post_ids(user, day)
    leader = Exists(
        LeaderAssignment.objects.filter(submission=OuterRef("pk")).filter(
            Q(post_id__in=posts) & ~Q(state=LeaderAssignment.State.CANCELLED) | Q(handled_by=user)
        )
    )
    base = Q(leader)
    unit_id = getattr(user, "unit_id", None)
    if unit_id:
        base |= Q(unit_id=unit_id)
        base |= Q(
            Exists(
                ConsultationRequest.objects.filter(submission=OuterRef("pk"), unit_id=unit_id).exclude(
                    state=ConsultationRequest.State.CANCELLED
                )
            )
        )
    if is_office_staff(user):
        base |= Q(submitted_at__isnull=False, state__in=OFFICE_VISIBLE_STATES)
    named = Exists(
        SubmissionUserObjectPermission.objects.filter(
            content_object=OuterRef("pk"), user=user, permission__codename=READ_PERM
        )
    )
    return (Q(confidential=False) & base) | (Q(confidential=True) & (Q(named) | Q(leader)))


# --- what the item page offers -------------------------------------------------------------------------


def allowed_actions(user, submission: Submission, day: date | None = None) -> set[str]:
    """The actions the item page offers `user` right now (each service re-checks under the row lock).
    Names match the views' action table: consult, reply, extension, statement, countersign,
    send_for_signature, sign, send_back, submit, revise, attach, register, return, review, route,
    send_to_leaders, decide, notify_units, close, checklist (DOC-8)."""
    from .models import URGENT_KINDS

    if not can_view(user, submission):
        return set()
    if day is not None:
        submission._day = day
    day = _day(submission)
    state = submission.state
    out: set[str] = set()
    unit_id = getattr(user, "unit_id", None)
    if unit_id == submission.unit_id:
        if state in (SubmissionState.DRAFTING, SubmissionState.CONSULTING) and can_edit(user, submission):
            out |= {"edit", "consult", "send_for_signature", "attach", "extension", "statement"}
            if submission.normative:
                out.add("checklist")  # DOC-8
        if state == SubmissionState.AWAITING_SIGNATURE:
            out.add("attach")
            if can_sign(user, submission):
                out |= {"sign", "send_back"}
        if state == SubmissionState.SIGNED and can_edit(user, submission):
            out |= {"submit", "revise"}
        if state == SubmissionState.RETURNED and can_edit(user, submission):
            out.add("revise")
    if unit_id and unit_id != submission.unit_id:
        consults = [c for c in submission.consultations.all() if c.unit_id == unit_id]
        if any(c.state == ConsultationRequest.State.OPEN for c in consults):
            out.add("reply")
        if any(c.state == ConsultationRequest.State.ANSWERED and c.reply == "disagree" for c in consults):
            out.add("countersign")
    if is_office_staff(user) and submission.submitted_at is not None:
        if state == SubmissionState.SUBMITTED and can_register(user, submission):
            out.add("register")
        if state in RETURNABLE_BY_OFFICE and can_office_return(user, submission):
            out.add("return")
        if state == SubmissionState.REGISTERED and handler_for_kind(user, day, Post.Kind.OFFICE_DEPUTY_DIRECTOR):
            out.add("review")
        if state == SubmissionState.OFFICE_REVIEW and handler_for_kind(user, day, Post.Kind.OFFICE_DIRECTOR):
            out.add("review")
        if state == SubmissionState.AWAITING_ROUTING and can_route(user, submission):
            out.add("route")
            if submission.urgency in URGENT_KINDS:
                out.add("send_to_leaders")
        if can_notify_units(user, submission):
            out.add("notify_units")
        if state in (SubmissionState.APPROVED, SubmissionState.DISAPPROVED) and can_close(user, submission):
            out.add("close")
    if state == SubmissionState.LEADER_REVIEW and can_decide(user, submission):
        out.add("decide")
    if can_approve_briefing(user, submission):
        out |= {"approve_briefing", "return_briefing"}
    return out


def can_approve_briefing(user, submission: Submission) -> bool:
    """DOC-16: the office approves (核准) a briefing it received, or returns it; once approved it goes on."""
    from .models import SubmissionKind

    return (
        submission.kind == SubmissionKind.BRIEFING
        and submission.state in (SubmissionState.SUBMITTED, SubmissionState.REGISTERED)
        and is_office_staff(user)
        and can_view(user, submission)
        and not hasattr(submission, "briefing_approval")
    )


def can_download_attachment(user, attachment) -> bool:
    """An attachment is as visible as its submission (X-2)."""
    return can_view(user, attachment.submission)


# =====================================================================================================
# Flow B — a document issued in the government's or the office's name (发文, DOC-8/9/14..18).
#
# Signing authority (DOC-14, 第六十二条) and acting (ORG-3, 第十五条): a deputy acting for an absent deputy
# (指定代理) reviews and signs what that deputy would; the head's signature may be given by someone else only
# under an arrangement of the kind 受委托主持工作 held by the executive deputy — the only way the rules let anyone
# stand in for the head. A "designated" arrangement for the head (invalid under ORG-3, but possible in data
# entered without the admin form's check) never carries the head's signing authority.
# =====================================================================================================

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
    if not _active(user) or not getattr(user, "unit_id", None):
        return False
    cached = getattr(user, "_is_justice_staff", None)
    if cached is None:
        unit = justice_unit()
        cached = user._is_justice_staff = bool(unit and unit.pk == user.unit_id)
    return cached


def is_named_outgoing_reader(user, document: OutgoingDocument) -> bool:
    if not _active(user):
        return False
    return OutgoingDocumentUserObjectPermission.objects.filter(
        user=user, content_object=document, permission__codename=OUTGOING_READ_PERM
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


def can_sign_outgoing(user, document: OutgoingDocument) -> bool:
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


def can_view_outgoing(user, document: OutgoingDocument) -> bool:
    """X-2: the drafting and countersigning units' staff and those who process it. A confidential document
    (限定知悉范围): in the units only its named readers; the processing bodies still see it — the office, 司法局
    and the leaders cannot check, review or sign what they cannot read."""
    if not _active(user):
        return False
    day = _day(document)
    if document.confidential:
        return is_named_outgoing_reader(user, document) or _processing_visible(user, document, day)
    unit_id = getattr(user, "unit_id", None)
    if unit_id and (document.drafting_unit_id == unit_id or document.countersign_units.filter(pk=unit_id).exists()):
        return True
    return _processing_visible(user, document, day)


# --- acting ----------------------------------------------------------------------------------------------


def can_edit_outgoing(user, document: OutgoingDocument) -> bool:
    """The drafting unit's staff draft, revise, fill the DOC-8 checklist and send the draft on."""
    return (
        _active(user)
        and getattr(user, "unit_id", None) == document.drafting_unit_id
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
    unit_id = getattr(user, "unit_id", None)
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
        return _active(user) and getattr(user, "unit_id", None) == document.drafting_unit_id
    return is_office_staff(user) and can_view_outgoing(user, document)


def can_send_to_party(user, document: OutgoingDocument) -> bool:
    return (
        document.state == OS.SIGNED
        and document.is_party_draft
        and (is_office_staff(user) or getattr(user, "unit_id", None) == document.drafting_unit_id)
        and can_view_outgoing(user, document)
    )


def can_withdraw(user, document: OutgoingDocument) -> bool:
    if document.state not in (OS.SIGNED, OS.ISSUED):
        return False
    if document.kind == OutgoingKind.DEPARTMENT_APPROVED:
        return _active(user) and getattr(user, "unit_id", None) == document.drafting_unit_id
    return is_office_staff(user) and can_view_outgoing(user, document)


def can_record_filing(user, document: OutgoingDocument) -> bool:
    """备案 is recorded by the drafting unit or the office once a normative document is issued."""
    return (
        document.normative
        and document.state == OS.ISSUED
        and (getattr(user, "unit_id", None) == document.drafting_unit_id or is_office_staff(user))
        and can_view_outgoing(user, document)
    )


def can_request_one_off(user, document: OutgoingDocument) -> bool:
    return can_edit_outgoing(user, document)


def can_decide_one_off(user, approval: OneOffApproval) -> bool:
    return is_office_staff(user) and approval.state == OneOffApproval.State.PENDING


# --- the same rules in SQL, for lists ------------------------------------------------------------------


def visible_outgoing_q(user, day: date | None = None) -> Q:
    """A Q on OutgoingDocument equal to can_view_outgoing (constant number of queries for a list page)."""
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
    handlers = [h for h in handlers_on(user, day) if _carries_authority(h)]
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


def may_countersign_now(user, document: OutgoingDocument, day: date | None = None) -> bool:
    """会签 is given by the unit's head or an authorized deputy, once per unit."""
    if not can_countersign(user, document):
        return False
    day = day or _day(document)
    signs = any(
        p.unit_id == user.unit_id
        and (p.kind == Post.Kind.UNIT_HEAD or (p.kind == Post.Kind.UNIT_DEPUTY and p.may_sign))
        for p in posts_held_by(user, day)
    )
    return signs and user.unit_id not in countersigned_units(document)


def outgoing_allowed_actions(user, document: OutgoingDocument, day: date | None = None) -> set[str]:
    """The actions the 发文 item page offers `user` now. Each service re-checks under the row lock and answers
    with the rule's message, so this only decides which forms are shown."""
    if not can_view_outgoing(user, document):
        return set()
    if day is not None:
        document._day = day
    day = _day(document)
    state = document.state
    out: set[str] = set()
    own_unit = getattr(user, "unit_id", None) == document.drafting_unit_id
    if can_edit_outgoing(user, document):
        if state == OS.DRAFTING:
            out |= {"edit", "attach", "submit"}
            if document.normative:
                out.add("checklist")
            if document.kind != OutgoingKind.PARTY_MEETING:
                out.add("one_off")
            if document.kind == OutgoingKind.JOINT_PARTY:
                out.add("party_opinion")
        if state == OS.RETURNED:
            out.add("revise")
    if own_unit and document.normative and state not in (OS.ISSUED, OS.WITHDRAWN, OS.SENT_TO_PARTY):
        out.add("interpretation")
    if may_countersign_now(user, document, day):
        out.add("countersign")
    if can_office_check(user, document):
        out.add("office_check")
    if is_office_staff(user) and any(a.state == OneOffApproval.State.PENDING for a in document.one_off_approvals.all()):
        out.add("decide_one_off")
    if can_legality_review(user, document):
        out.add("legality")
    if can_review(user, document):
        out.add("review")
    if can_sign_outgoing(user, document):
        out.add("sign")
    if can_send_back(user, document):
        out.add("return")
    if can_issue(user, document):
        out.add("issue")
    if can_send_to_party(user, document):
        out.add("send_to_party")
    if can_record_filing(user, document) and not document.filed_on:
        out.add("filing")
    if can_withdraw(user, document):
        out.add("withdraw")
    return out


def can_download_outgoing_attachment(user, attachment) -> bool:
    """A file of an outgoing document is as visible as the document (X-2)."""
    return can_view_outgoing(user, attachment.document)


# --- DOC-15: the annual document plans ------------------------------------------------------------------------


def can_view_unit_plan(user, unit: Unit) -> bool:
    """A department's plan is seen by its own staff and by the office; anyone else gets 404."""
    return _active(user) and (getattr(user, "unit_id", None) == unit.pk or is_office_staff(user))


def can_keep_plan(user, plan_or_unit) -> bool:
    """Who writes a plan: the office keeps the government's and the office's; a department's clerk or head its own.
    `plan_or_unit` is a DocumentPlan, or the Unit whose department plan is meant (None: the office's plans)."""
    from .models import DocumentPlan

    unit_id = plan_or_unit.unit_id if isinstance(plan_or_unit, DocumentPlan) else getattr(plan_or_unit, "pk", None)
    if unit_id is None:
        return is_office_staff(user)
    return is_unit_clerk_or_head(user, unit_id)
