"""Who may see and act on a submission (flow A) — the one place views, selectors, the FSM and services ask."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from documents.outgoing.models import OutgoingDocument
from documents.outgoing.permissions import can_edit_outgoing, can_sign_outgoing, can_view_outgoing
from documents.shared.access import (
    _active,
    _day,
    _may_name_readers,
    handled_post_ids,
    handler_for_kind,
    is_editor,
    is_office_staff,
    office_in_sql,
    sees_as_office,
)
from documents.shared.choices import URGENT_KINDS
from documents.shared.normative import needs_checklist
from documents.submissions.models import (
    OFFICE_STATES,
    RETURNABLE_BY_OFFICE,
    BriefingApproval,
    ConsultationRequest,
    LeaderAssignment,
    Submission,
    SubmissionKind,
    SubmissionState,
    SubmissionUserObjectPermission,
)
from tiexi_gov.org.access import handlers_on
from tiexi_gov.org.models import Post
from tiexi_gov.org.roles import Role, has_role, home_unit_id
from tiexi_gov.workflow.kernel import transitions_for, transitions_leaving

READ_PERM = "read_submission"


# The office keeps seeing what it returned until the unit takes it back to drafting.
OFFICE_VISIBLE_STATES = (*OFFICE_STATES, SubmissionState.RETURNED)


def is_named_reader(user, submission: Submission) -> bool:
    if not _active(user):
        return False
    return SubmissionUserObjectPermission.objects.filter(
        user=user, content_object=submission, permission__codename=READ_PERM
    ).exists()


def _base_visible(user, submission: Submission, day: date) -> bool:
    unit_id = home_unit_id(user)
    if unit_id and submission.unit_id == unit_id:
        return True
    if (
        unit_id
        and submission.consultations.filter(unit_id=unit_id).exclude(state=ConsultationRequest.State.CANCELLED).exists()
    ):
        return True
    if sees_as_office(user, day) and (
        submission.submitted_at is not None and submission.state in OFFICE_VISIBLE_STATES
    ):
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
        return (
            is_named_reader(user, submission)
            or _leader_reached(user, submission, day)
            or (submission.state == SubmissionState.AWAITING_SIGNATURE and submission_signer(user, submission))
        )
    return _base_visible(user, submission, day)


def can_edit(user, submission: Submission) -> bool:
    """The drafter and the unit's clerks draft, consult, revise and submit."""
    if isinstance(submission, OutgoingDocument):
        return can_edit_outgoing(user, submission)
    return (
        is_editor(user, submission.unit_id, submission.drafted_by_id)
        and can_view(user, submission)
        and submission.state
        in (
            SubmissionState.DRAFTING,
            SubmissionState.CONSULTING,
            SubmissionState.SIGNED,
            SubmissionState.RETURNED,
        )
    )


def submission_signer(user, submission: Submission):
    """DOC-2: the Handler by which `user` signs for the unit on the day — its main head or a deputy head authorized
    to sign (ORG-4), holding the post or acting for its holder (LEAVE-4); None if they may not."""
    if not _active(user):
        return None
    for h in sorted(handlers_on(user, _day(submission)), key=lambda h: h.is_acting):
        post = h.post
        if post.unit_id != submission.unit_id:
            continue
        if post.kind == Post.Kind.UNIT_HEAD or (post.kind == Post.Kind.UNIT_DEPUTY and post.may_sign):
            return h
    return None


def signing_post(user, submission: Submission) -> Post | None:
    handler = submission_signer(user, submission)
    return handler.post if handler else None


def can_sign(user, submission: Submission) -> bool:
    if isinstance(submission, OutgoingDocument):
        return can_sign_outgoing(user, submission)
    return submission_signer(user, submission) is not None


def is_unit_staff(user, unit_id: int | None) -> bool:
    """A clerk (文书) or head (单位负责人) of `unit_id` by role, in their home unit: who answers for the unit."""
    return (
        _active(user)
        and unit_id is not None
        and home_unit_id(user) == unit_id
        and has_role(user, Role.CLERK, Role.UNIT_HEAD)
    )


def can_reply(user, submission: Submission) -> bool:
    """DOC-6: a consulted unit's clerk or head gives the unit's written opinion while its request is open."""
    unit_id = home_unit_id(user)
    return (
        is_unit_staff(user, unit_id)
        and submission.consultations.filter(unit_id=unit_id, state=ConsultationRequest.State.OPEN).exists()
        and can_view(user, submission)
    )


def can_reply_consultation(user, consultation: ConsultationRequest) -> bool:
    return (
        consultation.state == ConsultationRequest.State.OPEN
        and is_unit_staff(user, consultation.unit_id)
        and can_view(user, consultation.submission)
    )


def can_countersign_statement(user, submission: Submission) -> bool:
    """DOC-6: a disagreeing unit's clerk or head countersigns the latest statement, once per unit."""
    unit_id = home_unit_id(user)
    return is_unit_staff(user, unit_id) and unit_id in submission.units_to_countersign() and can_view(user, submission)


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
    if not posts:
        return False
    pending = getattr(submission, "_pending_for", None)  # leader_decide has just locked the pending step
    if pending is not None and pending[0] == frozenset(posts):
        return pending[1] is not None
    return submission.assignments.filter(state=LeaderAssignment.State.PENDING, post_id__in=posts).exists()


def can_decide_assignment(user, assignment: LeaderAssignment, day: date | None = None) -> bool:
    return assignment.state == LeaderAssignment.State.PENDING and assignment.post_id in handled_post_ids(
        user, day or _day(assignment.submission)
    )


def can_close(user, submission: Submission) -> bool:
    return is_office_staff(user) and can_view(user, submission)


def can_notify_units(user, submission: Submission) -> bool:
    return is_office_staff(user) and can_view(user, submission) and submission.state == SubmissionState.LEADER_REVIEW


def can_grant_reader(user, submission: Submission) -> bool:
    """Who keeps the list of named readers of a confidential submission: see _may_name_readers; they must see it."""
    return _may_name_readers(user, submission.unit_id, submission.drafted_by_id, _day(submission)) and can_view(
        user, submission
    )


def leader_reached_exists(user, day: date) -> Exists:
    """The SQL twin of `_leader_reached`: a step of the item is for a post `user` handles on `day` (not cancelled),
    or they handled one. It alone makes an item visible, confidential or not."""
    return reached_by_exists(sorted(handled_post_ids(user, day)), user.pk)


def reached_by_exists(post_ids, user_id: int) -> Exists:
    """`leader_reached_exists` for the posts a user handles and the user's id."""
    return Exists(
        LeaderAssignment.objects.filter(submission=OuterRef("pk")).filter(
            Q(post_id__in=post_ids) & ~Q(state=LeaderAssignment.State.CANCELLED) | Q(handled_by_id=user_id)
        )
    )


def visible_q(user, day: date | None = None) -> Q:
    """A Q on Submission equal to can_view, for list pages (constant number of queries)."""
    if not _active(user):
        return Q(pk__in=[])
    day = day or timezone.localdate()
    leader = leader_reached_exists(user, day)
    base = Q(leader)
    unit_id = home_unit_id(user)
    if unit_id:
        base |= Q(unit_id=unit_id)
        base |= Q(
            Exists(
                ConsultationRequest.objects.filter(submission=OuterRef("pk"), unit_id=unit_id).exclude(
                    state=ConsultationRequest.State.CANCELLED
                )
            )
        )
    office = office_in_sql(user, day)  # the office roles are asked in the same query
    if office is not None:
        base |= Q(office) & Q(submitted_at__isnull=False, state__in=OFFICE_VISIBLE_STATES)
    named = Exists(
        SubmissionUserObjectPermission.objects.filter(
            content_object=OuterRef("pk"), user=user, permission__codename=READ_PERM
        )
    )
    return (Q(confidential=False) & base) | (Q(confidential=True) & (Q(named) | Q(leader)))


# FSM transition → the item page's actions it offers.
TRANSITION_ACTIONS = {
    "start_consultation": ("consult",),
    "consult_touched_units": ("consult",),
    "state_disagreement": ("statement",),
    "send_for_signature": ("send_for_signature",),
    "reply_consultation": ("reply",),
    "countersign_statement": ("countersign",),
    "sign": ("sign",),
    "send_back_to_drafter": ("send_back",),
    "submit": ("submit",),
    "revise": ("revise",),
    "register": ("register",),
    "office_return": ("return",),
    "approve_briefing": ("approve_briefing", "return_briefing"),
    "deputy_director_review": ("review",),
    "director_review": ("review",),
    "route": ("route",),
    "instruct": ("decide",),
    "approve": ("decide",),
    "disapprove": ("decide",),
    "leader_return": ("decide",),
    "close": ("close",),
}


# Page actions that are steps of the state machine (their services check them); the rest are edits.
STEP_ACTIONS = frozenset(a for actions in TRANSITION_ACTIONS.values() for a in actions) | {
    "send_to_leaders",
    "return_briefing",
}


def allowed_transitions(user, obj, only=None) -> list[str]:
    """The steps the page offers: transitions leaving the state whose permission `user` holds; a rule not met yet
    (a transition's condition) is explained by the service when the button is used. `only`: these names alone."""
    return transitions_for(obj, user, conditions=False, only=only)


def _transitions_of(action: str) -> set[str]:
    """The FSM transitions behind one page action."""
    wanted = {name for name, actions in TRANSITION_ACTIONS.items() if action in actions}
    wanted |= {"route"} if action == "send_to_leaders" else set()
    wanted |= {"office_return"} if action == "return_briefing" else set()
    return wanted


def step_refused(user, submission: Submission, action: str) -> bool:
    """A step of the state machine that the item's state offers, but whose permission `user` does not hold (a
    clerk posting 签发): refused before its form is read, so that someone who may not take the step learns nothing
    from the form's checks or the rule's. A step the state no longer offers is its service's to answer ("已由XX
    处理")."""
    if action not in STEP_ACTIONS:
        return False
    wanted = _transitions_of(action)
    return bool(transitions_leaving(submission, only=wanted)) and not allowed_transitions(user, submission, only=wanted)


def allowed_actions(
    user, submission: Submission, day: date | None = None, *, only: str | None = None, visible: bool = False
) -> set[str]:
    """The actions the item page offers `user` right now: the steps from the state machine's allowed transitions,
    plus the edits that go with a state (each service re-checks under the row lock). Names match the views'
    action table. `only`: the one action a form posted (its permission alone is asked); `visible`: the caller
    read the item through the visibility query already."""

    if not visible and not can_view(user, submission):
        return set()
    if day is not None:
        submission._day = day
    state = submission.state
    out: set[str] = set()
    wanted = None if only is None else _transitions_of(only)
    for name in allowed_transitions(user, submission, only=wanted):
        out.update(TRANSITION_ACTIONS.get(name, ()))
    if "return" in out and submission.kind == SubmissionKind.BRIEFING and submission.briefing_pending():
        out.add("return_briefing")  # DOC-16: the office returns a briefing it does not approve
    if "route" in out and submission.urgency in URGENT_KINDS:
        out.add("send_to_leaders")
    edits = {"edit", "consult", "attach", "extension", "statement", "checklist", "notify_units"}
    if only is not None and only not in edits:
        return out
    if state in (SubmissionState.DRAFTING, SubmissionState.CONSULTING) and can_edit(user, submission):
        out |= {"edit", "consult", "attach", "extension", "statement"}
        if needs_checklist(submission):
            out.add("checklist")  # DOC-8
    if state == SubmissionState.AWAITING_SIGNATURE and home_unit_id(user) == submission.unit_id:
        out.add("attach")
    if can_notify_units(user, submission):
        out.add("notify_units")
    return out


def can_approve_briefing(user, submission: Submission) -> bool:
    """DOC-16: the office approves (核准) a briefing it received, or returns it; once approved it goes on."""
    return (
        submission.kind == SubmissionKind.BRIEFING
        and submission.state in (SubmissionState.SUBMITTED, SubmissionState.REGISTERED)
        and sees_as_office(user, _day(submission))
        and can_view(user, submission)
        and not BriefingApproval.objects.filter(submission=submission).exists()
    )


def can_download_attachment(user, attachment) -> bool:
    """An attachment is as visible as its submission (X-2)."""
    return can_view(user, attachment.submission)
