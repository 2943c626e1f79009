"""Who may see and act on the register and its applications (CRD-1, CRD-2).

The register is open to every signed-in person (the government's own organisation chart). An application is seen by
the applicant unit, the office, the reviewing deputy, the head and the district leaders; outsiders get 404. Each step
is asked of the day of the action (`application._day`, set by the workflow kernel; today otherwise), and each step's
permission is the twin of what `coordination.register.flow` says the application waits on:

- drafting / returned → the applicant unit's members submit (the office may submit in their name: an alternative);
- office_review → the office (its staff and director, by business role);
- deputy_review → whoever handles the responsible deputy's post that day (acting included, LEAVE-4);
- head_review → whoever handles the head's post with the head's authority (ORG-3: the head, or the executive deputy
  entrusted to preside).
"""

from __future__ import annotations

from django_fsm import can_proceed, has_transition_perm

from tiexi_gov.org.access import handled_post_ids, handlers_on, is_district_leader, member_unit_ids
from tiexi_gov.org.selectors import Handler, carries_authority, head_post

from ..shared.access import _active, can_manage, can_view_register, day_of, handles
from .models import Application

__all__ = ["can_manage", "can_view_register", "handled_post_ids", "member_unit_ids"]


# A step some may take in another's name: the office submits a paper application for its unit (CRD-1).
ALTERNATIVES = {"submit": ("submit", "submit_for_unit")}


def may_take(application: Application, transition: str, user) -> bool:
    """Whether `user` may take the step `transition` on `application` now: the FSM's own conditions and permission,
    either way the step can be taken (CRD-1's paper application submitted by the office)."""
    return any(
        can_proceed(getattr(application, name)) and has_transition_perm(getattr(application, name), user)
        for name in ALTERNATIVES.get(transition, (transition,))
    )


def is_applicant(user, application: Application) -> bool:
    """A member of the applicant unit on the day: its home unit, or a post they hold or act for there."""
    return _active(user) and application.applicant_unit_id in member_unit_ids(user, day_of(application))


def can_apply(user, application: Application) -> bool:
    """Who may write an application in the unit's name: its members, and the office for any unit (CRD-1)."""
    return can_manage(user) or is_applicant(user, application)


def can_submit(user, application: Application) -> bool:
    return is_applicant(user, application)


def can_submit_for_unit(user, application: Application) -> bool:
    return can_manage(user)


def can_office_review(user, application: Application) -> bool:
    return can_manage(user)


def can_deputy_review(user, application: Application) -> bool:
    return handles(user, application.deputy_post_id, day_of(application))


def head_handler(user, application: Application | None = None) -> Handler | None:
    """How `user` handles the head's post on the day with the head's authority (ORG-3), or None."""
    head = head_post()
    if head is None or not _active(user):
        return None
    return next(
        (h for h in handlers_on(user, day_of(application)) if h.post.pk == head.pk and carries_authority(h)), None
    )


def can_head_approve(user, application: Application) -> bool:
    return head_handler(user, application) is not None


def can_return(user, application: Application) -> bool:
    """Whoever holds the current step may send the application back with an opinion."""
    S = Application.State
    return {
        S.OFFICE_REVIEW: can_office_review,
        S.DEPUTY_REVIEW: can_deputy_review,
        S.HEAD_REVIEW: can_head_approve,
    }.get(application.state, lambda u, a: False)(user, application)


def can_view_application(user, application: Application) -> bool:
    day = day_of(application)
    return (
        can_apply(user, application)
        or handles(user, application.deputy_post_id, day)
        or handles_head(user, day)
        or is_district_leader(user)
    )


def handles_head(user, day=None) -> bool:
    head = head_post()
    return head is not None and handles(user, head.pk, day)


def by_application_only(user, body) -> bool:
    """A body is merged or abolished only by the head's approval of an application (CRD-1), never directly."""
    return False


def can_view_body(user, body=None) -> bool:
    """A body's page is part of the register: open to every signed-in person of the government."""
    return can_view_register(user)


def can_start_application(user) -> bool:
    """The office, or anyone who belongs to a unit (its clerk, its heads): a department applies (CRD-1)."""
    return can_manage(user) or bool(member_unit_ids(user))
