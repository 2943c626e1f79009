"""Permission helpers both flows share (X-2): who counts as the office, which posts a user handles on the day."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, Q
from django.utils import timezone

from tiexi_gov.org.access import handlers_on
from tiexi_gov.org.models import Post, Unit, User
from tiexi_gov.org.roles import OFFICE_ROLES, Role, has_role, home_unit_id
from tiexi_gov.org.selectors import posts_held_by
from tiexi_gov.workflow.registry import for_post, for_role


def _day(obj=None) -> date:
    return getattr(obj, "_day", None) or timezone.localdate()


def _active(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_office_staff(user) -> bool:
    """区政府办公室 staff: holders of the office's business roles. Never by home unit alone: an administrator
    seated in the office has no business capability (等保 三员分立)."""
    return _active(user) and has_role(user, Role.OFFICE_STAFF)


def sees_as_office(user, day: date | None = None) -> bool:
    """Who sees what the office processes: its staff, its director (role), and whoever handles the office
    director's or deputy director's post that day."""
    if not _active(user):
        return False
    if has_role(user, *OFFICE_ROLES):
        return True
    return any(h.post.kind in OFFICE_LEADER_KINDS for h in handlers_on(user, day or timezone.localdate()))


def office_in_sql(user, day: date | None = None):
    """`sees_as_office` for a list query: an office leadership post the user handles today decides it in Python
    (already loaded); the office roles are asked inside the query (Exists), so a page need not load the roles.
    Returns a truthy Q/Exists to OR into a visibility filter, or None when the user cannot be office at all."""

    if not _active(user):
        return None
    if any(h.post.kind in OFFICE_LEADER_KINDS for h in handlers_on(user, day or timezone.localdate())):
        return Q(pk__isnull=False)
    roles = [str(r) for r in OFFICE_ROLES]
    return Exists(User.groups.through.objects.filter(user_id=user.pk, group__name__in=roles))


def handled_post_ids(user, day: date) -> set[int]:
    """Posts whose matters `user` handles on `day` (own, unless someone acts for them, plus acting-for)."""
    return {h.post.pk for h in handlers_on(user, day)}


def handler_for_kind(user, day: date, *kinds) -> object | None:
    """The Handler by which `user` acts in a post of one of `kinds` on `day` (own post first)."""
    if not _active(user):
        return None
    handlers = [h for h in handlers_on(user, day) if h.post.kind in kinds]
    handlers.sort(key=lambda h: h.is_acting)
    return handlers[0] if handlers else None


def is_editor(user, unit_id: int | None, drafted_by_id: int | None) -> bool:
    """Who keeps a draft going: its drafter while still in the drafting unit, and that unit's clerks (文书)."""
    if not _active(user) or unit_id is None or home_unit_id(user) != unit_id:
        return False
    return user.pk == drafted_by_id or has_role(user, Role.CLERK)


def _may_name_readers(user, unit_id: int | None, drafted_by_id: int | None, day: date) -> bool:
    """X-2: readers of a confidential item are named by the drafting unit's clerk or head (or the drafter) and
    by the office; never by any other member of staff who merely reads it."""
    if not _active(user):
        return False
    if is_office_staff(user):
        return True
    if home_unit_id(user) == unit_id and user.pk == drafted_by_id:
        return True
    return is_unit_clerk_or_head(user, unit_id, day)


def is_unit_clerk_or_head(user, unit_id: int | None, day: date | None = None) -> bool:
    """A member of `unit_id` who is its clerk (文书) or head — by role, or holding the unit head post on `day`."""
    if not _active(user) or unit_id is None or home_unit_id(user) != unit_id:
        return False
    if has_role(user, Role.CLERK, Role.UNIT_HEAD):
        return True
    return any(
        p.unit_id == unit_id and p.kind == Post.Kind.UNIT_HEAD for p in posts_held_by(user, day or timezone.localdate())
    )


OFFICE_LEADER_KINDS = (Post.Kind.OFFICE_DIRECTOR, Post.Kind.OFFICE_DEPUTY_DIRECTOR)


def office_leader_needs(action: str, label: str, **kw) -> list:
    """Tasks for the office's leadership: the director's role and whoever handles the director's or a deputy
    director's post that day (the people `sees_as_office` lets in besides the staff)."""

    posts = (
        Post.objects.filter(kind__in=OFFICE_LEADER_KINDS).order_by("kind", "order", "pk").values_list("pk", flat=True)
    )
    return [for_role(action, label, Role.OFFICE_DIRECTOR, **kw), *(for_post(action, label, pk, **kw) for pk in posts)]


NOT_SUBMITTING_KINDS = (Unit.Kind.GOVERNMENT, Unit.Kind.EXTERNAL)  # the district government and outside organs


def may_draft_submission(user) -> bool:
    """A 上报公文 is a unit's 请示/报告 to the district government, drafted in the drafter's own unit: whoever works in
    a submitting unit may draft one. The government's own leaders (their home unit is 区政府) and the office's staff,
    who receive and handle submissions, draft none; nor does an administrator's account (三员分立)."""
    if not _active(user) or is_office_staff(user) or not home_unit_id(user):
        return False
    return user.unit.kind not in NOT_SUBMITTING_KINDS
