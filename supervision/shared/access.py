"""Who someone is to the supervision app, asked by every flow's permissions and by the flows' task owners.

Business capabilities come from roles and posts, never from the kind of one's home unit (an administrator seated in
the office is not the office's staff):
- the office (区政府办公室) is whoever holds the office's business roles: its staff and its director;
- a unit acts through its clerks and heads (文书、单位负责人) whose HOME unit it is — the task owner
  `UnitScope.STAFF` of that unit, so that the queue reaches exactly the people the permission lets act.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from tiexi_gov.org.models import Unit
from tiexi_gov.org.roles import Role, has_role, home_unit_id
from tiexi_gov.workflow.models import UnitScope
from tiexi_gov.workflow.registry import Need, for_role, for_unit

OFFICE_ROLES = (Role.OFFICE_STAFF, Role.OFFICE_DIRECTOR)
UNIT_STAFF_ROLES = (Role.CLERK, Role.UNIT_HEAD)


def active(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def day_of(obj=None, day: date | None = None) -> date:
    """The day a permission is asked for: the step's day set by the kernel on the locked row, else today."""
    return day or getattr(obj, "_day", None) or timezone.localdate()


def is_office(user) -> bool:
    """The office's staff or its director (roles): they keep the ledger."""
    return active(user) and has_role(user, *OFFICE_ROLES)


def is_unit_staff(user, unit_id: int | None) -> bool:
    """A clerk or head of `unit_id` as their home unit: who acts for a unit on its supervised work."""
    return active(user) and unit_id is not None and home_unit_id(user) == unit_id and has_role(user, *UNIT_STAFF_ROLES)


def office_needs(action: str, label: str, **kw) -> list[Need]:
    """The office's task: one per business role, so that it reaches exactly `is_office`."""
    return [for_role(action, label, role, **kw) for role in OFFICE_ROLES]


def unit_staff_need(action: str, label: str, unit_id: int, **kw) -> Need:
    """A unit's task for its clerks and heads: exactly `is_unit_staff`."""
    return for_unit(action, label, unit_id, UnitScope.STAFF, **kw)


# Units that owe half-year reports, answer inquiries and are assessed (SUP-2, PUB-1, SUP-6): departments, bodies,
# the township and the streets — not the government itself, its office or outside bodies.
WORKING_UNIT_KINDS = (
    Unit.Kind.DEPARTMENT,
    Unit.Kind.AFFILIATED,
    Unit.Kind.INSTITUTION,
    Unit.Kind.TOWNSHIP,
    Unit.Kind.STREET,
)
