"""Who may see and decide the outcomes of supervision (SUP-4): the office proposes, the district leader the office
named (whoever handles that post on the day, LEAVE-4) decides; a unit sees the outcomes on its record."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from supervision.ledger.permissions import can_manage, can_view, sees_all
from supervision.shared.access import active, day_of
from tiexi_gov.org.access import business_unit_ids, handled_post_ids, handlers_on, is_district_leader, member_unit_ids

from .models import Outcome


def outcome_decider(user, outcome: Outcome):
    """The Handler by which `user` decides on the step's day (own post before acting); None if they may not."""
    if not active(user):
        return None
    handlers = [h for h in handlers_on(user, day_of(outcome)) if h.post.pk == outcome.approver_post_id]
    handlers.sort(key=lambda h: h.is_acting)
    return handlers[0] if handlers else None


def can_decide_outcome(user, outcome: Outcome) -> bool:
    """SUP-4: the district leader the office named approves praise, criticism or accountability."""
    return outcome_decider(user, outcome) is not None


def can_view_outcome(user, outcome: Outcome) -> bool:
    return can_manage(user) or can_decide_outcome(user, outcome) or can_view(user, outcome.item)


def visible_outcomes(user, qs: QuerySet | None = None) -> QuerySet:
    """The office and the district leaders see every outcome; a unit sees those on its own record; whoever
    handles the approver's post (acting included) sees those sent to it."""
    qs = Outcome.objects.all() if qs is None else qs
    if not active(user):
        return qs.none()
    if sees_all(user) or is_district_leader(user):
        return qs
    units = set(business_unit_ids(user) or ()) | member_unit_ids(user)
    return qs.filter(Q(unit_id__in=units) | Q(approver_post_id__in=handled_post_ids(user)))


def get_outcome_or_404(user, pk, qs: QuerySet | None = None) -> Outcome:
    try:
        return visible_outcomes(user, qs).get(pk=pk)
    except (Outcome.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该结果运用。") from None
