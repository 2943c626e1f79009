"""Roles are Django groups named in Chinese; code refers to them only through these constants (X-2)."""

from enum import StrEnum

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef

from .memo import memo
from .models import User


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


def role_names(user) -> frozenset[str]:
    """The names of the user's role groups. Cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()

    return memo(user, "role_names", None, lambda: frozenset(user.groups.values_list("name", flat=True)))


def has_role(user, *roles: Role) -> bool:
    """True if the user is in any of `roles`. Cached on the user object for the request."""
    names = role_names(user)
    return any(str(r) in names for r in roles)


def users_with_role(role: Role):

    return User.objects.filter(groups__name=str(role), is_active=True)


# Roles that act in business flows; an administrator holds none of them (issue 12.1).
BUSINESS_ROLES = frozenset(
    {Role.CLERK, Role.UNIT_HEAD, Role.OFFICE_STAFF, Role.OFFICE_DIRECTOR, Role.DEPUTY_HEAD, Role.DISTRICT_HEAD}
)
ADMIN_BUSINESS_MESSAGE = "三员分立：{admin}不得兼任业务角色（{business}）。"

SEPARATION_MESSAGE = "三员分立：系统管理员、安全管理员、审计管理员不得由同一账号兼任。当前将同时具有：{roles}。"

_ORG_CHART = ("unit", "post", "appointment", "portfolio", "actingarrangement")

# Model permissions each role needs in Django admin. The office maintains the org chart (no delete: ending a
# post or a portfolio keeps history, ORG-1/ORG-2); the system admin keeps accounts, the security admin assigns
# roles, the audit admin reads the record — and none of them can do another's job (三员分立).
ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.OFFICE_STAFF: tuple(f"org.{verb}_{model}" for model in _ORG_CHART for verb in ("add", "change", "view"))
    + ("org.view_user",),
    Role.OFFICE_DIRECTOR: tuple(f"org.{verb}_{model}" for model in _ORG_CHART for verb in ("add", "change", "view"))
    + ("org.view_user",),
    Role.CALENDAR_ADMIN: (
        "workdays.add_workdayoverride",
        "workdays.change_workdayoverride",
        "workdays.delete_workdayoverride",
        "workdays.view_workdayoverride",
        "workdays.add_calendaryear",
        "workdays.change_calendaryear",
        "workdays.view_calendaryear",
    ),
    Role.SYSTEM_ADMIN: ("org.add_user", "org.change_user", "org.view_user", "org.view_unit"),
    Role.SECURITY_ADMIN: ("org.change_user", "org.view_user", "auth.view_group", "org.view_unit"),
    Role.AUDIT_ADMIN: ("audit.view_event",),
}


def separated_roles_in(names) -> list[str]:
    """The 三员 roles among `names`, in a stable order, for messages."""
    return sorted(str(n) for n in set(map(str, names)) & {str(r) for r in SEPARATED_ADMIN_ROLES})


def check_role_separation(names) -> None:
    """Raise ValidationError if the group names `names` hold more than one of the 三员 roles, or one of them
    together with a business role (X-2; issue 12.1). The database holds the same rule (org migration 0004)."""

    names = {str(n) for n in names}
    held = separated_roles_in(names)
    if len(held) > 1:
        raise ValidationError(SEPARATION_MESSAGE.format(roles="、".join(held)), code="role_separation")
    business = sorted(names & {str(r) for r in BUSINESS_ROLES})
    if held and business:
        raise ValidationError(
            ADMIN_BUSINESS_MESSAGE.format(admin=held[0], business="、".join(business)), code="role_separation"
        )


def ensure_roles(*, grant_permissions: bool = True) -> dict[Role, object]:
    """Create every role group (idempotent) and give it the admin permissions it needs.

    Permissions of apps not migrated yet are skipped, so this is safe to call from anywhere.
    """

    groups = {role: Group.objects.get_or_create(name=str(role))[0] for role in Role}
    if grant_permissions:
        for role, perms in ROLE_PERMISSIONS.items():
            wanted = []
            for perm in perms:
                app_label, codename = perm.split(".", 1)
                wanted.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
            groups[role].permissions.add(*wanted)
    return groups


TECHNICAL_ROLES = frozenset({*SEPARATED_ADMIN_ROLES, Role.CALENDAR_ADMIN})


def is_technical_account(user) -> bool:
    """An administrator's account: one of the 三员 roles, or only technical roles (the calendar administrator
    with no business role)."""
    names = role_names(user)
    if names & {str(r) for r in SEPARATED_ADMIN_ROLES}:
        return True
    return bool(names & {str(r) for r in TECHNICAL_ROLES}) and not names & {str(r) for r in BUSINESS_ROLES}


def without_technical_accounts(users):
    """`users` less the administrators' accounts: `is_technical_account` as a query, for the lists that offer people
    for business work (三员分立, issue 12.1)."""
    held = User.groups.through.objects.filter(user_id=OuterRef("pk"))

    def holding(roles):
        return Exists(held.filter(group__name__in=[str(r) for r in roles]))

    return users.exclude(holding(SEPARATED_ADMIN_ROLES)).exclude(holding(TECHNICAL_ROLES) & ~holding(BUSINESS_ROLES))


def home_unit_id(user) -> int | None:
    """The unit whose business the user works in — every permission that reads "the user's own unit" asks here.
    An administrator's account has none, wherever the org chart seats it: business capabilities come from posts
    and business roles, never from sitting in the office (issue 12.1, 三员分立)."""
    unit_id = getattr(user, "unit_id", None)
    if unit_id is None or not getattr(user, "is_authenticated", False):
        return None
    return None if is_technical_account(user) else unit_id
