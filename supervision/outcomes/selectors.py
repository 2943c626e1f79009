"""Reads of the outcomes (SUP-4): the list page — what waits for my decision first, then the newest."""

from __future__ import annotations

from django.db.models import Case, IntegerField, QuerySet, Value, When

from tiexi_gov.org.access import handled_post_ids

from . import permissions
from .models import Outcome

PAGE_RELATED = ("item", "item__lead_unit", "unit", "approver_post", "proposed_by", "decided_by")


def outcome_list(user, *, state: str = "", kind: str = "") -> QuerySet:
    """The outcomes `user` may see, filtered; those waiting on a post they handle today first; lazy."""
    posts = handled_post_ids(user)
    qs = permissions.visible_outcomes(user).select_related("item", "unit", "approver_post", "decided_by")
    if state:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(kind=kind)
    proposed = Outcome.State.PROPOSED
    return qs.annotate(
        mine=Case(
            When(state=proposed, approver_post_id__in=posts, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        waiting=Case(When(state=proposed, then=Value(0)), default=Value(1), output_field=IntegerField()),
    ).order_by("mine", "waiting", "-proposed_on", "-id")


def outcome_page(user, pk) -> Outcome:
    """One outcome with what its page shows, or 404 for whoever may not see it."""
    return permissions.get_outcome_or_404(user, pk, Outcome.objects.select_related(*PAGE_RELATED))
