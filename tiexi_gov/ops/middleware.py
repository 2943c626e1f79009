"""Answers /healthz before every other middleware.

A load balancer probes each gunicorn directly over plain HTTP with whatever Host it likes: past this point the
probe would meet the HTTPS redirect (SECURE_SSL_REDIRECT), ALLOWED_HOSTS, the session, CSRF, django-axes and CSP,
none of which it needs. Answering here keeps the probe cheap (no session read or write, no cookie) and makes it
independent of login and of the proxy's headers."""

from .views import health_response

HEALTHZ_PATH = "/healthz"


class HealthzMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.rstrip("/") == HEALTHZ_PATH:
            return health_response(request.method)
        return self.get_response(request)
