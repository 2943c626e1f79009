"""What every coordination flow's permissions share: the day of the action, the office, who handles a post, and
the people a flow tells. Each flow keeps its own rules in `coordination/<flow>/permissions.py` (X-2); the register
of bodies is the government's own organisation chart, open to every signed-in person.
Object-only: a global Django permission never grants anything."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from tiexi_gov.org.access import handled_post_ids, is_office, member_unit_ids
from tiexi_gov.org.models import Unit, User
from tiexi_gov.org.roles import Role, is_technical_account, users_with_role


def _day(day: date | None) -> date:
    return day or timezone.localdate()


def day_of(obj) -> date:
    """The day of the action on `obj`: the one the workflow kernel set on the locked row (`_day`), else today. Every
    permission asks about this day, so a step dated by a service (`today=`) is judged on its own day."""
    return getattr(obj, "_day", None) or timezone.localdate()


def _active(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def handles(user, post_id: int | None, day: date | None = None) -> bool:
    return post_id is not None and post_id in handled_post_ids(user, day)


def can_manage(user, obj=None) -> bool:
    """The office keeps the register, reviews applications, adjusts, reviews periodically, checks targets."""
    return _active(user) and is_office(user)


def can_view_register(user) -> bool:
    """Every signed-in person of the government — not an administrator's account, which keeps the system and
    reads none of the government's business (issue 12.1)."""
    return _active(user) and not is_technical_account(user)


def office_people() -> list[User]:
    people = list(users_with_role(Role.OFFICE_STAFF)) + list(users_with_role(Role.OFFICE_DIRECTOR))
    return list({u.pk: u for u in people}.values())


def unit_people(unit: Unit) -> list[User]:
    """Who in a unit hears about its body or its application: clerks and heads, else every active member."""
    base = User.objects.filter(unit=unit, is_active=True)
    people = list(base.filter(groups__name__in=[str(Role.CLERK), str(Role.UNIT_HEAD)]).distinct())
    return people or list(base)


__all__ = [
    "can_manage",
    "can_view_register",
    "handled_post_ids",
    "day_of",
    "handles",
    "member_unit_ids",
    "office_people",
    "unit_people",
]
