"""Who may read the rule compliance board (issue 15.5) — the one place views, selectors and the navbar ask.

- the office director (办公室主任) and the district head (区长) see every unit and every leader, and so does whoever
  handles their post today in their stead (ORG-3: acting, or entrusted to preside);
- a unit's clerks and heads (文书, 单位负责人) see their own unit's row only;
- everyone else — administrators' accounts (三员, calendar), office staff, deputy heads, plain users — gets a 404:
  the page's existence is not confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.http import Http404
from django.utils import timezone

from tiexi_gov.org.access import handlers_on
from tiexi_gov.org.models import Post
from tiexi_gov.org.roles import Role, has_role, home_unit_id, is_technical_account

SEES_ALL_ROLES = (Role.OFFICE_DIRECTOR, Role.DISTRICT_HEAD)
SEES_ALL_POSTS = (Post.Kind.HEAD, Post.Kind.OFFICE_DIRECTOR)
UNIT_ROLES = (Role.CLERK, Role.UNIT_HEAD)


@dataclass(frozen=True)
class Scope:
    """What a reader of the board may see: everything (`unit_id` None) or one unit's row."""

    unit_id: int | None = None

    @property
    def sees_all(self) -> bool:
        return self.unit_id is None


def scope_for(user, day: date | None = None) -> Scope | None:
    """The user's view of the board, or None when they may not open it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or is_technical_account(user):
        return None
    day = day or timezone.localdate()
    if has_role(user, *SEES_ALL_ROLES):
        return Scope()
    if any(h.post.kind in SEES_ALL_POSTS for h in handlers_on(user, day)):
        return Scope()  # acting for the director, or presiding in the head's stead (ORG-3)
    if has_role(user, *UNIT_ROLES) and (unit_id := home_unit_id(user)):
        return Scope(unit_id=unit_id)
    return None


def may_see_board(user) -> bool:
    return scope_for(user) is not None


def scope_or_404(user, day: date | None = None) -> Scope:
    scope = scope_for(user, day)
    if scope is None:
        raise Http404("没有找到该页面。")
    return scope
