"""Reads for the upkeep of the bodies: leader changes (CRD-3), review rounds (CRD-4), annual targets (CRD-5).

Every list is read in a fixed number of queries however many bodies, posts or targets it shows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from tiexi_gov.org.models import Appointment, Post, User

from ..models import Adjustment, AnnualTargets, Application, Body, Rank, ReviewEntry, ReviewRound, Seat
from . import permissions
from .services import LEADER_ADJUSTMENT_KINDS, LEADER_ROLES

# --- CRD-3: leader changes ---------------------------------------------------------------------------------------


def bodies_led_by(post: Post) -> QuerySet[Body]:
    """The active bodies `post` heads or deputy-heads — exactly those (members' seats are not leadership)."""
    return (
        Body.objects.filter(status=Body.Status.ACTIVE, seats__post=post, seats__role__in=LEADER_ROLES)
        .select_related("host_unit")
        .distinct()
        .order_by("name")
    )


@dataclass
class AffectedBody:
    body: Body
    role: str  # the seat's role label
    since: dt.date  # the last time this post's seat on the body was settled (adjustment or founding)

    @property
    def self_adjusts(self) -> bool:
        """CRD-3: a body headed by a department head adjusts itself and files with the office."""
        return self.body.rank == Rank.DEPARTMENT


@dataclass
class LeaderChange:
    """A post seated as head or deputy head whose holder changed after its seats were last adjusted."""

    post: Post
    changed_on: dt.date  # the day the current holder's appointment started
    previous_holder: User | None
    new_holder: User | None
    bodies: list[AffectedBody] = field(default_factory=list)

    @property
    def office_bodies(self) -> list[AffectedBody]:
        """Bodies the office adjusts (batch or single)."""
        return [b for b in self.bodies if not b.self_adjusts]

    @property
    def self_bodies(self) -> list[AffectedBody]:
        """Bodies headed by a department head: their own office adjusts them."""
        return [b for b in self.bodies if b.self_adjusts]


def _settled_on(body: Body) -> dt.date:
    return body.founded_on or timezone.localtime(body.created_at).date()


def changes_needing_attention(*, today: dt.date | None = None, unit_ids: set[int] | None = None) -> list[LeaderChange]:
    """CRD-3: posts seated as head or deputy head in active bodies whose holder changed (an appointment started)
    after the last adjustment covering that post and body — or after the body was set up, if never adjusted.
    With `unit_ids`, only the bodies those units host. Three queries."""
    day = today or timezone.localdate()
    seats = Seat.objects.filter(role__in=LEADER_ROLES, body__status=Body.Status.ACTIVE)
    if unit_ids is not None:
        seats = seats.filter(body__host_unit_id__in=unit_ids)
    seats = list(seats.select_related("body", "body__host_unit", "post", "post__unit").order_by("body__name", "id"))
    if not seats:
        return []
    post_ids = {s.post_id for s in seats}
    adjusted = {
        (row["adjustment__post_id"], row["body_id"]): row["last"]
        for row in Adjustment.bodies.through.objects.filter(
            body_id__in={s.body_id for s in seats},
            adjustment__post_id__in=post_ids,
            adjustment__kind__in=LEADER_ADJUSTMENT_KINDS,
        )
        .values("adjustment__post_id", "body_id")
        .annotate(last=Max("adjustment__on"))
        .order_by()
    }
    appointments: dict[int, list[Appointment]] = {}
    for appt in (
        Appointment.objects.filter(post_id__in=post_ids, start__lte=day)
        .select_related("person")
        .order_by("post_id", "-start", "-id")
    ):
        rows = appointments.setdefault(appt.post_id, [])
        if len(rows) < 2:
            rows.append(appt)
    changes: dict[int, LeaderChange] = {}
    for seat in seats:
        appts = appointments.get(seat.post_id)
        if not appts:
            continue
        latest = appts[0]
        settled = max(_settled_on(seat.body), adjusted.get((seat.post_id, seat.body_id), dt.date.min))
        if latest.start <= settled:
            continue
        change = changes.get(seat.post_id)
        if change is None:
            change = changes[seat.post_id] = LeaderChange(
                post=seat.post,
                changed_on=latest.start,
                previous_holder=appts[1].person if len(appts) > 1 else None,
                new_holder=latest.person if latest.covers(day) else None,
            )
        change.bodies.append(AffectedBody(body=seat.body, role=seat.get_role_display(), since=settled))
    return sorted(changes.values(), key=lambda c: (-c.changed_on.toordinal(), c.post.order, c.post.pk))


def recent_adjustments(*, unit_ids: set[int] | None = None, limit: int = 20) -> list[Adjustment]:
    """The latest adjustments (the office: all; a host unit: those touching its bodies). Three queries."""
    qs = Adjustment.objects.all()
    if unit_ids is not None:
        qs = qs.filter(bodies__host_unit_id__in=unit_ids).distinct()
    return list(
        qs.select_related("post", "by", "informed_deputy_post")
        .prefetch_related("bodies")
        .order_by("-on", "-id")[:limit]
    )


def hosted_bodies(unit_ids: set[int]) -> list[Body]:
    return list(
        Body.objects.filter(status=Body.Status.ACTIVE, host_unit_id__in=unit_ids)
        .select_related("host_unit")
        .order_by("name")
    )


# --- CRD-4: review rounds ---------------------------------------------------------------------------------------

D = ReviewEntry.Decision


def rounds() -> QuerySet[ReviewRound]:
    """Review rounds, newest first, with their counts (one query)."""
    return (
        ReviewRound.objects.select_related("opened_by")
        .annotate(
            n_entries=Count("entries"),
            n_pending=Count("entries", filter=Q(entries__decision=D.PENDING)),
            n_flagged=Count("entries", filter=~Q(entries__suggestions=[])),
            n_keep=Count("entries", filter=Q(entries__decision=D.KEEP)),
            n_merge=Count("entries", filter=Q(entries__decision=D.MERGE)),
            n_abolish=Count("entries", filter=Q(entries__decision=D.ABOLISH)),
        )
        .order_by("-opened_on", "-id")
    )


def round_or_404(user, pk: int) -> ReviewRound:
    if not permissions.can_review_bodies(user):
        raise Http404("没有找到该清理评估。")
    rnd = rounds().filter(pk=pk).first()
    if rnd is None:
        raise Http404("没有找到该清理评估。")
    return rnd


def round_entries(rnd: ReviewRound, *, flagged_only: bool = False) -> QuerySet[ReviewEntry]:
    qs = rnd.entries.select_related("body", "body__host_unit", "merge_into", "decided_by").order_by("body__name", "id")
    if flagged_only:
        qs = qs.exclude(suggestions=[])
    return qs


def applications_by_entry(entries) -> dict[int, Application]:
    """entry id → the application its decision fed (one query)."""
    ids = [e.pk for e in entries]
    if not ids:
        return {}
    return {a.review_id: a for a in Application.objects.filter(review_id__in=ids).order_by("id")}


def merge_candidates() -> list[tuple[int, str]]:
    """(id, name) of the active bodies (plain values: a deferred FSM model reloads its state per row)."""
    return list(Body.objects.filter(status=Body.Status.ACTIVE).order_by("name").values_list("id", "name"))


# --- CRD-5: annual targets ---------------------------------------------------------------------------------------


def target_sets(user, year: int) -> QuerySet[AnnualTargets]:
    """The year's target sets `user` may see (the office: all; a host unit: its bodies'), with their counts."""
    qs = AnnualTargets.objects.filter(year=year)
    if not permissions.can_check_targets(user):
        qs = qs.filter(body__host_unit_id__in=permissions.member_unit_ids(user))
    return (
        qs.select_related("body", "body__host_unit", "filed_by")
        .annotate(
            n_items=Count("items"),
            n_done=Count("items", filter=Q(items__done=True)),
            n_undone=Count("items", filter=Q(items__done=False)),
            n_followed=Count("items", filter=Q(items__follow_up__isnull=False)),
        )
        .order_by("body__name", "id")
    )


def may_see_targets_page(user) -> bool:
    return permissions.can_check_targets(user) or bool(permissions.hosted_unit_ids(user))


def target_set_or_404(user, pk: int) -> AnnualTargets:
    targets = AnnualTargets.objects.select_related("body", "body__host_unit", "filed_by").filter(pk=pk).first()
    if targets is None or not permissions.can_view_targets(user, targets):
        raise Http404("没有找到该年度目标。")
    return targets


def target_items(targets: AnnualTargets) -> list:
    return list(targets.items.select_related("follow_up").order_by("id"))


def bodies_without_targets(year: int) -> int:
    return Body.objects.filter(status=Body.Status.ACTIVE).exclude(annual_targets__year=year).count()
