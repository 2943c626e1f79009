"""Browser journey (issue 2): a deputy head logs in, sees the queue with a deadline owed to their post and
the sweep's reminder in the inbox (unread badge in the header), then logs out and lands on the login page.

Real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright against pytest-django's live server.
"""

import datetime as dt

import pytest
from django.db import transaction
from e2e_support import SCREENS

from tests.factories import UnitFactory, UserFactory, appoint
from tiexi_gov.org.models import Post
from tiexi_gov.org.roles import Role

PASSWORD = "Deputy-Tiexi-2026!"
TODAY = dt.date(2026, 9, 29)  # a Tuesday; the next working day is 2026-09-30 (before the National Day break)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def deputy_with_reminder():
    """A deputy head whose post owes a deadline due the next working day, and the sweep that reminded them."""
    from tiexi_gov.deadlines import services as deadline_services
    from tiexi_gov.notify.models import Message
    from tiexi_gov.workdays.calendar import add_workdays

    government = UnitFactory(name="铁西区人民政府", code="gov", kind="government")
    finance = UnitFactory(name="区财政局", code="finance")
    post, deputy = appoint(
        Post.Kind.DEPUTY,
        unit=government,
        title="副区长",
        person=UserFactory(username="deputy_li", full_name="李明", unit=government, roles=[Role.DEPUTY_HEAD]),
    )
    deputy.set_password(PASSWORD)
    deputy.save()

    due = add_workdays(TODAY, 1)
    assert due == dt.date(2026, 9, 30)
    with transaction.atomic():
        deadline = deadline_services.open_deadline(
            subject=finance,
            rule_id="DOC-13",
            title="审批区财政局关于预算调整的请示",
            counted_from=TODAY,
            workdays=1,
            owner_post=post,
            url="/documents/",
        )
    assert deadline.due == due
    deadline_services.sweep(today=TODAY)
    reminder = Message.objects.get(recipient=deputy)
    assert reminder.read_at is None
    return deputy, deadline, reminder


def _login(page, base_url, username, password):
    page.goto(base_url + "/")
    assert "/accounts/login/" in page.url  # anonymous people are sent to log in
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_e2e_deputy_sees_queue_and_reminder_then_logs_out(live_server, browser, deputy_with_reminder):
    deputy, deadline, reminder = deputy_with_reminder
    SCREENS.mkdir(parents=True, exist_ok=True)

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        _login(page, live_server.url, deputy.username, PASSWORD)

        # Landing page is the queue (我的待办) with the item owed to the deputy's post.
        assert page.url.rstrip("/").endswith("/deadlines/queue")
        page.get_by_text(deadline.title).first.wait_for()
        assert "李明" in page.locator("[data-testid=current-user]").inner_text()

        # Unread badge in the header, then the reminder in the inbox.
        badge = page.locator("#inbox-badge [data-testid=inbox-unread]")
        assert badge.inner_text().strip() == "1"
        page.screenshot(path=str(SCREENS / "queue-desktop.png"), full_page=True)
        page.get_by_role("link", name="站内消息").click()
        page.wait_for_url("**/inbox/")
        item = page.locator("[data-testid=inbox-item]").first
        assert reminder.subject in item.inner_text()
        assert "催办" in item.inner_text()

        # Opening the reminder marks it read and follows its link; the badge disappears.
        item.get_by_role("link", name=reminder.subject).click()
        page.wait_for_url("**/documents/")
        assert page.locator("#inbox-badge [data-testid=inbox-unread]").count() == 0
        reminder.refresh_from_db()
        assert reminder.read_at is not None

        # Logging out is a POST from the header; it lands on the login page.
        page.get_by_role("button", name="退出").click()
        page.wait_for_url("**/accounts/login/**")
        assert page.locator("#id_username").is_visible()
    finally:
        context.close()


def test_e2e_phone_width_layout(live_server, browser, deputy_with_reminder):
    """On a 390px-wide phone the header collapses into a menu, the inbox button and badge stay visible."""
    deputy, deadline, reminder = deputy_with_reminder
    SCREENS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        _login(page, live_server.url, deputy.username, PASSWORD)
        page.get_by_text(deadline.title).first.wait_for()
        page.screenshot(path=str(SCREENS / "queue-phone.png"), full_page=True)
        # The page does not scroll sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert page.locator("#inbox-badge-m [data-testid=inbox-unread]").is_visible()
        assert not page.get_by_role("link", name="公文办理").is_visible()  # collapsed
        page.locator(".navbar-toggler").click()
        page.get_by_role("link", name="公文办理").wait_for(state="visible")
        page.wait_for_selector("#mainNav.collapse.show")  # the opening animation has finished
        page.screenshot(path=str(SCREENS / "menu-phone.png"))
        page.get_by_role("link", name="消息").click()
        page.wait_for_url("**/inbox/")
        page.screenshot(path=str(SCREENS / "inbox-phone.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        # 标为已读 goes through htmx (CSRF token from <body hx-headers>): the row and the badge update in place.
        page.get_by_role("button", name="标为已读", exact=True).click()
        page.locator("[data-testid=inbox-item].read").wait_for()
        page.locator("#inbox-badge-m [data-testid=inbox-unread]").wait_for(state="detached")
        assert page.url.endswith("/inbox/")
        reminder.refresh_from_db()
        assert reminder.read_at is not None
    finally:
        context.close()
