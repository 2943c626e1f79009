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
