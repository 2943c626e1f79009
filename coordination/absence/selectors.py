"""Reads of leave and travel: my requests, those waiting for my decision, the office's filtered list, and the
"who is away" panel (LEAVE-3, LEAVE-4). Each in a constant number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from tiexi_gov.org.models import Appointment, Post, Unit, User

from ..models import AbsenceRequest
from . import permissions

State = AbsenceRequest.State
AWAY_HORIZON_DAYS = 7  # the "who is away" panel: today and the next 7 days

# --- reads: the lists and the "who is away" panel -----------------------------------------------------------

LIST_RELATED = ("person", "post", "post__unit", "acting_post", "approver_post")


def requests_of(user) -> QuerySet[AbsenceRequest]:
    return AbsenceRequest.objects.filter(person=user).select_related(*LIST_RELATED)


def waiting_for(user, day: dt.date) -> QuerySet[AbsenceRequest]:
    """Requests waiting for `user`'s decision: the approver post is one they handle today (acting included)."""
    posts = permissions.handled_post_ids(user, day)
    return AbsenceRequest.objects.filter(state=State.REQUESTED, approver_post_id__in=posts).select_related(
        *LIST_RELATED
    )


def all_requests(
    *,
    state: str = "",
    kind: str = "",
    unit: Unit | None = None,
    q: str = "",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet[AbsenceRequest]:
    """Every request, filtered (the office's list): state, kind, the post's unit, a name, and a date window the
    absence overlaps."""
    qs = AbsenceRequest.objects.select_related(*LIST_RELATED)
    if state:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(kind=kind)
    if unit is not None:
        qs = qs.filter(post__unit=unit)
    if q:
        qs = qs.filter(Q(person__full_name__icontains=q) | Q(person__username__icontains=q) | Q(place__icontains=q))
    if start:
        qs = qs.filter(end__gte=start)
    if end:
        qs = qs.filter(start__lte=end)
    return qs


def acting_holders(posts: Iterable[Post | None], day: dt.date) -> dict[int, User]:
    """{post id: holder on `day`} for many posts, in one query."""
    ids = {p.pk for p in posts if p is not None}
    if not ids:
        return {}
    holders: dict[int, User] = {}
    for appt in Appointment.objects.on(day).filter(post_id__in=ids).select_related("person").order_by("-start"):
        holders.setdefault(appt.post_id, appt.person)
    return holders


@dataclass(frozen=True)
class AwayRow:
    request: AbsenceRequest
    acting: User | None  # who holds the acting post (None: vacant)
    away_today: bool

    @property
    def until(self) -> dt.date:
        return self.request.end


def who_is_away(day: dt.date, horizon: int = AWAY_HORIZON_DAYS, unit: Unit | None = None) -> list[AwayRow]:
    """Approved absences that touch [day, day + horizon]: away today first, then by start. Two queries."""
    last = day + dt.timedelta(days=horizon)
    qs = (
        AbsenceRequest.objects.filter(state=State.APPROVED, start__lte=last, end__gte=day)
        .select_related(*LIST_RELATED)
        .order_by("start", "post__order", "id")
    )
    if unit is not None:
        qs = qs.filter(post__unit=unit)
    rows = list(qs)
    holders = acting_holders((r.acting_post for r in rows), day)
    result = [AwayRow(request=r, acting=holders.get(r.acting_post_id), away_today=r.start <= day) for r in rows]
    return sorted(result, key=lambda row: (not row.away_today, row.request.start))


def absence_or_404(user, pk: int, day: dt.date) -> AbsenceRequest:
    """One leave or travel request with what its page shows, for whoever may see it on `day`; 404 for anyone else,
    as for an id that does not exist."""
    req = AbsenceRequest.objects.select_related(*LIST_RELATED, "arrangement", "decided_by").filter(pk=pk).first()
    if req is None:
        raise Http404("没有找到该请假。")
    req._day = day
    if not permissions.can_view_absence(user, req):
        raise Http404("没有找到该请假。")
    return req
