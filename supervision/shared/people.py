"""Who hears about a step (the inbox and e-mail): the people behind a unit, the office, a leader's post."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from tiexi_gov.org.models import Post, Unit, User
from tiexi_gov.org.roles import Role, users_with_role
from tiexi_gov.org.selectors import who_handles


def unit_people(unit: Unit) -> list[User]:
    """Who in a unit hears about its supervised items: clerks and heads, else every active member."""
    base = User.objects.filter(unit=unit, is_active=True)
    people = list(base.filter(groups__name__in=[str(Role.CLERK), str(Role.UNIT_HEAD)]).distinct())
    return people or list(base)


def office_people() -> list[User]:
    people = list(users_with_role(Role.OFFICE_STAFF)) + list(users_with_role(Role.OFFICE_DIRECTOR))
    return list({u.pk: u for u in people}.values())


def leader_people(posts: Iterable[Post | None], day: dt.date) -> list[User]:
    """Whoever handles each post on `day` (the holder, or the person acting — LEAVE-4)."""
    people = {}
    for post in posts:
        if post is None:
            continue
        person = who_handles(post, day).person
        if person is not None:
            people[person.pk] = person
    return list(people.values())
