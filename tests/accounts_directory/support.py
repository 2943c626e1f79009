"""Helpers shared by the directory login tests."""

from django.urls import reverse
from django_otp.oath import totp

UA = "Mozilla/5.0 (directory test) Chrome/130"


def post_login(client, username, password, ip="10.0.0.7"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip, HTTP_USER_AGENT=UA
    )


def session_user_id(client):
    return client.session.get("_auth_user_id")


def session_backend(client):
    return client.session.get("_auth_user_backend")


def totp_code(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=0):06d}"
