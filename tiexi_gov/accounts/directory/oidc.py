"""The OpenID Connect login (统一身份认证): the authorization-code flow of mozilla-django-oidc against the provider
named in the OIDC_* settings; the provider's employee-number claim maps the person to a portal account (see the
package docstring). The views answer 404 while OIDC is not configured."""

from __future__ import annotations

import logging
import time

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from tiexi_gov.accounts.totp import needs_second_factor
from tiexi_gov.accounts.views import PENDING

from . import REFUSAL_ATTR, DirectoryBackendMixin, DirectoryRefusal, oidc_enabled, portal_user_for, refuse

FAILED = "统一身份认证登录未成功，请重试，或使用用户名和密码登录。"
UNAVAILABLE = "统一身份认证未能完成（认证服务无应答或凭据无效），请稍后重试，或使用用户名和密码登录。"

logger = logging.getLogger(__name__)


class OIDCDirectoryBackend(DirectoryBackendMixin, OIDCAuthenticationBackend):
    def authenticate(self, request, **kwargs):
        if request is None or "code" not in request.GET or "state" not in request.GET:
            return None  # a password login (the login form asks every backend): not ours
        try:
            return super().authenticate(request, **kwargs)
        except (requests.RequestException, SuspiciousOperation, jwt.PyJWTError, ValueError, KeyError) as exc:
            # The provider unreachable, a refused or forged code or token: a failed login, never a 500.
            logger.warning("OIDC login failed: %s", exc)
            refuse(request, DirectoryRefusal(UNAVAILABLE, "统一身份认证未通过"))
            return None

    def verify_token(self, token, **kwargs):
        """The signature and nonce (mozilla-django-oidc), and the audience: the ID token must be meant for us."""
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audience = [audience] if isinstance(audience, str) else list(audience or [])
        if self.OIDC_RP_CLIENT_ID not in audience:
            raise SuspiciousOperation("ID token audience mismatch")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        """The portal account whose 工号 is the provider's employee-number claim (userinfo, else the ID token)."""
        claim = settings.OIDC_EMPLOYEE_NUMBER_CLAIM
        claims = self.get_userinfo(access_token, id_token, payload)
        number = claims.get(claim) or payload.get(claim)
        try:
            return portal_user_for(employee_number=number if isinstance(number, (str, int)) else "")
        except DirectoryRefusal as refusal:
            refuse(self.request, refusal)
            return None


class _OnlyWhenConfigured:
    def __init__(self, *args, **kwargs):
        if oidc_enabled():  # mozilla-django-oidc reads the endpoints here and fails without them
            super().__init__(*args, **kwargs)

    def dispatch(self, request, *args, **kwargs):
        if not oidc_enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class OIDCLoginStart(_OnlyWhenConfigured, OIDCAuthenticationRequestView):
    """统一身份认证登录: off to the provider with state, nonce and PKCE kept in the session."""


class OIDCLoginCallback(_OnlyWhenConfigured, OIDCAuthenticationCallbackView):
    """The provider sends the browser back here with a code; the backend redeems it over the back channel."""

    def login_success(self):
        user = self.user
        user.backend = getattr(user, "backend", None) or "tiexi_gov.accounts.directory.oidc.OIDCDirectoryBackend"
        if needs_second_factor(user):  # the same second step as the password login (accounts.views.LoginView)
            self.request.session[PENDING] = {
                "user": user.pk,
                "backend": user.backend,
                "at": time.time(),
                "next": self.request.session.get("oidc_login_next") or "",
            }
            return redirect("otp_verify")
        return super().login_success()

    def login_failure(self):
        messages.error(self.request, getattr(self.request, REFUSAL_ATTR, "") or FAILED)
        return redirect(settings.LOGIN_URL)


urlpatterns = [
    path("authenticate/", OIDCLoginStart.as_view(), name="oidc_authentication_init"),
    path("callback/", OIDCLoginCallback.as_view(), name="oidc_authentication_callback"),
]
