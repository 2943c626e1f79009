"""Who may see and act on supervision items — the one place views, selectors, the FSM and the flow's tasks ask (X-2).

Seeing:
- the office (staff, director) and the district head (or whoever presides in the head's stead) see every item;
- an administrator's account (系统/安全/审计管理员) sees none: 三员分立, they keep the system and take no part in
  its business (`business_unit_ids` gives them no unit), whatever unit the org chart files them under;
- a district deputy sees the items they are the leader in charge of and those of the units in the portfolios
  they handle that day (acting arrangements included);
- a unit sees the items it leads, cooperates on or supervises (joint supervision);
- everyone else gets 404 (`get_item_or_404`), never a peek.
Acting (each the permission of a transition, and each mirrored by a task in `supervision.ledger.flow`):
- the office (business roles, `shared.access.is_office`) keeps the ledger: registers, issues, verifies, returns,
  cancels;
- the lead unit's clerks and heads (home unit, `shared.access.is_unit_staff`) accept, report and claim;
- whoever handles the leader-in-charge's post or the head's post that day approves supervision in the
  government's name (SUP-5; acting arrangements included, LEAVE-4).
Object-only: a global Django permission never grants anything here.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet
from django.http import Http404

from supervision.shared.access import active, day_of, is_office, is_unit_staff
from tiexi_gov.org.access import business_unit_ids, handled_post_ids, handlers_on, is_district_leader, member_unit_ids
from tiexi_gov.org.selectors import head_post

from .models import SupervisionItem


def sees_all(user, day: date | None = None) -> bool:
    return active(user) and business_unit_ids(user, day_of(day=day)) is None


def can_manage(user, item: SupervisionItem | None = None) -> bool:
    """The office keeps the ledger: creates, assigns, verifies, returns, cancels, proposes outcomes."""
    return is_office(user)


def visible_items(user, qs: QuerySet | None = None, day: date | None = None) -> QuerySet:
    """Items `user` may see, as a filter on `qs` (one query, no duplicates from the M2M joins)."""
    qs = SupervisionItem.objects.all() if qs is None else qs
    if not active(user):
        return qs.none()
    day = day_of(day=day)
    unit_ids = business_unit_ids(user, day)
    if unit_ids is None:
        return qs
    units = set(unit_ids) | member_unit_ids(user, day)
    # Uncorrelated `pk IN (…)` subqueries, not correlated EXISTS: PostgreSQL runs each once as a hashed subplan and
    # costs the scan right; the EXISTS form was costed ~100x too high at 50,000 items, which switched on JIT
    # compilation (~1 s per query) for every unit clerk's ledger page (bench_supervision).
    co = SupervisionItem.cooperating_units.through.objects.filter(unit_id__in=units).values("supervisionitem_id")
    joint = SupervisionItem.joint_units.through.objects.filter(unit_id__in=units).values("supervisionitem_id")
    # The units that do the work see an item from its 交办 on (assigned_on is set then and kept, also when it is
    # cancelled later): the office's draft and an item awaiting the leader's approval are not theirs yet.
    working = Q(lead_unit_id__in=units) | Q(pk__in=co) | Q(pk__in=joint)
    return qs.filter(
        (working & Q(assigned_on__isnull=False))
        | Q(supervising_unit_id__in=units)
        | Q(leader_post_id__in=handled_post_ids(user, day))
    )


def can_view(user, item: SupervisionItem, day: date | None = None) -> bool:
    if not active(user):
        return False
    if sees_all(user, day):
        return True
    return visible_items(user, SupervisionItem.objects.filter(pk=item.pk), day).exists()


def require_manager(user) -> None:
    """The office's pages and calls (registering, importing, the bulletin): anyone else gets the 404 an outsider
    gets, not a refusal that says the page exists."""
    if not can_manage(user):
        raise Http404("没有找到该页面。")


def get_item_or_404(user, pk, qs: QuerySet | None = None) -> SupervisionItem:
    """The item if `user` may see it; 404 whether it does not exist or is not theirs."""
    qs = SupervisionItem.objects.all() if qs is None else qs
    try:
        return visible_items(user, qs).get(pk=pk)
    except (SupervisionItem.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该督查事项。") from None


def can_act_as_lead(user, item: SupervisionItem) -> bool:
    """The lead unit's clerks and heads accept, report progress and claim completion (SUP-2: the main head
    answers for it)."""
    return is_unit_staff(user, item.lead_unit_id)


def approver_post_ids(item: SupervisionItem) -> list[int]:
    """SUP-5: the leader in charge, and the head, who presides over any (one post when they are the same)."""
    head = head_post()
    ids = [item.leader_post_id]
    if head is not None and head.pk != item.leader_post_id:
        ids.append(head.pk)
    return ids


def approval_handler(user, item: SupervisionItem):
    """The Handler by which `user` approves supervision in the government's name on the step's day — the leader
    in charge's post first, then the head's, own before acting (LEAVE-4); None if they may not."""
    if not active(user):
        return None
    ids = approver_post_ids(item)
    handlers = [h for h in handlers_on(user, day_of(item)) if h.post.pk in ids]
    handlers.sort(key=lambda h: (ids.index(h.post.pk), h.is_acting))
    return handlers[0] if handlers else None


def can_approve(user, item: SupervisionItem) -> bool:
    """SUP-5: the leader in charge (or the head) approves supervision in the government's name."""
    return approval_handler(user, item) is not None


# --- the director's reports (SUP-4, SUP-6) -------------------------------------------------------------------


def can_view_reports(user, day: date | None = None) -> bool:
    """The dashboard and the annual assessment: whoever sees every item, and the district leaders (own post or
    acting for one); each sees figures built only on the items they may see (`visible_items`)."""
    if not active(user):
        return False
    if sees_all(user, day) or is_district_leader(user):
        return True
    return any(h.post.is_leader for h in handlers_on(user, day_of(day=day)))


def can_issue_bulletin(user) -> bool:
    """SUP-4: situation bulletins (情况通报) are the office's."""
    return can_manage(user)
