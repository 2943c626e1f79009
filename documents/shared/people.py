"""Who in a unit or the office hears about a document."""

from __future__ import annotations

from django.db.models import Q

from tiexi_gov.org.models import Post, Unit, User
from tiexi_gov.org.roles import Role, users_with_role
from tiexi_gov.org.selectors import handlers_for_posts, posts_held_by
from tiexi_gov.precompiled import Statement


def unit_people(unit: Unit) -> list[User]:
    """Who in a unit hears about its documents: clerks and heads, else every active member; by id (as
    unit_and_office_people reads them), so the recipients' order does not depend on the database's."""
    base = User.objects.filter(unit=unit, is_active=True).order_by("id")
    people = list(base.filter(groups__name__in=[str(Role.CLERK), str(Role.UNIT_HEAD)]).distinct())
    return people or list(base)


# Read on every approval: compiled once (the role names are constants of the statement).
_MEMBERSHIPS = Statement(
    lambda unit_id: (
        User.groups.through.objects.filter(
            user__is_active=True, group__name__in=[str(Role.OFFICE_STAFF), str(Role.CLERK), str(Role.UNIT_HEAD)]
        )
        .filter(Q(group__name=str(Role.OFFICE_STAFF)) | Q(user__unit_id=unit_id))
        .select_related("user", "group")
        .order_by("user_id", "group_id")
    )
)


def unit_and_office_people(unit: Unit) -> tuple[list[User], list[User]]:
    """`unit_people(unit)` and `office_people()` in one query (a step that tells both): the role memberships of
    active people in the office's role, or in the unit's clerk and head roles and seated in the unit. Read from the
    membership rows, not as Exists over every user (issue 14.3: a third of the cost to build, on every approval)."""
    office_role, unit_roles = str(Role.OFFICE_STAFF), [str(Role.CLERK), str(Role.UNIT_HEAD)]
    memberships = _MEMBERSHIPS(unit.pk)
    unit_found: dict[int, User] = {}
    office_found: dict[int, User] = {}
    for row in memberships:
        if row.group.name == office_role:
            office_found.setdefault(row.user_id, row.user)
        if row.group.name in unit_roles and row.user.unit_id == unit.pk:
            unit_found.setdefault(row.user_id, row.user)
    return list(unit_found.values()) or unit_people(unit), list(office_found.values()) or office_people()


def office_people() -> list[User]:
    people = list(users_with_role(Role.OFFICE_STAFF).order_by("id"))
    return people or list(User.objects.filter(unit__kind=Unit.Kind.OFFICE, is_active=True).order_by("id"))


def unit_signers(unit: Unit, day) -> list[User]:
    """Who signs for a unit on `day` (DOC-2, ORG-4): whoever handles its main head post or a deputy post authorized
    to sign — the holder, or the person acting for them (LEAVE-4)."""

    posts = Post.objects.filter(unit=unit, kind__in=[Post.Kind.UNIT_HEAD, Post.Kind.UNIT_DEPUTY]).select_related("unit")
    signing = [p for p in posts if p.kind == Post.Kind.UNIT_HEAD or p.may_sign]
    people = {h.person.pk: h.person for h in handlers_for_posts(signing, day).values() if h.person is not None}
    return list(people.values())


def own_post_title(actor, unit_id: int | None, day) -> str:
    """The title of the post `actor` holds in `unit_id` on `day`, for the record's capacity; else 本职."""

    posts = [p for p in posts_held_by(actor, day) if unit_id is None or p.unit_id == unit_id]
    return posts[0].title if posts else "本职"
