"""Defence in depth (issue 12.4): a cap on a request's size that answers before the body is read, and the
Permissions-Policy header. The Content-Security-Policy itself comes from django-csp (settings, end of file).

`RequestSizeLimitMiddleware` sits before every middleware that could read the body (CSRF, sessions, the
NUL-byte check…): a request announcing more than REQUEST_BODY_MAX_BYTES in its Content-Length is answered 413 in
Chinese without touching `wsgi.input`, so a 60 MB upload costs the server nothing. In production the proxy
refuses it first (nginx `client_max_body_size`, README); this is the application's own guarantee.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

from tiexi_gov.http import is_api_path
from tiexi_gov.uploads import max_attachment_bytes

MB = 1024 * 1024


def request_body_max_bytes() -> int:
    """The largest request body accepted: REQUEST_BODY_MAX_BYTES, by default two full attachments and 10 MB of
    margin (a report may carry several files; the form fields are small)."""
    configured = getattr(settings, "REQUEST_BODY_MAX_BYTES", None)
    if configured:
        return int(configured)
    return 2 * max_attachment_bytes() + 10 * MB


def _announced_length(request) -> int | None:
    raw = request.META.get("CONTENT_LENGTH") or ""
    try:
        return int(raw) if raw.strip() else None
    except ValueError:
        return None


class RequestSizeLimitMiddleware:
    """413 for a body announced larger than the cap, before anything reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = _announced_length(request)
        limit = request_body_max_bytes()
        if length is not None and length > limit:
            return self.too_large(limit, api=is_api_path(request.path_info))
        return self.get_response(request)

    @staticmethod
    def too_large(limit: int, *, api: bool = False) -> HttpResponse:
        """The Chinese page; under the API's prefix the same words as JSON, as every other answer of the API."""
        if api:
            text = f"一次提交的内容（含全部附件）不能超过 {limit // MB} MB，本次提交未被接收，未作任何修改。"
            response = JsonResponse({"detail": text}, status=413, json_dumps_params={"ensure_ascii": False})
        else:
            body = render_to_string("413.html", {"limit_mb": limit // MB})
            response = HttpResponse(body, status=413, content_type="text/html; charset=utf-8")
        # Nothing of the body was read: the connection cannot carry another request.
        response["Connection"] = "close"
        return response


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """{"camera": [], "fullscreen": ["self"]} -> 'camera=(), fullscreen=(self)'."""
    parts = []
    for feature, allowed in policy.items():
        parts.append(f"{feature}=({' '.join(allowed)})")
    return ", ".join(parts)


class PermissionsPolicyMiddleware:
    """Adds the Permissions-Policy header (settings.PERMISSIONS_POLICY) to every response that lacks one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", None)
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = permissions_policy_header(policy)
        return response


class SignedInNoStoreMiddleware:
    """A page drawn for a signed-in user is not kept by the browser (Cache-Control: no-store, as never_cache).

    On a shared office computer the next person presses Back after 退出: a desktop browser restores the last page from
    its back/forward cache, from memory, without asking the portal, unless the page said no-store (等保 2.0: 剩余信息
    保护). A response that chose its own caching keeps it; static files never get here (WhiteNoise answers first)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
