"""Session limits and the forced password change, checked on every request of a logged-in user.

SessionLimitsMiddleware: idle timeout (SESSION_IDLE_TIMEOUT_MINUTES, 30; SESSION_ADMIN_IDLE_TIMEOUT_MINUTES, 15 for
the system, security and audit administrators) and an absolute lifetime from login (SESSION_ABSOLUTE_HOURS, 12).
Past either, the user is logged out and sent to the login page with a Chinese message.

PasswordChangeRequiredMiddleware: while the password must be changed (first login, after a reset, expired), every
page except the password change page and logout leads there.
"""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse

from tiexi_gov.org.roles import SEPARATED_ADMIN_ROLES, has_role

from .passwords import change_reason
from .signals import IS_ADMIN, LOGIN_AT, PW_CHECKED, PW_REASON, SEEN_AT

# Touch the session at most this often (seconds), so that a page is not a session write.
SEEN_RESOLUTION = 30
# A session looks at the password state at login and again at most this often (seconds).
PASSWORD_RECHECK = 300


def is_administrator(user) -> bool:
    return bool(user.is_superuser or has_role(user, *SEPARATED_ADMIN_ROLES))


def idle_limit_seconds(user, session=None) -> int:
    admin = session.get(IS_ADMIN) if session is not None else None
    if admin is None:
        admin = is_administrator(user)
        if session is not None:
            session[IS_ADMIN] = admin
    if admin:
        return int(getattr(settings, "SESSION_ADMIN_IDLE_TIMEOUT_MINUTES", 15)) * 60
    return int(getattr(settings, "SESSION_IDLE_TIMEOUT_MINUTES", 30)) * 60


def absolute_limit_seconds() -> int:
    return int(float(getattr(settings, "SESSION_ABSOLUTE_HOURS", 12)) * 3600)


def _redirect(request, url):
    if getattr(request, "htmx", False):  # htmx would swap the whole login page into a fragment
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def _static(path: str) -> bool:
    return path.startswith("/" + settings.STATIC_URL.lstrip("/")) or path == "/favicon.ico"


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not _static(request.path):
            expired = self._expired(request, user)
            if expired:
                request.tiexi_logout_reason = expired
                logout(request)
                messages.warning(request, expired)
                url = reverse(settings.LOGIN_URL)
                if request.method == "GET" and not getattr(request, "htmx", False):
                    url += "?" + urlencode({"next": request.get_full_path()})
                return _redirect(request, url)
        return self.get_response(request)

    def _expired(self, request, user) -> str:
        session = request.session
        now = time.time()
        login_at = session.get(LOGIN_AT)
        seen_at = session.get(SEEN_AT)
        if login_at is None or seen_at is None:  # a session from before the limits: start its clocks now
            session[LOGIN_AT] = login_at or now
            session[SEEN_AT] = now
            return ""
        if now - float(login_at) > absolute_limit_seconds():
            hours = float(getattr(settings, "SESSION_ABSOLUTE_HOURS", 12))
            return f"登录已超过{hours:g}小时，为保证安全请重新登录。"
        if now - float(seen_at) > idle_limit_seconds(user, session):
            return f"您已超过{idle_limit_seconds(user, session) // 60}分钟未操作，登录已失效，请重新登录。"
        if now - float(seen_at) >= SEEN_RESOLUTION:
            session[SEEN_AT] = now
        return ""


# Pages open to a user who must change the password first.
def _allowed(path: str) -> bool:
    allowed = {reverse("password_change"), reverse("logout"), reverse(settings.LOGIN_URL)}
    return path in allowed or _static(path)


def _directory(request) -> bool:
    """A directory login (issue 15.3) proved the directory's password: the local password policy does not apply to
    the session, and its change page would ask for a local password the person may never have had."""
    from .directory import DIRECTORY_BACKENDS

    return request.session.get("_auth_user_backend") in DIRECTORY_BACKENDS


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not _allowed(request.path) and not _directory(request):
            session = request.session
            reason = session.get(PW_REASON)
            if reason is None or time.time() - float(session.get(PW_CHECKED, 0)) > PASSWORD_RECHECK:
                reason = change_reason(user)
                session[PW_REASON] = reason
                session[PW_CHECKED] = time.time()
            if reason:
                messages.warning(request, reason)
                return _redirect(request, reverse("password_change"))
        return self.get_response(request)
