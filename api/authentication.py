"""How a caller proves who it is: a system sends `Authorization: Bearer <token>`; the browser uses its session (with
the CSRF check on every write, as the pages)."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from tiexi_gov.org.roles import is_technical_account

from . import services
from .models import ApiToken


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None  # not ours: the session may still authenticate
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("令牌格式有误：应为“Authorization: Bearer <令牌>”。")
        try:
            raw = header[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed("令牌格式有误。") from None
        token = ApiToken.objects.select_related("user").filter(digest=services.digest_of(raw)).first()
        if token is None:
            raise exceptions.AuthenticationFailed("令牌无效。")
        reason = ""
        if token.revoked_at is not None:
            reason = "令牌已吊销。"
        elif token.expires_at is not None and token.expires_at <= timezone.now():
            reason = "令牌已过期。"
        elif not token.user.is_active:
            reason = "令牌的使用人账号已停用。"
        elif is_technical_account(token.user):  # one issued before administrators' accounts were refused tokens
            reason = "三员分立：管理员账号不使用接口令牌。"
        if reason:
            services.record_denied(token=token, reason=f"{reason}请求：{request.method} {request.path}")
            raise exceptions.AuthenticationFailed(reason)
        services.touch(token)
        return token.user, token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


class SessionAuthentication(authentication.SessionAuthentication):
    """The browser's session, with the pages' CSRF check on every write; its refusal in Chinese, as the pages' 403
    says it (DRF's own reads "CSRF Failed: CSRF token missing.")."""

    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied:
            raise exceptions.PermissionDenied(
                "请求未通过跨站请求伪造（CSRF）校验，未作任何修改：请在请求头 X-CSRFToken 中附上 csrftoken，"
                "并从本平台的页面发出请求。"
            ) from None


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "安全管理员创建的接口令牌"}


class SessionCookieScheme(OpenApiAuthenticationExtension):
    """The schema names the session as drf-spectacular names DRF's own (which it does not match in a subclass)."""

    target_class = "api.authentication.SessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        from django.conf import settings

        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}
