"""Roles are Django groups named in Chinese; code refers to them only through these constants (X-2)."""

from enum import StrEnum


class Role(StrEnum):
    CLERK = "文书"
    UNIT_HEAD = "单位负责人"
    OFFICE_STAFF = "办公室工作人员"
    OFFICE_DIRECTOR = "办公室主任"
    DEPUTY_HEAD = "副区长"
    DISTRICT_HEAD = "区长"
    CALENDAR_ADMIN = "日历管理员"
    SYSTEM_ADMIN = "系统管理员"
    SECURITY_ADMIN = "安全管理员"
    AUDIT_ADMIN = "审计管理员"


# 三员分立: no account may hold two of these.
SEPARATED_ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
OFFICE_ROLES = frozenset({Role.OFFICE_STAFF, Role.OFFICE_DIRECTOR})
LEADER_ROLES = frozenset({Role.DEPUTY_HEAD, Role.DISTRICT_HEAD})


def has_role(user, *roles: Role) -> bool:
    """True if the user is in any of `roles`. Cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return False
    names = getattr(user, "_role_names", None)
    if names is None:
        names = frozenset(user.groups.values_list("name", flat=True))
        user._role_names = names
    return any(str(r) in names for r in roles)


def users_with_role(role: Role):
    from .models import User

    return User.objects.filter(groups__name=str(role), is_active=True)
