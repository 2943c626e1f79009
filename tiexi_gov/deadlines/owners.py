"""Who owes a deadline on a day, resolved for a whole batch of rows in a handful of queries.

The sweep may hold 10,000 due rows; calling org.selectors.who_handles per row would cost tens of
thousands of queries. These functions follow the same rules as who_handles (acting chains, the latest
appointment) but load the day's arrangements and appointments once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from tiexi_gov.org.models import ActingArrangement, Appointment, Post, User
from tiexi_gov.org.roles import Role, users_with_role
from tiexi_gov.org.selectors import MAX_ACTING_CHAIN

UNIT_OWNER_ROLES = (Role.CLERK, Role.UNIT_HEAD)


def handling_people(post_ids: Iterable[int], day: date) -> dict[int, User]:
    """post id → the person who handles that post's matters on `day` (its holder, or whoever acts).

    Vacant posts with nobody acting are left out. Two queries, whatever the number of posts.
    """
    post_ids = set(post_ids)
    if not post_ids:
        return {}
    acting: dict[int, int] = {}
    # Same order as org.selectors.active_arrangement: the latest arrangement wins.
    for absent_id, acting_id in (
        ActingArrangement.objects.on(day)
        .filter(cancelled=False)
        .order_by("-start", "-id")
        .values_list("absent_post_id", "acting_post_id")
    ):
        acting.setdefault(absent_id, acting_id)

    final: dict[int, int] = {}
    for post_id in post_ids:
        current, seen = post_id, {post_id}
        for _ in range(MAX_ACTING_CHAIN):
            nxt = acting.get(current)
            if nxt is None or nxt in seen:
                break
            current = nxt
            seen.add(current)
        final[post_id] = current

    holders: dict[int, User] = {}
    for appt in (
        Appointment.objects.on(day)
        .filter(post_id__in=set(final.values()))
        .select_related("person")
        .order_by("post_id", "-start", "-id")
    ):
        holders.setdefault(appt.post_id, appt.person)
    return {post_id: holders[via] for post_id, via in final.items() if via in holders}


def unit_staff(unit_ids: Iterable[int]) -> dict[int, list[User]]:
    """unit id → its active clerks and heads (by role group): the same people whose queue shows the unit's rows."""
    unit_ids = set(unit_ids)
    if not unit_ids:
        return {}
    staff: dict[int, list[User]] = defaultdict(list)
    for user in (
        User.objects.filter(unit_id__in=unit_ids, is_active=True, groups__name__in=[str(r) for r in UNIT_OWNER_ROLES])
        .distinct()
        .order_by("id")
    ):
        staff[user.unit_id].append(user)
    return staff


def office_directors(day: date) -> list[User]:
    """Whoever handles the office director's post today (acting included); else the role's members."""
    post_ids = list(Post.objects.filter(kind=Post.Kind.OFFICE_DIRECTOR).values_list("id", flat=True))
    people = {u.pk: u for u in handling_people(post_ids, day).values()}
    if not people:
        people = {u.pk: u for u in users_with_role(Role.OFFICE_DIRECTOR).order_by("id")}
    return list(people.values())


def resolve_owners(rows, day: date) -> dict[int, list[User]]:
    """deadline id → the people who owe it on `day`: owner_user, the handler of owner_post, the unit's staff.

    At most four queries for any number of rows; each person is loaded once however many rows they owe.
    """
    by_user = User.objects.in_bulk({d.owner_user_id for d in rows if d.owner_user_id})
    by_post = handling_people((d.owner_post_id for d in rows if d.owner_post_id), day)
    by_unit = unit_staff(d.owner_unit_id for d in rows if d.owner_unit_id)
    result: dict[int, list[User]] = {}
    for d in rows:
        people: dict[int, User] = {}
        if d.owner_user_id in by_user:
            people[d.owner_user_id] = by_user[d.owner_user_id]
        if d.owner_post_id and d.owner_post_id in by_post:
            person = by_post[d.owner_post_id]
            people[person.pk] = person
        for person in by_unit.get(d.owner_unit_id, ()) if d.owner_unit_id else ():
            people[person.pk] = person
        result[d.pk] = list(people.values())
    return result
