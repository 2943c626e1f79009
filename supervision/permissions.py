"""Who may see and act on supervision items — the one place for the supervision app (X-2).

- the office (staff, director), the district head (or whoever presides in the head's stead) and the system
  admin see every item; the office manages them (create, assign, verify, propose outcomes);
- a district deputy sees the items they are the leader in charge of and those of the units in the portfolios
  they handle that day (acting arrangements included);
- a unit sees the items it leads, cooperates on or supervises (joint supervision);
- everyone else gets 404 (`get_item_or_404`), never a peek.
Object-only: a global Django permission never grants anything here.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from tiexi_gov.org.access import (
    handled_post_ids,
    is_district_leader,
    is_office,
    member_unit_ids,
    visible_unit_ids,
)
from tiexi_gov.org.selectors import head_post, posts_handled_by

from .models import HalfYearReport, Outcome, PublicInquiry, SupervisionItem


def _day(day: date | None) -> date:
    return day or timezone.localdate()


def _active(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def sees_all(user, day: date | None = None) -> bool:
    return _active(user) and visible_unit_ids(user, _day(day)) is None


def can_manage(user, item: SupervisionItem | None = None) -> bool:
    """The office keeps the ledger: creates, assigns, verifies, returns, cancels, proposes outcomes."""
    return _active(user) and is_office(user)


def visible_items(user, qs: QuerySet | None = None, day: date | None = None) -> QuerySet:
    """Items `user` may see, as a filter on `qs` (one query, no duplicates from the M2M joins)."""
    qs = SupervisionItem.objects.all() if qs is None else qs
    if not _active(user):
        return qs.none()
    day = _day(day)
    unit_ids = visible_unit_ids(user, day)
    if unit_ids is None:
        return qs
    units = set(unit_ids) | member_unit_ids(user, day)
    # Uncorrelated `pk IN (…)` subqueries, not correlated EXISTS: PostgreSQL runs each once as a hashed subplan and
    # costs the scan right; the EXISTS form was costed ~100x too high at 50,000 items, which switched on JIT
    # compilation (~1 s per query) for every unit clerk's ledger page (bench_supervision).
    co = SupervisionItem.cooperating_units.through.objects.filter(unit_id__in=units).values("supervisionitem_id")
    joint = SupervisionItem.joint_units.through.objects.filter(unit_id__in=units).values("supervisionitem_id")
    return qs.filter(
        Q(lead_unit_id__in=units)
        | Q(supervising_unit_id__in=units)
        | Q(leader_post_id__in=handled_post_ids(user, day))
        | Q(pk__in=co)
        | Q(pk__in=joint)
    )


def can_view(user, item: SupervisionItem, day: date | None = None) -> bool:
    if not _active(user):
        return False
    if sees_all(user, day):
        return True
    return visible_items(user, SupervisionItem.objects.filter(pk=item.pk), day).exists()


def get_item_or_404(user, pk, qs: QuerySet | None = None) -> SupervisionItem:
    """The item if `user` may see it; 404 whether it does not exist or is not theirs."""
    qs = SupervisionItem.objects.all() if qs is None else qs
    try:
        return visible_items(user, qs).get(pk=pk)
    except (SupervisionItem.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该督查事项。") from None


def can_act_as_lead(user, item: SupervisionItem) -> bool:
    """The lead unit's people accept, report progress and claim completion (SUP-2: the main head answers)."""
    return item.lead_unit_id in member_unit_ids(user, getattr(item, "_day", None))


def can_report_part(user, item: SupervisionItem) -> bool:
    """A cooperating unit reports its part to the lead unit."""
    ids = member_unit_ids(user, getattr(item, "_day", None))
    return any(u.pk in ids for u in item.cooperating_units.all())


def can_approve(user, item: SupervisionItem) -> bool:
    """SUP-5: the leader in charge (or the head) approves supervision in the government's name."""
    posts = handled_post_ids(user, getattr(item, "_day", None))
    head = head_post()
    return item.leader_post_id in posts or (head is not None and head.pk in posts)


def can_decide_outcome(user, outcome: Outcome) -> bool:
    """SUP-4: the district leader the office named approves praise, criticism or accountability."""
    return outcome.approver_post_id in handled_post_ids(user, getattr(outcome, "_day", None))


def can_view_outcome(user, outcome: Outcome) -> bool:
    return can_manage(user) or can_decide_outcome(user, outcome) or can_view(user, outcome.item)


# --- public inquiries (PUB-1) ------------------------------------------------------------------------------


def can_manage_inquiry(user, inquiry: PublicInquiry | None = None) -> bool:
    return can_manage(user)


def can_answer_inquiry(user, inquiry: PublicInquiry) -> bool:
    return inquiry.unit_id is not None and inquiry.unit_id in member_unit_ids(user)


def visible_inquiries(user, qs: QuerySet | None = None) -> QuerySet:
    qs = PublicInquiry.objects.all() if qs is None else qs
    if not _active(user):
        return qs.none()
    if sees_all(user):
        return qs
    units = set(visible_unit_ids(user) or ()) | member_unit_ids(user)
    return qs.filter(unit_id__in=units)


def get_inquiry_or_404(user, pk) -> PublicInquiry:
    try:
        return visible_inquiries(user).get(pk=pk)
    except (PublicInquiry.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该咨询。") from None


# --- outcomes (SUP-4) and half-year reports (SUP-2): lists and pages -----------------------------------------


def visible_outcomes(user, qs: QuerySet | None = None) -> QuerySet:
    """The office and the district leaders see every outcome; a unit sees those on its own record; whoever
    handles the approver's post (acting included) sees those sent to it."""
    qs = Outcome.objects.all() if qs is None else qs
    if not _active(user):
        return qs.none()
    if sees_all(user) or is_district_leader(user):
        return qs
    units = set(visible_unit_ids(user) or ()) | member_unit_ids(user)
    return qs.filter(Q(unit_id__in=units) | Q(approver_post_id__in=handled_post_ids(user)))


def get_outcome_or_404(user, pk, qs: QuerySet | None = None) -> Outcome:
    try:
        return visible_outcomes(user, qs).get(pk=pk)
    except (Outcome.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该结果运用。") from None


def visible_half_year_reports(user, qs: QuerySet | None = None) -> QuerySet:
    """The office sees every unit's half-year reports; others those of the units they may see."""
    qs = HalfYearReport.objects.all() if qs is None else qs
    if not _active(user):
        return qs.none()
    if sees_all(user):
        return qs
    return qs.filter(unit_id__in=set(visible_unit_ids(user) or ()) | member_unit_ids(user))


def can_file_half_year(user, report) -> bool:
    """SUP-2: the unit files its own half-year report (the office may file a copy it received on paper)."""
    return _active(user) and (report.unit_id in member_unit_ids(user) or can_manage(user))


# --- the director's reports (SUP-4, SUP-6) -------------------------------------------------------------------


def can_view_reports(user, day: date | None = None) -> bool:
    """The dashboard and the annual assessment: whoever sees every item, and the district leaders (own post or
    acting for one); each sees figures built only on the items they may see (`visible_items`)."""
    if not _active(user):
        return False
    if sees_all(user, day) or is_district_leader(user):
        return True
    return any(h.post.is_leader for h in posts_handled_by(user, _day(day)))


def can_issue_bulletin(user) -> bool:
    """SUP-4: situation bulletins (情况通报) are the office's."""
    return can_manage(user)
