"""Who may draft, sign and read minutes and decisions — the minutes flow's one place (X-2).

- the office drafts the minutes (MTG-6); the lead unit drafts a special-topic meeting's (MTG-7);
- each step of the signing chain is signed, in order, by whoever handles its post on the day (own or acting,
  LEAVE-4); consecutive unit countersigns (MTG-7) run in parallel;
- confidential decisions are read by the office, the chair and their named readers only (guardian grant).
Object-only: a global Django permission never grants anything. `minutes.flow` addresses each step's task to
exactly the people these checks allow.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from guardian.models import UserObjectPermission

from ..meeting.models import AGENDA_KINDS, MS, Meeting, MeetingKind
from ..meeting.permissions import _active, _day, can_manage, can_view_meeting, handles, member_unit_ids
from .models import Decision, Minutes, MinutesStep


def may_hold(user, meeting: Meeting, today) -> bool:
    """The office records that a meeting was held: on or after its day, once it is ready (its agenda approved for
    the kinds that have one, else scheduled)."""
    ready = MS.AGENDA_APPROVED if meeting.kind in AGENDA_KINDS else MS.SCHEDULED
    return can_manage(user) and meeting.state == ready and today >= meeting.date


def can_start_minutes(user, meeting: Meeting) -> bool:
    """The office drafts (MTG-6); the lead unit drafts a special-topic meeting's minutes (MTG-7)."""
    if not _active(user):
        return False
    if meeting.kind == MeetingKind.SPECIAL and meeting.lead_unit_id:
        return meeting.lead_unit_id in member_unit_ids(user, _day(meeting)) or can_manage(user)
    return can_manage(user)


def can_draft_minutes(user, minutes: Minutes) -> bool:
    meeting = minutes.meeting
    if getattr(minutes, "_day", None) and not getattr(meeting, "_day", None):
        meeting._day = minutes._day
    return can_start_minutes(user, meeting)


def next_steps(minutes: Minutes) -> list[MinutesStep]:
    """The steps that may be signed now: the first unsigned one, or all consecutive unit countersigns."""
    open_steps = [s for s in minutes.steps.all() if s.signed_at is None]
    if not open_steps:
        return []
    first = open_steps[0]
    if first.step != MinutesStep.Step.UNIT_COUNTERSIGN:
        return [first]
    run = []
    for s in open_steps:
        if s.step != MinutesStep.Step.UNIT_COUNTERSIGN:
            break
        run.append(s)
    return run


def can_sign_step(user, minutes: Minutes) -> bool:
    day = _day(minutes)
    return _active(user) and any(handles(user, s.post_id, day) for s in next_steps(minutes))


def can_read_decision(user, decision: Decision) -> bool:
    """MTG-12 / X-2: a confidential decision is read by the office, the chair and its named readers only."""
    if not decision.confidential:
        return can_view_meeting(user, decision.meeting)
    if can_manage(user) or handles(user, decision.meeting.chair_post_id):
        return True
    # Object-only: the named reader's guardian grant; `user.has_perm` would also accept a global grant.
    return is_named_decision_reader(user, decision)


def can_name_decision_reader(user, decision: Decision) -> bool:
    return can_manage(user)


# --- minutes page (views): named readers of confidential decisions, in one query ----------------------------


def _reader_grants(decision_ids):

    ct = ContentType.objects.get_for_model(Decision)
    return UserObjectPermission.objects.filter(
        content_type=ct,
        permission__content_type=ct,
        permission__codename="read_decision",
        object_pk__in=[str(pk) for pk in decision_ids],
    )


def is_named_decision_reader(user, decision: Decision) -> bool:
    """A confidential decision's named reader: an object grant only (a global permission never counts)."""
    if not _active(user):
        return False
    return user.is_superuser or _reader_grants([decision.pk]).filter(user=user).exists()


def readable_decision_ids(user, decisions) -> set[int]:
    """`can_read_decision` for all the decisions of one meeting the user may view, in at most one query."""
    decisions = list(decisions)
    if not _active(user):
        return set()
    public = {d.pk for d in decisions if not d.confidential}
    secret = [d for d in decisions if d.confidential]
    if not secret:
        return public
    if can_manage(user) or user.is_superuser:
        return public | {d.pk for d in secret}
    chaired = {d.pk for d in secret if handles(user, d.meeting.chair_post_id)}
    rest = [d.pk for d in secret if d.pk not in chaired]
    named = (
        {int(pk) for pk in _reader_grants(rest).filter(user=user).values_list("object_pk", flat=True)}
        if rest
        else set()
    )
    return public | chaired | named


def decision_readers(decision_ids) -> dict[int, list]:
    """The named readers of each decision (one query), for the office's list on the minutes page."""
    out: dict[int, list] = {}
    for grant in _reader_grants(decision_ids).select_related("user", "user__unit").order_by("user__username"):
        out.setdefault(int(grant.object_pk), []).append(grant.user)
    return out
