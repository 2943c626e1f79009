"""Who may send, see and read a circulation — the one place the views, selectors, the FSM and the services ask (X-2).

Senders (issue 15.4):
- the office (办公室工作人员, 办公室主任): any of the four kinds it may open;
- the district leaders (区长, 副区长): any of the four kinds they may open;
- a body's office (a member of the unit hosting a coordination body, as `coordination.register` seats it): the
  adjustments of its own bodies (第六十六条: "报区政府分管领导阅知").
An administrator's account sends nothing and reads nothing (三员分立, issue 12.1).

Recipients: a leader's post is read by whoever handles it that day (its holder, or the person acting, 第十五条); a
unit's copy by its clerks and heads (文书、单位负责人: the people who receive the unit's documents) — the first of
them to open it reads it for the unit, and the page says who.

The circulation's status page is the sender's and the office's (the office follows up the unread); anyone else,
including another unit or an administrator, gets 404.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.utils import timezone

from tiexi_gov.org.access import handled_post_ids, is_district_leader, is_office
from tiexi_gov.org.models import Post
from tiexi_gov.org.roles import Role, has_role, home_unit_id, is_technical_account

from . import sources
from .models import Circulation, Kind, Receipt

# The leaders a circulation may name (their posts): the district's leaders and the office's leadership.
RECIPIENT_POST_KINDS = (
    Post.Kind.HEAD,
    Post.Kind.EXEC_DEPUTY,
    Post.Kind.DEPUTY,
    Post.Kind.OFFICE_DIRECTOR,
    Post.Kind.OFFICE_DEPUTY_DIRECTOR,
)
UNIT_READER_ROLES = (Role.CLERK, Role.UNIT_HEAD)

OFFICE_CAPACITY = "区政府办公室"
LEADER_CAPACITY = "区政府领导"
BODY_OFFICE_CAPACITY = "议事协调机构办公室"

NOTHING = Q(pk__in=[])


def _active(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def _business(user) -> bool:
    return _active(user) and not is_technical_account(user)


def _day(obj=None) -> date:
    return getattr(obj, "_day", None) or timezone.localdate()


# --- sending ---------------------------------------------------------------------------------------------------


def may_send_kind(user, kind: str) -> bool:
    """Whether `user` may send this kind of thing at all (roles only: no query beyond the cached roles and the
    cached host units). The item's own check is `sender_capacity`."""
    if not _business(user):
        return False
    if is_office(user) or is_district_leader(user):
        return True
    if kind == Kind.ADJUSTMENT:
        from coordination.upkeep.permissions import hosted_unit_ids  # cached per request on the user

        return bool(hosted_unit_ids(user))
    return False


def sender_capacity(user, kind: str, item) -> str:
    """The capacity in which `user` may circulate `item` ("" when they may not): they must be a sender of the
    kind and able to open the item on its own page."""
    if not _business(user) or item is None or not sources.can_open(user, kind, item):
        return ""
    if is_office(user):
        return OFFICE_CAPACITY
    if is_district_leader(user):
        return LEADER_CAPACITY
    if kind == Kind.ADJUSTMENT and sources.hosts_adjustment(user, item):
        return BODY_OFFICE_CAPACITY
    return ""


# --- the circulation (status page) -----------------------------------------------------------------------------


def can_view_circulation(user, circulation: Circulation) -> bool:
    """The sender and the office see who has read it."""
    return _business(user) and (circulation.sent_by_id == user.pk or is_office(user))


def circulations_q(user) -> Q:
    """A Q on Circulation equal to can_view_circulation (list pages)."""
    if not _business(user):
        return NOTHING
    return Q() if is_office(user) else Q(sent_by_id=user.pk)


def can_see_overdue(user) -> bool:
    """逾期未阅 is the office's list."""
    return _business(user) and is_office(user)


# --- the receipt (reading page) ------------------------------------------------------------------------------


def reads_for_unit(user, unit_id: int | None) -> bool:
    return (
        unit_id is not None and _business(user) and home_unit_id(user) == unit_id and has_role(user, *UNIT_READER_ROLES)
    )


def is_recipient(user, receipt: Receipt) -> bool:
    """The FSM's permission for reading and annotating: the person the receipt waits on today — the same people
    its task in 我的待办 reaches."""
    if not _business(user):
        return False
    if receipt.post_id is not None:
        return receipt.post_id in handled_post_ids(user, _day(receipt))
    return reads_for_unit(user, receipt.unit_id)


def can_open_receipt(user, receipt: Receipt) -> bool:
    """The recipient, who read or annotated it, and those who see the circulation."""
    if not _business(user):
        return False
    if user.pk in (receipt.read_by_id, receipt.annotated_by_id):
        return True
    return is_recipient(user, receipt) or can_view_circulation(user, receipt.circulation)


def received_q(user, day: date | None = None) -> Q:
    """A Q on Receipt: the receipts addressed to `user` on `day`, and those they read or annotated."""
    if not _business(user):
        return NOTHING
    q = Q(read_by_id=user.pk) | Q(annotated_by_id=user.pk)
    posts = handled_post_ids(user, day or timezone.localdate())
    if posts:
        q |= Q(post_id__in=sorted(posts))
    unit_id = home_unit_id(user)
    if reads_for_unit(user, unit_id):
        q |= Q(unit_id=unit_id)
    return q
