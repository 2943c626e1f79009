"""Who decides on the schedule and the MTG-11 plan — the schedule flow's one place (X-2).

- the secretary decides the party group's postponement, the head the executive's and the plenary's; the same
  person consents to an ad hoc meeting of that kind (MTG-3, MTG-4);
- the office director checks the year's plan of district-wide meetings, the head approves it (MTG-11);
- an unplanned district-wide meeting is approved by the deputy in charge of its unit, then by the head.
Whoever handles the post on the day decides (own or acting, LEAVE-4). Object-only checks; `schedule.flow`
addresses each step's task to exactly the people these checks allow.
"""

from __future__ import annotations

from tiexi_gov.org.models import Post
from tiexi_gov.org.selectors import head_post, leader_post_for_unit

from ..meeting.models import Meeting, MeetingKind
from ..meeting.permissions import _active, _day, handled_post_ids, handles
from .models import DistrictMeeting, MeetingPlan


def decider_post(meeting: Meeting) -> Post | None:
    """MTG-3/4: the post that decides the meeting's postponement and consents to it ad hoc: the head for the
    executive and the plenary, the chair (the secretary) for the party group and a special meeting."""
    if meeting.kind in (MeetingKind.EXECUTIVE, MeetingKind.PLENARY):
        return head_post()
    return meeting.chair_post


def can_postpone(user, meeting: Meeting) -> bool:
    """MTG-3/4: the secretary decides on the party group's postponement, the head on the executive's."""
    if meeting.kind in (MeetingKind.EXECUTIVE, MeetingKind.PLENARY):
        head = head_post()
        return _active(user) and head is not None and handles(user, head, _day(meeting))
    return _active(user) and handles(user, meeting.chair_post_id, _day(meeting))


def can_consent_ad_hoc(user, meeting: Meeting) -> bool:
    """MTG-4: an ad hoc executive meeting needs the head's consent (the secretary's for the party group)."""
    return can_postpone(user, meeting)


def postponable_ids(user, meetings) -> set[int]:
    """The pks among `meetings` for which `can_postpone` (and so `can_consent_ad_hoc`) holds — the same rule,
    asked once for the head's post instead of once per row (the calendar lists many meetings)."""
    if not _active(user):
        return set()
    head = head_post()
    is_head = head is not None and handles(user, head)
    return {
        m.pk
        for m in meetings
        if (is_head if m.kind in (MeetingKind.EXECUTIVE, MeetingKind.PLENARY) else handles(user, m.chair_post_id))
    }


# --- MTG-11 plan ------------------------------------------------------------------------------------------------


def can_check_plan(user, plan: MeetingPlan) -> bool:
    """The office director's post (its holder, or whoever acts for them)."""
    ids = handled_post_ids(user, _day(plan))
    return _active(user) and Post.objects.filter(pk__in=ids, kind=Post.Kind.OFFICE_DIRECTOR).exists()


def can_approve_plan(user, plan: MeetingPlan | None) -> bool:
    head = head_post()
    return _active(user) and head is not None and handles(user, head, _day(plan))


def can_approve_as_deputy(user, meeting: DistrictMeeting) -> bool:
    day = _day(meeting)
    post = leader_post_for_unit(meeting.unit, day)
    return _active(user) and post is not None and handles(user, post, day)


def can_approve_as_head(user, meeting: DistrictMeeting) -> bool:
    return can_approve_plan(user, meeting)


def can_reject_unplanned(user, meeting: DistrictMeeting) -> bool:
    if meeting.state == DistrictMeeting.State.AWAITING_DEPUTY:
        return can_approve_as_deputy(user, meeting)
    return can_approve_as_head(user, meeting)
