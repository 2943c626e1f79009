"""/healthz for the load balancer (issue 13.5)."""

from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .health import healthy


def health_response(method: str = "GET") -> HttpResponse:
    """200 "ok" or 503 "unavailable": two bytes of truth and nothing else (no version, host or error)."""
    if method not in ("GET", "HEAD"):
        response = HttpResponse(status=405, content_type="text/plain")
        response["Allow"] = "GET, HEAD"
        return response
    if healthy():
        response = HttpResponse("ok\n", content_type="text/plain")
    else:
        response = HttpResponse("unavailable\n", status=503, content_type="text/plain")
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_safe
def healthz(request):
    """Reached only without HealthzMiddleware (it answers first); the same answer."""
    return health_response(request.method)
