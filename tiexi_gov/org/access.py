"""Who may see what in the org app — the one place views and selectors ask (X-2).

- the office (staff, director), the district head and the system admin see every unit;
- so does whoever presides in the head's stead today (受委托主持工作, ORG-3);
- a deputy head sees the units in the portfolios they handle today, their own and those they act for (ORG-2);
- everyone else (clerks, unit heads, other admins) sees the units of the posts they hold or act for today, and
  their home unit;
- an explicit django-guardian grant (`org.view_unit` on one unit) opens that unit to a named person.
An outsider gets 404, never 403: the page's existence is not confirmed.
"""

from __future__ import annotations

from datetime import date

from django.http import Http404
from django.utils import timezone

from .memo import memo
from .models import Appointment, Post, Unit
from .roles import Role, has_role, home_unit_id, is_technical_account
from .selectors import portfolio_unit_ids, posts_handled_by

SEES_ALL_ROLES = (Role.OFFICE_STAFF, Role.OFFICE_DIRECTOR, Role.DISTRICT_HEAD, Role.SYSTEM_ADMIN)


def is_office(user) -> bool:
    """Office staff or the office director (区政府办公室): they keep the org chart, ledgers and agendas."""
    return has_role(user, Role.OFFICE_STAFF, Role.OFFICE_DIRECTOR)


def is_district_leader(user) -> bool:
    return has_role(user, Role.DISTRICT_HEAD, Role.DEPUTY_HEAD)


def visible_unit_ids(user, day: date | None = None) -> set[int] | None:
    """Ids of the units `user` may see on `day`; None means all of them. Cached on the user for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    day = day or timezone.localdate()
    return memo(user, "visible_unit_ids", day, lambda: _visible_unit_ids(user, day))


def _visible_unit_ids(user, day: date) -> set[int] | None:
    if user.is_superuser or has_role(user, *SEES_ALL_ROLES):
        return None
    handled = handlers_on(user, day)
    posts = [h.post for h in handled]
    if any(p.kind == Post.Kind.HEAD for p in posts):
        return None  # presiding in the head's stead (ORG-3)
    ids = {p.unit_id for p in posts}
    if unit_id := home_unit_id(user):
        ids.add(unit_id)
    leader_posts = [p for p in posts if p.is_leader]
    if leader_posts:
        ids |= portfolio_unit_ids(leader_posts, day)
    return ids


def business_unit_ids(user, day: date | None = None) -> set[int] | None:
    """`visible_unit_ids` for business pages (ledgers, meetings, reports). The system administrator keeps the org
    chart and so sees every unit there, but an administrator's account sees no unit's business (issue 12.1)."""
    if is_technical_account(user):
        return set()
    return visible_unit_ids(user, day)


def visible_units(user, day: date | None = None):
    """The units `user` may see, as a queryset."""
    ids = visible_unit_ids(user, day)
    units = Unit.objects.all()
    return units if ids is None else units.filter(pk__in=ids)


def can_view_unit(user, unit: Unit, day: date | None = None) -> bool:
    ids = visible_unit_ids(user, day)
    if ids is None or unit.pk in ids:
        return True
    # An explicit object grant (guardian); global permissions never open a unit.
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm("org.view_unit", unit)


def get_unit_or_404(user, code: str, day: date | None = None) -> Unit:
    """The unit with `code` if `user` may see it; otherwise 404 whether or not it exists."""
    unit = Unit.objects.filter(code=code).first()
    if unit is None or not can_view_unit(user, unit, day):
        raise Http404("没有找到该单位。")
    return unit


def handlers_on(user, day: date | None = None) -> list:
    """`posts_handled_by(user, day)` once per user and day (cached on the user for the request): the posts whose
    matters the user handles, own or acting (LEAVE-4). Every area's permission checks start from it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    day = day or timezone.localdate()
    return memo(user, "handlers_on", day, lambda: posts_handled_by(user, day))


def handled_post_ids(user, day: date | None = None) -> set[int]:
    """Ids of the posts `user` handles on `day` (own, or acting for an absent holder)."""
    return {h.post.pk for h in handlers_on(user, day)}


def member_unit_ids(user, day: date | None = None) -> set[int]:
    """Units `user` works in on `day`: the home unit and the units of the posts they hold or act for."""
    ids = {h.post.unit_id for h in handlers_on(user, day)}
    if (unit_id := home_unit_id(user)) and user.is_active:
        ids.add(unit_id)
    return ids


def may_keep_appointment(user, person) -> bool:
    """Who may enter or change an appointment of `person`: the office keeps everyone's but its own — an account
    never gives itself a post (a post brings its queue, signatures and portfolio)."""
    return person is None or getattr(person, "pk", person) != user.pk


def may_keep_arrangement(user, acting_post, start, end=None) -> bool:
    """Who may enter or change an acting arrangement (ORG-3): not the holder of its acting post on any of its days
    — an account never makes its own post stand in for another (that post's queue and signature would be his)."""
    if acting_post is None or start is None:
        return True
    return not Appointment.objects.overlapping(start, end).filter(post=acting_post, person_id=user.pk).exists()


def may_keep_post(user, post) -> bool:
    """Who may change a post (its kind, unit, signing authority…): not whoever holds it now or later — an account
    never reshapes its own post into one with another unit's queue or signature."""
    if post is None or post.pk is None:
        return True
    today = timezone.localdate()
    return not Appointment.objects.overlapping(today).filter(post_id=post.pk, person_id=user.pk).exists()
