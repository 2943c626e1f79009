"""Who may see and act on the public's side: website inquiries (PUB-1) and the suggestions and proposals handled
as supervised items (PUB-3). Each acting check is a transition's permission, mirrored by a task
(`supervision.public.flow`)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from supervision.ledger.models import SupervisionItem
from supervision.ledger.permissions import can_act_as_lead, can_manage, sees_all
from supervision.shared.access import active, is_unit_staff
from tiexi_gov.org.access import business_unit_ids, member_unit_ids

from .models import PublicInquiry

# --- public inquiries (PUB-1) ------------------------------------------------------------------------------


def can_manage_inquiry(user, inquiry: PublicInquiry | None = None) -> bool:
    """The office logs inquiries and assigns (or reassigns) them to a unit."""
    return can_manage(user)


def can_answer_inquiry(user, inquiry: PublicInquiry) -> bool:
    """The assigned unit's clerks and heads answer."""
    return is_unit_staff(user, inquiry.unit_id)


def visible_inquiries(user, qs: QuerySet | None = None) -> QuerySet:
    qs = PublicInquiry.objects.all() if qs is None else qs
    if not active(user):
        return qs.none()
    if sees_all(user):
        return qs
    units = set(business_unit_ids(user) or ()) | member_unit_ids(user)
    return qs.filter(unit_id__in=units)


def get_inquiry_or_404(user, pk) -> PublicInquiry:
    try:
        return visible_inquiries(user).get(pk=pk)
    except (PublicInquiry.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该咨询。") from None


# --- suggestions and proposals (PUB-3), steps on their supervision item ---------------------------------------


def can_reply_proposal(user, item: SupervisionItem) -> bool:
    """The lead unit replies to the deputy or member (its clerks and heads)."""
    return can_act_as_lead(user, item)


def can_amend_proposal_reply(user, item: SupervisionItem) -> bool:
    """The lead unit or the office records the reply later on (the proposer's satisfaction, a reply on paper)."""
    return can_act_as_lead(user, item) or can_manage(user)


def can_publish_proposal(user, item: SupervisionItem) -> bool:
    """The office discloses the handling result (PUB-3)."""
    return can_manage(user)
