"""Reads of the minutes flow (MTG-3, MTG-6, MTG-7, MTG-10, MTG-12): the minutes page's minutes, chain and decisions
with what they started, and the lists of "我的会议待办" that belong to this flow. Each function does its own joins
so a page costs the same number of queries however many steps or decisions it shows; permission filtering comes
from `minutes.permissions` and `meeting.permissions`.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q

from documents.outgoing import selectors as outgoing
from documents.register import selectors as register
from supervision.ledger.selectors import items_for_sources
from tiexi_gov.audit.models import Event

from ..meeting import permissions as meeting_permissions
from ..meeting.models import MS, Meeting, MeetingKind
from . import permissions
from .models import Decision, Minutes, MinutesStep

CONFIDENTIAL_TEXT = "（依法保密，不予公开）"


# --- 我的会议待办: this flow's lists ---------------------------------------------------------------------------


def minutes_to_sign(user, day: dt.date) -> list[tuple[Minutes, list[MinutesStep]]]:
    """Minutes whose next step (MTG-3, MTG-6, MTG-7) waits for a post the user handles today: three queries."""
    posts = meeting_permissions.handled_post_ids(user, day)
    if not posts:
        return []
    ids = MinutesStep.objects.filter(
        signed_at__isnull=True, post_id__in=posts, minutes__state=Minutes.State.SIGNING
    ).values("minutes_id")
    rows = []
    for minutes in (
        Minutes.objects.filter(pk__in=ids)
        .select_related("meeting")
        .prefetch_related(
            Prefetch("steps", queryset=MinutesStep.objects.select_related("post").order_by("order", "id"))
        )
        .order_by("meeting__date", "id")
    ):
        mine = [s for s in permissions.next_steps(minutes) if s.post_id in posts]
        if mine:
            rows.append((minutes, mine))
    return rows


def minutes_to_draft(user, day: dt.date):
    """Held meetings whose minutes the user drafts (the office; a special meeting's lead unit, MTG-6/MTG-7) and
    that have no minutes yet or minutes still being drafted (for instance sent back)."""
    if not meeting_permissions._active(user):
        return Meeting.objects.none()
    waiting = Q(state=MS.HELD) & (Q(minutes__isnull=True) | Q(minutes__state=Minutes.State.DRAFTING))
    qs = Meeting.objects.filter(waiting).select_related("minutes").order_by("date", "id")
    if meeting_permissions.can_manage(user):
        return qs
    return qs.filter(kind=MeetingKind.SPECIAL, lead_unit_id__in=meeting_permissions.member_unit_ids(user, day))


# --- minutes and decisions ---------------------------------------------------------------------------------


def minutes_of(meeting: Meeting) -> Minutes | None:
    return (
        Minutes.objects.filter(meeting=meeting)
        .select_related("drafted_by")
        .prefetch_related(
            Prefetch(
                "steps",
                queryset=MinutesStep.objects.select_related("post", "unit", "signed_by").order_by("order", "id"),
            )
        )
        .first()
    )


def decisions_of(meeting: Meeting) -> list[Decision]:
    return list(
        Decision.objects.filter(meeting=meeting)
        .select_related("meeting", "topic", "drafting_unit", "lead_unit", "leader_post", "outgoing", "recorded_by")
        .prefetch_related("co_units")
        .order_by("order", "id")
    )


def sent_back_events(minutes: Minutes):
    """Send-back opinions (the chain's returns), oldest first."""
    return list(Event.objects.for_object(minutes).filter(action="sent_back").select_related("actor").order_by("at"))


def issue_deadlines(decisions: list[Decision]) -> dict[int, object]:
    """MTG-10: the 7-WD issuance clock of each decided document, by outgoing document id (one query)."""
    return outgoing.clocks_of([d.outgoing_id for d in decisions], "MTG-10")


def register_entries(decisions: list[Decision]) -> dict[int, object]:
    """MTG-12: the public register entry of each published decision (one query)."""
    return register.entries_for([d for d in decisions if d.published_on])


def supervision_items(decisions: list[Decision], user) -> dict[int, list]:
    """SUP-1: the supervision items raised from each decision that the user may see (one query)."""
    assigned = [d for d in decisions if d.kind == Decision.Kind.ASSIGN_WORK]
    if not assigned:
        return {}
    ct = ContentType.objects.get_for_model(Decision)
    found = items_for_sources(assigned, user)
    return {d.pk: found.get((ct.pk, str(d.pk)), []) for d in assigned}
