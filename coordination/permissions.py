"""Who may see and act in the coordination area — the one place for the app (X-2).

- the register of bodies is open to every signed-in person of the government (it is the government's own
  organisation chart); applications are seen by the applicant unit, the office, the reviewing deputy and the head;
- the office (staff, director) reviews applications, makes adjustments (CRD-3), runs review rounds (CRD-4) and
  checks annual targets (CRD-5); a body's host unit files its targets;
- leave and travel (LEAVE-1..3): the requester, the approver (by post, acting included), the office; the "who is
  away" panel is for the office and the district leaders.
Outsiders get 404. Object-only: a global Django permission never grants anything.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from tiexi_gov.org.access import handled_post_ids, is_district_leader, is_office, member_unit_ids
from tiexi_gov.org.selectors import head_post

from .models import AbsenceRequest, Application


def _day(day: date | None) -> date:
    return day or timezone.localdate()


def _active(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def handles(user, post_id: int | None, day: date | None = None) -> bool:
    return post_id is not None and post_id in handled_post_ids(user, day)


def handles_head(user, day: date | None = None) -> bool:
    head = head_post()
    return head is not None and handles(user, head.pk, day)


def can_manage(user, obj=None) -> bool:
    """The office keeps the register, reviews applications, adjusts, reviews periodically, checks targets."""
    return _active(user) and is_office(user)


def can_view_register(user) -> bool:
    return _active(user)


# --- CRD-1 applications -----------------------------------------------------------------------------------


def can_apply(user, application: Application) -> bool:
    return can_manage(user) or application.applicant_unit_id in member_unit_ids(user)


def can_office_review(user, application: Application) -> bool:
    return can_manage(user)


def can_deputy_review(user, application: Application) -> bool:
    return handles(user, application.deputy_post_id)


def can_head_approve(user, application: Application) -> bool:
    return handles_head(user)


def can_return(user, application: Application) -> bool:
    """Whoever holds the current step may send the application back with an opinion."""
    S = Application.State
    return {
        S.OFFICE_REVIEW: can_office_review,
        S.DEPUTY_REVIEW: can_deputy_review,
        S.HEAD_REVIEW: can_head_approve,
    }.get(application.state, lambda u, a: False)(user, application)


def can_view_application(user, application: Application) -> bool:
    return (
        can_apply(user, application)
        or handles(user, application.deputy_post_id)
        or handles_head(user)
        or is_district_leader(user)
    )


# --- the register's pages (views_register: CRD-1, CRD-2) -----------------------------------------------------


def can_view_body(user, body=None) -> bool:
    """A body's page is part of the register: open to every signed-in person of the government."""
    return can_view_register(user)


def can_start_application(user) -> bool:
    """The office, or anyone who belongs to a unit (its clerk, its heads): a department applies (CRD-1)."""
    return can_manage(user) or bool(member_unit_ids(user))


# --- CRD-3..5 upkeep: leader changes, review rounds, annual targets ------------------------------------------


def can_adjust(user) -> bool:
    """CRD-3: the office makes the batch (or single) adjustment of a body's head and leaders."""
    return can_manage(user)


def hosts_body(user, body) -> bool:
    """The body's office: a member of the unit hosting the body (self-adjusts, files member changes, files targets)."""
    return _active(user) and body.host_unit_id in member_unit_ids(user)


def can_self_adjust(user, body) -> bool:
    """CRD-3: a body headed by a department head is adjusted by its own office, which files with the office."""
    return hosts_body(user, body)


def hosted_unit_ids(user) -> set[int]:
    """Units of `user` that host an active body (one query, cached on the user for the request)."""
    if not _active(user):
        return set()
    cache = user.__dict__.setdefault("_crd_hosted_units", {})
    if "ids" not in cache:
        from .models import Body

        hosting = Body.objects.filter(status=Body.Status.ACTIVE, host_unit_id__in=member_unit_ids(user))
        cache["ids"] = set(hosting.values_list("host_unit_id", flat=True))
    return cache["ids"]


def can_view_leader_changes(user) -> bool:
    """The office sees every change; a unit hosting a body sees the changes of its own bodies."""
    return can_manage(user) or bool(hosted_unit_ids(user))


def can_review_bodies(user) -> bool:
    """CRD-4: the periodic review (清理) is the office's."""
    return can_manage(user)


def can_file_targets(user, targets) -> bool:
    """CRD-5: the body's office files its year's targets."""
    return hosts_body(user, targets.body)


def can_check_targets(user, targets=None) -> bool:
    """CRD-5: the office opens the year, checks completion and sends follow-ups to the ledger."""
    return can_manage(user)


def can_view_targets(user, targets) -> bool:
    return can_check_targets(user, targets) or can_file_targets(user, targets)


# --- LEAVE-1..3 -------------------------------------------------------------------------------------------------


def can_decide_absence(user, request: AbsenceRequest) -> bool:
    return handles(user, request.approver_post_id, getattr(request, "_day", None))


def can_report_return(user, request: AbsenceRequest) -> bool:
    return _active(user) and (request.person_id == user.pk or can_manage(user))


def can_view_absence(user, request: AbsenceRequest) -> bool:
    return can_report_return(user, request) or can_decide_absence(user, request) or is_district_leader(user)


def can_view_who_is_away(user) -> bool:
    return can_manage(user) or is_district_leader(user)


# --- leave pages and research (views_leave: LEAVE-1..4, RES-1) --------------------------------------------------


def can_request_absence(user, post, day: date | None = None) -> bool:
    """Only the holder of a post asks leave for it (an acting person never asks in the absent holder's name)."""
    from tiexi_gov.org.selectors import holder_of

    if not _active(user) or post is None:
        return False
    holder = holder_of(post, _day(day))
    return holder is not None and holder.pk == user.pk


def can_list_all_absences(user) -> bool:
    """The office's list of every request (filterable); the district leaders see the same."""
    return can_view_who_is_away(user)


def can_see_unit_absences(user, unit) -> bool:
    """The unit page's panel of its people away: the office, the district leaders and the unit's own staff."""
    return can_view_who_is_away(user) or (_active(user) and unit is not None and user.unit_id == unit.pk)


def can_view_research(user) -> bool:
    """RES-1: the yearly research view is for the office and the district leaders."""
    return can_manage(user) or (_active(user) and is_district_leader(user))


def research_sees_all(user) -> bool:
    """The office sees every leader's row; a leader sees their own."""
    return can_manage(user)


def can_record_research(user, person) -> bool:
    """A leader records their own research days, topics and reports; the office may do it on their behalf."""
    return _active(user) and person is not None and (can_manage(user) or person.pk == user.pk)
