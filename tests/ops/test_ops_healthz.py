"""Issue 13.5: /healthz for the load balancer — 200 when the database and the broker answer, 503 otherwise, and
nothing else: no login, no session, no cookie, no version, host or error text."""

from __future__ import annotations

import socket

import pytest

from tiexi_gov.celery import app as celery_app

pytestmark = pytest.mark.django_db

LEAKS = ("redis", "127.0.0.1", "celery", "kombu", "error", "refused", "django", "python", "postgres", "sqlite")


def closed_port() -> int:
    """A loopback port nobody listens on (bound and released at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def production(settings):
    """What a balancer meets in production: DEBUG off, HTTPS redirect on, only the public host allowed — and it
    probes each gunicorn over plain HTTP by its address."""
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["portal.tiexi.gov.cn"]


def test_issue13_healthz_200_for_anonymous_balancer_when_database_and_broker_are_up(
    client, production, django_assert_num_queries
):
    with django_assert_num_queries(1):  # the database check itself; no session, no lockout, no user
        r = client.get("/healthz", HTTP_HOST="10.0.0.5:8000")
    assert r.status_code == 200
    assert r.content == b"ok\n"
    assert r["Content-Type"].startswith("text/plain")
    assert r["Cache-Control"] == "no-store"
    assert not r.cookies and "Set-Cookie" not in r.headers
    assert client.head("/healthz", HTTP_HOST="10.0.0.5").status_code == 200
    # The same page for a logged-in user's browser as for the balancer: login plays no part.
    assert client.get("/healthz/").status_code == 200


def test_issue13_healthz_is_the_only_page_open_without_login(client):
    assert client.get("/").status_code == 302
    assert client.get("/healthz").status_code == 200


def test_issue13_healthz_503_when_broker_unreachable_and_reveals_nothing(client, production, monkeypatch):
    port = closed_port()
    # Celery reads CELERY_BROKER_URL from the environment before its configuration: point both at the closed port.
    monkeypatch.setenv("CELERY_BROKER_URL", f"redis://127.0.0.1:{port}/0")
    monkeypatch.setitem(celery_app.conf, "broker_url", f"redis://127.0.0.1:{port}/0")
    r = client.get("/healthz", HTTP_HOST="10.0.0.5:8000")
    assert r.status_code == 503
    assert r.content == b"unavailable\n"
    text = (r.content.decode() + " ".join(f"{k}: {v}" for k, v in r.headers.items())).lower()
    assert str(port) not in text
    for word in LEAKS:
        assert word not in text, word
    assert not r.cookies


def test_issue13_healthz_refuses_writes(client):
    r = client.post("/healthz")
    assert r.status_code == 405 and r.content == b""
