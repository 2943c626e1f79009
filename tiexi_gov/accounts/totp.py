"""The second factor: TOTP (django-otp), required for the system, security and audit administrators and open to
everyone who binds an authenticator app."""

import base64

from django.conf import settings
from django_otp import login as _otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from tiexi_gov.org.roles import SEPARATED_ADMIN_ROLES, has_role


def required_for(user) -> bool:
    return bool(getattr(settings, "OTP_REQUIRED_FOR_ADMINS", True)) and (
        user.is_superuser or has_role(user, *SEPARATED_ADMIN_ROLES)
    )


def confirmed_device(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def needs_second_factor(user) -> bool:
    return confirmed_device(user) is not None or required_for(user)


def new_device(user):
    """The account's unconfirmed device (one at a time), made on first need."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="动态验证码", confirmed=False)
    return device


def secret_base32(device) -> str:
    return base64.b32encode(device.bin_key).decode()


def verify(device, token: str) -> bool:
    token = (token or "").strip().replace(" ", "")
    return bool(token.isdigit() and len(token) == 6 and device.verify_token(token))


def otp_login(request, device, *, confirm: bool = False) -> None:
    if confirm and not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    _otp_login(request, device)


def reset_devices(*, actor, user) -> int:
    """The security administrator's answer to a lost or wrongly bound authenticator: the account's devices go, the
    next login asks to bind a new one (an administrator's must). Never his own (三员分立); audited. Call inside the
    transaction that records it."""
    from tiexi_gov.audit.services import record_event

    if user.pk == actor.pk:
        raise ValueError("不能重置本人的动态验证码。")
    count, _ = TOTPDevice.objects.filter(user=user).delete()
    if count:
        record_event(
            actor=actor,
            subject=user,
            action="otp_reset",
            action_label="重置动态验证码",
            opinion="原绑定的动态验证码已作废，下次登录时重新绑定",
            rule_id="X-2",
        )
    return count
