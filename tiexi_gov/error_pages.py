"""The portal's Chinese 403/404/500 pages also when DEBUG is on, as it is under `make run`; and a Chinese 405 page
always, where Django answers an action's address opened by GET (a typed or bookmarked 退出 link) with a blank page.

With DEBUG on, Django answers a wrong address with its technical 404 (every URL pattern of the portal) and a crash
with a traceback page. `make run` keeps DEBUG on for the console mail and the development secret, but the people
trying the demo are office staff: they should meet the pages production shows. The traceback still goes to the
console log. A developer who wants Django's pages sets TECHNICAL_ERROR_PAGES=1.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.shortcuts import render
from django.urls import Resolver404, get_resolver, get_urlconf, resolve
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults

from tiexi_gov.http import typed_values

logger = logging.getLogger("django.request")


class ChineseErrorPagesMiddleware:
    """Last in MIDDLEWARE, so the page has the user and the messages; does nothing while DEBUG is off, where
    Django already uses the handlers (templates/403.html, 404.html, 500.html)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def _active(self) -> bool:
        return settings.DEBUG and not getattr(settings, "TECHNICAL_ERROR_PAGES", False)

    @staticmethod
    def _not_found(request, exception):
        """The project's handler404 (tiexi_gov.views.not_found), as with DEBUG off: JSON under the API's prefix.
        Drawing defaults.page_not_found here gave the API's clients the HTML page for every address no pattern
        takes (a route the API does not have, an id its converter refuses: /api/v1/submissions/-1/)."""
        return get_resolver(getattr(request, "urlconf", None) or get_urlconf()).resolve_error_handler(404)(
            request, exception
        )

    def __call__(self, request):
        if self._active():
            try:
                resolve(request.path_info, getattr(request, "urlconf", None) or get_urlconf())
            except Resolver404 as exc:
                return self._not_found(request, exc)
        response = self.get_response(request)
        if response.status_code == 405 and not getattr(response, "streaming", False) and not response.content:
            return method_not_allowed(request, response)
        return response

    def process_exception(self, request, exception):
        if not self._active():
            return None
        if isinstance(exception, Http404):
            return self._not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return defaults.permission_denied(request, exception)
        if isinstance(exception, (BadRequest, SuspiciousOperation)):  # a body too large for the API's parser…
            from tiexi_gov.views import bad_request

            return bad_request(request, exception)
        logger.error("Internal Server Error: %s", request.path, exc_info=exception, extra={"request": request})
        from tiexi_gov.views import server_error

        return server_error(request)


def method_not_allowed(request, blank):
    """The page for require_POST's empty 405 (an API's 405 says it in its own body and is left alone)."""
    response = render(request, "405.html", status=405)
    response["Allow"] = blank["Allow"]
    return response


def _same_site(request) -> bool:
    """The refused post came from one of the portal's own pages (a stale one), not from another site."""
    origin = request.headers.get("Origin") or request.headers.get("Referer") or ""
    return url_has_allowed_host_and_scheme(origin, allowed_hosts={request.get_host()}, require_https=False)


def csrf_failure(request, reason: str = ""):
    """The security check of a form failed (settings.CSRF_FAILURE_VIEW): almost always a page left open too long or
    a login in another window, which renews the check. That is not a missing permission, and what was typed must
    not be lost: the page says so and, for a post from the portal's own pages, shows the text typed to copy back.
    (A post from another site is not echoed: the portal does not show other sites' words as the user's.)"""
    kept = typed_values(request) if request.method == "POST" and _same_site(request) else []
    back = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
        back = ""
    return render(request, "403_csrf.html", {"kept": kept, "back": back}, status=403)
