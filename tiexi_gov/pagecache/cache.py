"""`cached_page`: serve a navbar page again while nothing it could show has changed.

The key holds the data generation (writes.py), the session, the CSRF cookie the page's forms carry, the day and the
full path. What is never cached: anything but a plain GET by a logged-in session, an htmx fragment, a page with a
message waiting to be shown, an answer other than 200 HTML, and a page whose view wrote to the database, set a
cookie or changed the session (its side effect must happen on every visit).
"""

from __future__ import annotations

import functools
import hashlib

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone

from . import writes

KEPT_HEADERS = ("Content-Type", "Cache-Control", "Content-Language")


def cached_page(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        seconds = int(getattr(settings, "PAGE_CACHE_SECONDS", 60))
        key = _key(request, seconds)
        if key is None:
            return view(request, *args, **kwargs)
        hit = cache.get(key)
        if hit is not None:
            body, headers = hit
            return HttpResponse(body, headers=headers)
        before = writes.writes_in_request.get()
        response = view(request, *args, **kwargs)
        if _storable(request, response, before):
            headers = {h: response[h] for h in KEPT_HEADERS if h in response}
            cache.set(key, (response.content, headers), seconds)
        return response

    wrapper.page_cached = True
    return wrapper


def _key(request, seconds: int) -> str | None:
    if seconds <= 0 or request.method != "GET" or getattr(request, "htmx", False):
        return None
    session_key = request.session.session_key
    csrf = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    if not (request.user.is_authenticated and session_key and csrf) or len(messages.get_messages(request)):
        return None
    generation = writes.current()
    if generation is None:
        return None
    parts = (generation, session_key, csrf, timezone.localdate().isoformat(), request.get_full_path())
    return "page:" + hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()


def _storable(request, response, writes_before: int) -> bool:
    return (
        response.status_code == 200
        and not getattr(response, "streaming", False)
        and response.get("Content-Type", "").startswith("text/html")
        and not response.cookies
        and writes.writes_in_request.get() == writes_before
        and not request.session.modified
        and not len(messages.get_messages(request))
    )
