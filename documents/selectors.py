"""Reads of flow A, each with its own joins and the permission filter (X-2); constant query counts."""

from __future__ import annotations

from datetime import date

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from tiexi_gov.audit.selectors import history_of

from . import permissions
from .models import (
    ConsultationRequest,
    Instruction,
    LeaderAssignment,
    ProcessingSlip,
    Submission,
    SubmissionState,
)

S = SubmissionState
LIST_RELATED = ("unit", "current_slip", "drafted_by")


def visible_submissions(user, day: date | None = None) -> QuerySet[Submission]:
    """Every submission `user` may see (the SQL twin of permissions.can_view)."""
    return (
        Submission.objects.filter(permissions.visible_q(user, day or timezone.localdate()))
        .select_related(*LIST_RELATED)
        .order_by("-created_at", "-id")
    )


def get_visible_submission(user, pk: int, day: date | None = None) -> Submission | None:
    """One submission if visible, else None (the view answers 404, never 403)."""
    return visible_submissions(user, day).filter(pk=pk).first()


def leader_queue(user, day: date | None = None) -> QuerySet[LeaderAssignment]:
    """我的待办 for a leader: pending steps of the posts they handle on `day` (own or acting),
    most urgent first, then by due date."""
    day = day or timezone.localdate()
    posts = permissions.handled_post_ids(user, day)
    return (
        LeaderAssignment.objects.filter(state=LeaderAssignment.State.PENDING, post_id__in=posts)
        .select_related("submission", "submission__unit", "slip", "post")
        .order_by("urgency_rank", "due", "id")
    )


def office_queue(user, day: date | None = None) -> QuerySet[Submission]:
    """The office's work: received, registered, under review, awaiting routing, decided but not closed."""
    if not permissions.is_office_staff(user):
        return Submission.objects.none()
    return (
        visible_submissions(user, day)
        .filter(state__in=[S.SUBMITTED, S.REGISTERED, S.OFFICE_REVIEW, S.AWAITING_ROUTING, S.APPROVED, S.DISAPPROVED])
        .order_by("submitted_at", "id")
    )


def consultations_for_unit(user) -> QuerySet[ConsultationRequest]:
    """待会签: open opinion requests addressed to the user's unit, earliest due first."""
    if not getattr(user, "unit_id", None):
        return ConsultationRequest.objects.none()
    return (
        ConsultationRequest.objects.filter(unit_id=user.unit_id, state=ConsultationRequest.State.OPEN)
        .select_related("submission", "submission__unit")
        .order_by("due", "id")
    )


def slip_detail(slip: ProcessingSlip) -> dict:
    """Everything the printed 公文处理单 shows, in the paper form's order."""
    sub = slip.submission
    instructions = list(
        Instruction.objects.filter(slip=slip).select_related("author", "post", "acting_for").order_by("at", "id")
    )
    return {
        "slip": slip,
        "submission": sub,
        "office_opinions": [i for i in instructions if i.step != Instruction.Step.LEADER],
        "leader_instructions": [i for i in instructions if i.step == Instruction.Step.LEADER],
        "consultations": list(sub.consultations.select_related("unit", "replied_by").order_by("id")),
        "history": history_of(sub),
    }


def submission_detail(user, pk: int) -> Submission | None:
    """A visible submission with what its page needs prefetched."""
    return (
        visible_submissions(user)
        .filter(pk=pk)
        .prefetch_related(
            "attachments",
            Prefetch("consultations", queryset=ConsultationRequest.objects.select_related("unit", "replied_by")),
            Prefetch("instructions", queryset=Instruction.objects.select_related("author", "post", "acting_for")),
            Prefetch("assignments", queryset=LeaderAssignment.objects.select_related("post", "handled_by")),
            "disagreement_statements__countersigns",
        )
        .first()
    )
