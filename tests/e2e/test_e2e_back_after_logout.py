"""A shared office computer (等保 2.0: 剩余信息保护): after 退出, the browser's Back button must not show what the
last person had open. A deputy opens a request from 我的待办, logs out from the header, and the next person presses
Back: the browser asks the portal again (nothing was kept, Cache-Control: no-store) and gets the login page, not the
request's title or opinions from the browser's cache.

Playwright turns Chromium's back/forward cache off by default; a desktop browser has it on, and it is what would show
the page again (from memory, without asking the server). This test's own Chromium has it on."""

import contextlib

import pytest
from e2e_support import DESKTOP, PASSWORD
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "关于调整城区供暖补贴标准的请示"


def test_sec_back_after_logout_shows_the_login_page_not_the_last_page(live_server, browser, world):
    from tests.documents.documents_support import in_leader_review

    sub = in_leader_review(world, title=TITLE)
    desktop = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS,
        headless=True,
        ignore_default_args=["--disable-back-forward-cache"],
    )
    context = desktop.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(live_server.url + "/accounts/login/")
        page.fill("#id_username", world.dep_a.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        page.locator("[data-testid=nav-queue]").click()
        page.wait_for_url("**/todo/")
        row = page.locator("[data-testid=task-row]").filter(has_text=TITLE).first
        row.locator("[data-testid=task-link]").click()
        page.wait_for_url(f"**/documents/{sub.pk}/")
        assert TITLE in page.content()

        page.get_by_role("button", name="退出").click()
        page.wait_for_url("**/accounts/login/**")

        page.go_back(wait_until="commit")  # a page restored from memory fires no load event
        with contextlib.suppress(PlaywrightTimeoutError):  # still on the request's page: said below
            page.wait_for_url("**/accounts/login/**", timeout=5_000)  # asked again, the portal sends the login page
        assert TITLE not in page.content(), "Back showed the request from the browser's cache"
        assert "/accounts/login/" in page.url and page.locator("#id_username").is_visible()
    finally:
        context.close()
        desktop.close()
