"""Defence in depth (issue 12 point 4), probed as an assessor would: the Content-Security-Policy allows no inline
script and no template needs one; every page carries a Permissions-Policy; a request announcing a body over the cap
is refused with a Chinese 413 before a byte of it is read; every free-text form field has a length limit."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import UserFactory
from tiexi_gov.security import RequestSizeLimitMiddleware, request_body_max_bytes

TEMPLATES = Path(settings.BASE_DIR) / "templates"
MB = 1024 * 1024


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


# --- Content-Security-Policy ---------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_pages_carry_a_csp_without_inline_script(client, who):
    if who == "staff":
        client.force_login(UserFactory())
        url = reverse("workflow:queue")
    else:
        url = reverse("login")
    response = client.get(url)
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no nonce, no host
    assert "'unsafe-inline'" not in policy["style-src"] and "'unsafe-inline'" not in policy["style-src-elem"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]


@pytest.mark.django_db
def test_htmx_is_told_not_to_inject_style_or_eval(client):
    client.force_login(UserFactory())
    html = client.get(reverse("workflow:queue")).content.decode()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    assert config, "base.html lost the htmx-config meta tag"
    assert '"includeIndicatorStyles": false' in config.group(1)
    assert '"allowEval": false' in config.group(1)


def _templates():
    return sorted(TEMPLATES.rglob("*.html"))


INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.IGNORECASE | re.DOTALL)


def test_templates_hold_no_inline_script_or_event_handler():
    """What the CSP would refuse in a browser, refused here first: <script> with code in it, on*= handlers,
    javascript: URLs, hx-on (htmx evaluates it), and <style> elements (style-src-elem 'self')."""
    found = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(TEMPLATES)
        for attrs, body in SCRIPT_TAG.findall(text):
            if body.strip() or "src=" not in attrs:
                found.append(f"{name}: inline <script>{body.strip()[:40]}")
        for match in INLINE_HANDLER.finditer(text):
            found.append(f"{name}: inline handler {match.group(0)[-40:]!r}")
        if re.search(r"javascript:", text, re.IGNORECASE):
            found.append(f"{name}: javascript: URL")
        if re.search(r"\shx-on[:-]", text):
            found.append(f"{name}: hx-on attribute")
        if re.search(r"<style\b", text, re.IGNORECASE):
            found.append(f"{name}: <style> element")
    assert not found, "\n".join(found)


def test_the_scan_would_catch_what_it_looks_for():
    samples = [
        '<button onclick="window.print()">',
        '<form method="post"\n onsubmit="return confirm(1)">',
        "<select ONCHANGE='this.form.submit()'>",
    ]
    assert all(INLINE_HANDLER.search(s) for s in samples)
    assert not INLINE_HANDLER.search('<form action="/x" data-confirm="确认？">')
    assert SCRIPT_TAG.findall("<script>alert(1)</script>")[0][1] == "alert(1)"


# --- Permissions-Policy --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_permissions_policy_switches_off_unused_browser_features(client):
    header = client.get(reverse("login"))["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in header


# --- request size --------------------------------------------------------------------------------------------------


class ExplodingInput:
    """A wsgi.input that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the request body was read")

    readline = read

    def __iter__(self):
        raise AssertionError("the request body was read")


def _environ(path: str, length: int, **extra):
    environ = RequestFactory()._base_environ(
        PATH_INFO=path,
        REQUEST_METHOD="POST",
        CONTENT_TYPE="multipart/form-data; boundary=BoUnDaRy",
        CONTENT_LENGTH=str(length),
        **extra,
    )
    environ["wsgi.input"] = ExplodingInput()
    return environ


def _call_wsgi(environ):
    status_headers = {}

    def start_response(status, headers, exc_info=None):
        status_headers["status"] = status
        status_headers["headers"] = dict(headers)

    body = b"".join(WSGIHandler()(environ, start_response))
    return int(status_headers["status"].split()[0]), status_headers["headers"], body.decode()


@pytest.mark.django_db
def test_a_60_mb_upload_is_refused_with_413_before_it_is_read():
    """Through the whole middleware stack, to an upload address, logged in or not: the cap answers before CSRF,
    sessions or the NUL-byte check would read the body."""
    status, headers, body = _call_wsgi(_environ("/documents/1/act/register/", 60 * MB))
    assert status == 413
    assert "提交的内容过大" in body and f"{request_body_max_bytes() // MB} MB" in body
    assert headers["Connection"] == "close"
    assert "Content-Security-Policy" in headers and "Permissions-Policy" in headers


def test_the_cap_stands_before_every_middleware_that_reads_the_body():
    order = settings.MIDDLEWARE
    cap = order.index("tiexi_gov.security.RequestSizeLimitMiddleware")
    for reader in (
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "tiexi_gov.http.BadInputMiddleware",
    ):
        assert cap < order.index(reader), reader


def test_the_cap_is_configurable_and_lets_a_body_within_it_through(settings):
    settings.REQUEST_BODY_MAX_BYTES = 5 * MB
    passed = []
    middleware = RequestSizeLimitMiddleware(lambda request: passed.append(request) or "view answered")
    factory = RequestFactory()

    small = factory.post("/x/", data={"a": "b"})
    assert middleware(small) == "view answered"

    big = factory.post("/x/", data={"a": "b"})
    big.META["CONTENT_LENGTH"] = str(5 * MB + 1)
    big.META["wsgi.input"] = ExplodingInput()
    response = middleware(big)
    assert response.status_code == 413 and "5 MB" in response.content.decode()
    assert passed == [small]

    malformed = factory.get("/x/")
    malformed.META["CONTENT_LENGTH"] = "lots"
    assert middleware(malformed) == "view answered"  # Django itself treats it as no body


def test_the_default_cap_holds_two_attachments_and_refuses_60_mb():
    from tiexi_gov.uploads import max_attachment_bytes

    assert 2 * max_attachment_bytes() < request_body_max_bytes() < 60 * MB
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 5 * MB
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 5 * MB


# --- free text -----------------------------------------------------------------------------------------------------

FORM_MODULES = [
    path.with_suffix("").relative_to(settings.BASE_DIR).as_posix().replace("/", ".")
    for app in ("documents", "supervision", "meetings", "coordination", "tiexi_gov")
    for path in (Path(settings.BASE_DIR) / app).rglob("forms.py")
]


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


@pytest.mark.django_db
def test_every_free_text_field_has_a_length_limit():
    """Every CharField of every form of the portal (declared, or made from a model field) has max_length once the
    form is built; forms that need arguments to be built are checked on their declared fields. Passwords are the
    login engineer's (Django's validators) and are left out."""
    for module in FORM_MODULES:
        importlib.import_module(module)
    owners = tuple(m.split(".")[0] for m in FORM_MODULES)
    unlimited = []
    for form_class in set(_subclasses(forms.BaseForm)):
        if not form_class.__module__.startswith(owners) or form_class.__module__.endswith(".admin"):
            continue
        try:
            fields = form_class().fields
        except Exception:  # needs its unit, item, meeting… : the declared fields still show the limits
            fields = form_class.base_fields
        for name, field in fields.items():
            if isinstance(field.widget, forms.PasswordInput):
                continue
            if isinstance(field, forms.CharField) and field.max_length is None:
                unlimited.append(f"{form_class.__module__}.{form_class.__name__}.{name}")
    assert not unlimited, unlimited


@pytest.mark.django_db
def test_sec_signed_in_pages_are_not_kept_by_the_browser_and_a_chosen_caching_stands(client):
    """Cache-Control: no-store on every page for a signed-in user, a cached navbar page included (the browser would
    otherwise show it again with Back after 退出: tests/e2e/test_e2e_back_after_logout.py)."""
    from meetings.schedule import services as schedule_services

    me = UserFactory()
    client.force_login(me)
    inbox = reverse("notify:inbox")
    for _visit in range(3):  # drawn, then served from the page cache
        response = client.get(inbox)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    missing = client.get("/documents/999999999/")
    assert missing.status_code == 404 and "no-store" in missing["Cache-Control"]

    token = schedule_services.issue_calendar_token(actor=me).token
    feed = client.get(reverse("meetings:ics_feed", args=[token]))  # a view that chose its caching, signed in too
    assert feed.status_code == 200 and feed["Cache-Control"] == "private, max-age=300"
