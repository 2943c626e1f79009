"""Issue 15.4 at 390 px: the send form, the sent list, the status page, 逾期未阅, the reading page and 我的待办 with a
阅件 fit a phone screen (no page wider than the viewport). One real headless Chromium test (Playwright)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from circulation import services
from circulation.models import Kind
from tests.browser_support import CHROMIUM
from tests.circulation.conftest import SENT_ON

PASSWORD = "pw-Tiexi-2026"  # tests.factories.UserFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs Chromium at {CHROMIUM}"),
]


def _login(browser, base, user):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url
    return context, page


def _fits(page, base, path) -> None:
    page.goto(base + path)
    page.wait_for_load_state()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"{path} is {width}px wide at 390px"


def test_15_4_circulation_pages_fit_a_390px_phone(world, live_server, settings, browser):
    settings.PASSWORD_MAX_AGE_DAYS = 0
    c = services.send_circulation(
        actor=world.office,
        kind=Kind.OUTGOING,
        item_id=world.document.pk,
        post_ids=[world.deputy_post.pk, world.head_post.pk],
        unit_ids=[world.unit_a.pk, world.unit_b.pk],
        note="请各位领导阅示，各单位抓好落实。",
        today=SENT_ON,
    )
    services.remind_unread(today=SENT_ON.replace(day=6))
    receipt = c.receipts.get(post=world.deputy_post)
    base = live_server.url
    context, page = _login(browser, base, world.office)
    try:
        for path in (
            reverse("circulation:send", args=["outgoing", world.document.pk]),
            reverse("circulation:index") + "?tab=sent",
            reverse("circulation:detail", args=[c.pk]),
            reverse("circulation:overdue"),
        ):
            _fits(page, base, path)
    finally:
        context.close()
    context, page = _login(browser, base, world.deputy)
    try:
        _fits(page, base, reverse("workflow:queue"))
        assert page.locator(f"a[href='{reverse('circulation:receipt', args=[receipt.pk])}']").count() == 1
        _fits(page, base, reverse("circulation:receipt", args=[receipt.pk]))
        page.fill("textarea[name=text]", "已阅。")
        asked = []
        page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
        page.click("[data-testid=annotate-form] button[type=submit]")
        page.wait_for_load_state()
        assert page.locator("[data-testid=annotation]").inner_text() == "已阅。"
        assert asked and asked[0].startswith("确认提交批注？")  # the note is final: the leader is asked first
        _fits(page, base, reverse("circulation:index") + "?tab=received")
    finally:
        context.close()
