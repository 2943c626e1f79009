"""Constants the browser journeys share (imported by tests/e2e/conftest.py and the tests)."""

import os
from pathlib import Path

from django.conf import settings

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENS = Path(settings.BASE_DIR) / "var" / "screens"
PASSWORD = "pw-Tiexi-2026"  # tests.factories.UserFactory
# A minimal file that passes the attachment content check.
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


class Session:
    """One person's browser tab, logged in; confirmation dialogs (hx-confirm) are accepted."""

    item_path = "/documents/{pk}/"  # flow A's item page; OutgoingSession overrides both
    panel = "#doc-panel"

    def __init__(self, browser, base_url, user, *, phone=False):
        if phone:
            self.context = browser.new_context(
                viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
            )
        else:
            self.context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.page.on("dialog", lambda dialog: dialog.accept())
        self.base = base_url
        page = self.page
        page.goto(base_url + "/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        assert "/accounts/login/" not in page.url

    def open_item(self, pk):
        self.page.goto(self.base + self.item_path.format(pk=pk))
        self.page.locator(self.panel).wait_for()

    def act(self, action, expect_state_label):
        """Press the action's button in the panel and wait for htmx to bring the new state."""
        self.page.locator(f"[data-testid=do-{action}]").click()
        self.page.locator(f"{self.panel} [data-testid=state]", has_text=expect_state_label).wait_for()

    def close(self):
        self.context.close()


class OutgoingSession(Session):
    """The same tab on flow B's (发文) item pages."""

    item_path = "/documents/outgoing/{pk}/"
    panel = "#out-panel"
