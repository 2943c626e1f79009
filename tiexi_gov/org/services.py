"""Writes of the org app, and the data-layer guard for 三员分立 (X-2).

The org chart itself is reference data the office edits in Django admin; what lives here is what must hold
however a row is written: no account may hold two of the system/security/audit admin roles.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from tiexi_gov.audit.services import record_event

from .models import User
from .roles import BUSINESS_ROLES, SEPARATED_ADMIN_ROLES, check_role_separation

_SEPARATED_NAMES = frozenset(str(r) for r in SEPARATED_ADMIN_ROLES)
_BUSINESS_NAMES = frozenset(str(r) for r in BUSINESS_ROLES)


def guard_role_separation(sender, instance, action, reverse, model, pk_set, **kwargs):
    """m2m_changed receiver on User.groups: refuse a grant that would give one account two 三员 roles.

    Covers `user.groups.add/set` (reverse=False) and `group.user_set.add/set` (reverse=True); `set()` removes
    before it adds, so the check sees the final membership.
    """
    if action in ("post_add", "post_remove", "post_clear"):
        _forget_cached_roles(instance)
        return
    if action != "pre_add" or not pk_set:
        return
    if not reverse:
        new_names = set(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))
        if not new_names & (_SEPARATED_NAMES | _BUSINESS_NAMES):
            return
        current = set(instance.groups.values_list("name", flat=True))
        check_role_separation(current | new_names)
        return
    if instance.name in _SEPARATED_NAMES:
        excluded = (_SEPARATED_NAMES | _BUSINESS_NAMES) - {instance.name}
    elif instance.name in _BUSINESS_NAMES:
        excluded = _SEPARATED_NAMES
    else:
        return
    clashing = (
        User.objects.filter(pk__in=pk_set, groups__name__in=excluded)
        .values_list("username", "groups__name")
        .order_by("username")
    )
    problems = []
    for username, other in clashing:
        try:
            check_role_separation([instance.name, other])
        except ValidationError as error:
            problems.append(f"{username}（{error.messages[0]}）")
    if problems:
        raise ValidationError("；".join(problems), code="role_separation")


def _forget_cached_roles(instance) -> None:
    if isinstance(instance, User):
        instance.__dict__.pop("_org_memo", None)


@transaction.atomic
def set_user_roles(*, actor, user: User, roles) -> tuple[list[str], list[str]]:
    """Give `user` exactly the role groups `roles` (names or Role), recording what was granted and revoked.

    Raises ValidationError (in Chinese) if the result would break 三员分立.
    """
    if actor is not None and actor.pk == user.pk:
        raise ValidationError("不能调整本人的角色。")  # issue 12.1: nobody changes his own roles
    names = {str(r) for r in roles}
    check_role_separation(names)
    groups = list(Group.objects.filter(name__in=names))
    missing = names - {g.name for g in groups}
    if missing:
        raise ValidationError(f"角色不存在：{'、'.join(sorted(missing))}。")
    before = set(user.groups.values_list("name", flat=True))
    user.groups.set(groups)
    return record_role_change(actor=actor, user=user, before=before, after=names)


def record_role_change(*, actor, user: User, before, after) -> tuple[list[str], list[str]]:
    """Write the audit event for a change of roles; call inside the transaction that made it (X-1)."""
    granted, revoked = sorted(set(after) - set(before)), sorted(set(before) - set(after))
    if granted or revoked:
        parts = []
        if granted:
            parts.append("授予：" + "、".join(granted))
        if revoked:
            parts.append("撤销：" + "、".join(revoked))
        record_event(
            actor=actor,
            subject=user,
            action="roles_changed",
            action_label="调整角色",
            opinion="；".join(parts),
            rule_id="X-2",
        )
    return granted, revoked
