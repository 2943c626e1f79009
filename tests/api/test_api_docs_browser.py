"""15.1: the API's Swagger UI (/api/docs/) in a real headless Chromium: it renders the operations of the schema from
the portal's own static files, and the strict CSP reports not one violation (neither the event nor the console)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.browser_support import CHROMIUM
from tests.e2e.e2e_support import DESKTOP

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs Chromium at {CHROMIUM}"),
]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def test_15_1_swagger_ui_renders_the_operations_with_no_csp_violation(live_server, settings, tmp_path, browser):
    from tests.documents.documents_support import build_world

    settings.MEDIA_ROOT = tmp_path
    w = build_world()
    client = Client()
    client.force_login(w.staff)  # the docs page and the schema it loads are for signed-in users only
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    console: list[str] = []
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    try:
        context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
        context.add_init_script(RECORD_VIOLATIONS)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.on("console", lambda msg: console.append(msg.text))
        response = page.goto(f"{live_server.url}/api/docs/")
        assert response.status == 200
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_selector(".opblock-summary-path", state="attached")  # the schema is loaded and rendered
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        assert any("/api/v1/tasks/" in p for p in paths)
        assert any("/minutes/actions/" in p for p in paths)
        assert page.evaluate("window.__cspViolations") == []
    finally:
        context.close()
    refused = [text for text in console if "Content Security Policy" in text or "Refused to" in text]
    assert refused == []
