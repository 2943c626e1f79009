"""Who may see and act on a submission — the one place (X-2). Views, selectors and the FSM's
transition permissions all ask here. Object-only: a global Django permission never grants anything.

Day: checks that depend on who holds or acts for a post use `submission._day` when a service set it
(the day the action is taken), otherwise today.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from tiexi_gov.org.models import Post, Unit
from tiexi_gov.org.roles import OFFICE_ROLES, has_role
from tiexi_gov.org.selectors import posts_handled_by, posts_held_by

from .models import (
    OFFICE_STATES,
    RETURNABLE_BY_OFFICE,
    ConsultationRequest,
    LeaderAssignment,
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
    if not _active(user):
        return set()
    cache = getattr(user, "_handled_posts_cache", None)
    if cache is None:
        cache = user._handled_posts_cache = {}
    if day not in cache:
        cache[day] = {h.post.pk for h in posts_handled_by(user, day)}
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
    if not _active(user):
        return False
    day = _day(submission)
    if submission.confidential:
        return is_named_reader(user, submission) or _leader_reached(user, submission, day)
    return _base_visible(user, submission, day)


# --- actions -------------------------------------------------------------------------------------


def can_edit(user, submission: Submission) -> bool:
    """The unit's own staff draft, consult, revise and submit."""
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


def can_grant_reader(user, submission: Submission) -> bool:
    """The drafting unit names readers of a confidential item (its own staff who can see it)."""
    return _active(user) and getattr(user, "unit_id", None) == submission.unit_id and can_view(user, submission)


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
    send_to_leaders, decide, notify_units, close."""
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
        if state == SubmissionState.AWAITING_SIGNATURE:
            out.add("attach")
            if can_sign(user, submission):
                out |= {"sign", "send_back"}
        if state == SubmissionState.SIGNED and can_edit(user, submission):
            out.add("submit")
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
    return out


def can_download_attachment(user, attachment) -> bool:
    """An attachment is as visible as its submission (X-2)."""
    return can_view(user, attachment.submission)
