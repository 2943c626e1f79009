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
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import Resolver404, get_urlconf, resolve
from django.views import defaults

logger = logging.getLogger("django.request")


class ChineseErrorPagesMiddleware:
    """Last in MIDDLEWARE, so the page has the user and the messages; does nothing while DEBUG is off, where
    Django already uses the handlers (templates/403.html, 404.html, 500.html)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def _active(self) -> bool:
        return settings.DEBUG and not getattr(settings, "TECHNICAL_ERROR_PAGES", False)

    def __call__(self, request):
        if self._active():
            try:
                resolve(request.path_info, getattr(request, "urlconf", None) or get_urlconf())
            except Resolver404 as exc:
                return defaults.page_not_found(request, exc)
        response = self.get_response(request)
        if response.status_code == 405 and not getattr(response, "streaming", False) and not response.content:
            return method_not_allowed(request, response)
        return response

    def process_exception(self, request, exception):
        if not self._active():
            return None
        if isinstance(exception, Http404):
            return defaults.page_not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return defaults.permission_denied(request, exception)
        logger.error("Internal Server Error: %s", request.path, exc_info=exception, extra={"request": request})
        return defaults.server_error(request)


def method_not_allowed(request, blank):
    """The page for require_POST's empty 405 (an API's 405 says it in its own body and is left alone)."""
    response = render(request, "405.html", status=405)
    response["Allow"] = blank["Allow"]
    return response
