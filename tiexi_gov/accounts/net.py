"""The client address used for lockout and for the login audit.

Behind the production proxy REMOTE_ADDR is the proxy itself, so set LOGIN_TRUST_X_FORWARDED_FOR=1 there and let
the proxy overwrite X-Forwarded-For with the client's address (nginx: proxy_set_header X-Forwarded-For
$remote_addr). Without that setting the header is ignored: a client could otherwise pick a new address for every
guess and never be locked out by address."""

from django.conf import settings


def login_ip(request) -> str | None:
    if request is None:
        return None
    meta = getattr(request, "META", {}) or {}
    if getattr(settings, "LOGIN_TRUST_X_FORWARDED_FOR", False):
        forwarded = [p.strip() for p in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if forwarded:
            return forwarded[-1]  # the entry our own proxy wrote
    return meta.get("REMOTE_ADDR") or None
