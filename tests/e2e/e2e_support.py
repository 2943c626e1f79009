"""Constants the browser journeys share (imported by tests/e2e/conftest.py and the tests)."""

from pathlib import Path

from django.conf import settings

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


NAVBAR = "#mainNav"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


OFF_SCREEN_CONTROLS = """() => Array.from(document.querySelectorAll(
    'main a[href], main button, main input:not([type=hidden]), main select, main textarea'))
  .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0
                 && getComputedStyle(e).visibility !== 'hidden' && r.left > window.innerWidth - 20; })
  .map(e => (e.innerText || e.getAttribute('aria-label') || e.name || e.tagName).trim().slice(0, 30))"""


class ClickSession:
    """One person's tab that goes only where a person can click (issue 11 point 8).

    It logs in on the login page (the only typed address) and from then on moves through the navbar and the
    rows of 我的待办: `todo_open(text)` is the way an item waiting for this person is reached, and it fails when
    the item is not in their queue (the "empty queue with work waiting" fault). Confirmation dialogs are accepted.
    `shot(name)` saves the page at 1366 and at 390 px wide in var/screens/ and checks that the phone-width page does
    not scroll sideways.
    """

    def __init__(self, browser, base_url, user, *, javascript: bool = True):
        self.user = user
        # javascript=False: a browser with scripts off (htmx absent), whose forms post as plain HTML forms.
        self.context = browser.new_context(viewport=DESKTOP, locale="zh-CN", java_script_enabled=javascript)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.page.on("dialog", lambda dialog: dialog.accept())
        page = self.page
        page.goto(base_url + "/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        assert "/accounts/login/" not in page.url, f"{user.username} could not log in"

    # --- moving by clicking ---------------------------------------------------------------------------------------

    def nav(self, label: str):
        """Click a navbar link by its words (opening the collapsed menu first at phone width)."""
        page = self.page
        toggler = page.locator(".navbar-toggler")
        if toggler.is_visible() and not page.locator(f"{NAVBAR}.show").count():
            toggler.click()
            page.wait_for_selector(f"{NAVBAR}.collapse.show")
        page.locator(NAVBAR).get_by_role("link", name=label).first.click()
        page.wait_for_load_state()

    def todo(self):
        """Navbar → 我的待办."""
        self.page.locator("[data-testid=nav-queue]").click()
        self.page.wait_for_url("**/todo/")
        return self.page

    def todo_row(self, text: str, action_label: str | None = None):
        """The row of 我的待办 naming `text` (and the action `action_label`, if given); fails if there is none."""
        self.todo()
        rows = self.page.locator("[data-testid=task-row]").filter(has_text=text)
        if action_label:
            rows = rows.filter(has=self.page.locator("[data-testid=task-action]", has_text=action_label))
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            rows.first.wait_for(timeout=5_000)
        except PlaywrightTimeout as exc:  # say whose queue lacks what, and show what it holds
            shown = self.page.locator("main").inner_text()
            raise AssertionError(
                f"{self.user.username}'s 我的待办 has no row for {text!r} ({action_label or 'any action'}):\n{shown}"
            ) from exc
        return rows.first

    def todo_open(self, text: str, action_label: str | None = None):
        """Navbar → 我的待办 → click the row naming the item."""
        row = self.todo_row(text, action_label)
        row.locator("[data-testid=task-link]").click()
        self.page.wait_for_load_state()
        return self.page

    def click_link(self, name, *, within: str = "main"):
        """Click a link in the page's main area by its words."""
        self.page.locator(within).get_by_role("link", name=name).first.click()
        self.page.wait_for_load_state()
        return self.page

    # --- pictures ------------------------------------------------------------------------------------------------

    def shot(self, name: str):
        """The page at 1366 px and at 390 px wide: var/screens/<name>-1366.png and <name>-390.png."""
        page = self.page
        SCREENS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENS / f"{name}-1366.png"), full_page=True)
        page.set_viewport_size(PHONE)
        try:
            page.wait_for_timeout(100)  # let the layout settle
            page.screenshot(path=str(SCREENS / f"{name}-390.png"), full_page=True)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{name}: the page is {width} px wide on a 390 px phone"
            # A table that scrolls inside its own box keeps the page narrow, yet a button past its right edge is
            # one the phone's user does not see: every control of the page's main area starts on the screen (a long
            # title may run past the edge; a 查看 button wholly beyond it may not).
            beyond = page.evaluate(OFF_SCREEN_CONTROLS)
            assert not beyond, f"{name}: controls beyond the right edge of a 390 px phone: {beyond}"
        finally:
            page.set_viewport_size(DESKTOP)

    def close(self):
        self.context.close()
