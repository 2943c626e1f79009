"""Password resets under 三员分立 (issue 12.1).

The system administrator resets an ordinary account's password himself. An administrator's account is reset only
with a security administrator's approval naming it (PasswordResetApproval), given by someone who is neither the
target nor the one resetting, used once within a day: no administrator takes over another's account alone. Every
reset is audited and forces the owner to choose a new password at the next login. Nobody resets his own password
here: that is the ordinary password change, which asks for the old one.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tiexi_gov.audit.services import record_event

from .models import PasswordResetApproval, User
from .roles import TECHNICAL_ROLES, Role, has_role


def is_admin_account(user: User) -> bool:
    return user.is_superuser or has_role(user, *TECHNICAL_ROLES)


def pending_approval(actor: User, target: User) -> PasswordResetApproval | None:
    """An approval `actor` may use to reset `target` now, or None."""
    since = timezone.now() - dt.timedelta(hours=PasswordResetApproval.VALID_HOURS)
    return (
        PasswordResetApproval.objects.filter(target=target, used_at__isnull=True, approved_at__gte=since)
        .exclude(approved_by=actor)
        .exclude(approved_by=target)
        .order_by("approved_at")
        .first()
    )


def standing_approval(target: User) -> PasswordResetApproval | None:
    """An approval of a reset of `target` still valid and unused: a second one would allow a second reset."""
    since = timezone.now() - dt.timedelta(hours=PasswordResetApproval.VALID_HOURS)
    return (
        PasswordResetApproval.objects.filter(target=target, used_at__isnull=True, approved_at__gte=since)
        .select_related("approved_by")
        .order_by("approved_at")
        .first()
    )


def standing_message(approval: PasswordResetApproval) -> str:
    when = timezone.localtime(approval.approved_at)
    return (
        f"该账号的密码重置已由{approval.approved_by}于{when:%Y-%m-%d %H:%M}批准，尚未使用（24小时内有效），"
        "无需重复批准。"
    )


def check_reset(actor: User, target: User) -> PasswordResetApproval | None:
    """Raise PermissionDenied (with the reason in Chinese) unless `actor` may reset `target`'s password now;
    return the approval it needs, if any."""
    if not has_role(actor, Role.SYSTEM_ADMIN):
        raise PermissionDenied("只有系统管理员可以重置密码。")
    if actor.pk == target.pk:
        raise PermissionDenied("不能在此重置本人的密码，请使用“修改密码”。")
    if not is_admin_account(target):
        return None
    approval = pending_approval(actor, target)
    if approval is None:
        raise PermissionDenied("重置管理员账号的密码须经安全管理员批准（24小时内有效，限用一次）。")
    return approval


def approve_reset(*, actor: User, target: User, reason: str, ip: str | None = None) -> PasswordResetApproval:
    """The security administrator approves one reset of an administrator's password."""
    if not has_role(actor, Role.SECURITY_ADMIN):
        raise ValidationError("只有安全管理员可以批准重置管理员密码。")
    if actor.pk == target.pk:
        raise ValidationError("不能批准重置本人账号的密码。")
    if not reason.strip():
        raise ValidationError("请填写事由。")
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=target.pk).first()  # two approvals of one account wait in turn
        if standing := standing_approval(target):
            return standing  # posted twice: the one approval stands (used once), nothing new to record
        approval = PasswordResetApproval.objects.create(target=target, reason=reason.strip(), approved_by=actor)
        record_event(
            actor=actor,
            subject=target,
            action="password_reset_approved",
            action_label="批准重置管理员密码",
            opinion=reason.strip(),
            rule_id="X-2",
            ip=ip,
        )
    return approval


def record_reset(*, actor: User, target: User, approval: PasswordResetApproval | None, ip: str | None = None):
    """After the new password is set: use up the approval and audit the reset. Call inside the transaction that set
    the password. The change at the next login is forced by the admin's own hook for every password it sets on
    another account (tiexi_gov.accounts.signals.on_admin_log), not twice here."""
    if approval is not None:
        approval.used_by, approval.used_at = actor, timezone.now()
        approval.save(update_fields=["used_by", "used_at"])
    record_event(
        actor=actor,
        subject=target,
        action="password_reset",
        action_label="重置密码",
        opinion=f"经{approval.approved_by}批准：{approval.reason}" if approval else "",
        rule_id="X-2",
        ip=ip,
    )
