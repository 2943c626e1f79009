"""Who may act on leave and travel (LEAVE-1..3): the requester, the approver (by post, acting included), the
office; the "who is away" panel is for the office and the district leaders.

Each step is asked of the day of the action (`request._day`, set by the workflow kernel; today otherwise) and has its
twin in `coordination.absence.flow`: a request waits on whoever handles its approver post that day; an approved
absence waits on the requester's return report."""

from __future__ import annotations

from datetime import date

from tiexi_gov.org.access import handled_post_ids, is_district_leader
from tiexi_gov.org.roles import home_unit_id
from tiexi_gov.org.selectors import holder_of

from ..shared.access import _active, _day, can_manage, day_of, handles
from .models import AbsenceRequest

__all__ = ["can_manage", "handled_post_ids"]


def can_decide_absence(user, request: AbsenceRequest) -> bool:
    """LEAVE-2/LEAVE-3: whoever handles the approver's post on the day (the head, the responsible deputy, or the
    person acting for them) — never the requester himself: when he is the one acting for the approver, the
    approver decides in person, from away."""
    if not _active(user) or request.person_id == user.pk or request.approver_post_id is None:
        return False
    day = day_of(request)
    if handles(user, request.approver_post_id, day):
        return True
    return handles(request.person, request.approver_post_id, day) and _holds(user, request.approver_post, day)


def _holds(user, post, day: date) -> bool:
    holder = holder_of(post, day)
    return holder is not None and holder.pk == user.pk


def is_requester(user, request: AbsenceRequest) -> bool:
    return _active(user) and request.person_id == user.pk


def can_report_return(user, request: AbsenceRequest) -> bool:
    """The requester reports their own return (LEAVE-3: the unit head reports back to the head and the deputy)."""
    return is_requester(user, request)


def can_report_return_for(user, request: AbsenceRequest) -> bool:
    """The office may record a return on the requester's behalf."""
    return can_manage(user)


def can_cancel(user, request: AbsenceRequest) -> bool:
    """The requester, or the office on their behalf, withdraws a request or an absence not yet started."""
    return is_requester(user, request) or can_manage(user)


def can_view_absence(user, request: AbsenceRequest) -> bool:
    return can_cancel(user, request) or can_decide_absence(user, request) or is_district_leader(user)


def can_view_who_is_away(user) -> bool:
    return can_manage(user) or is_district_leader(user)


def can_request_absence(user, post, day: date | None = None) -> bool:
    """Only the holder of a post asks leave for it (an acting person never asks in the absent holder's name)."""

    if not _active(user) or post is None:
        return False
    holder = holder_of(post, _day(day))
    return holder is not None and holder.pk == user.pk


def can_list_all_absences(user) -> bool:
    """The office's list of every request (filterable); the district leaders see the same."""
    return can_view_who_is_away(user)


def can_see_unit_absences(user, unit) -> bool:
    """The unit page's panel of its people away: the office, the district leaders and the unit's own staff."""
    return can_view_who_is_away(user) or (_active(user) and unit is not None and home_unit_id(user) == unit.pk)
