"""Browser journey (issues 2 and 10): a deputy head logs in and lands on 我的待办, where a 特急重要 request routed to
their post waits for their instruction (待批示, with its article and due day) and the navbar counts it; the sweep's
reminder is in the inbox (unread badge in the header); then they log out and land on the login page.

Real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright against pytest-django's live server.
"""

import datetime as dt

import pytest
from e2e_support import SCREENS
from playwright.sync_api import expect

PASSWORD = "Deputy-Tiexi-2026!"
TODAY = dt.date(2026, 9, 29)  # a Tuesday; the next working day is 2026-09-30 (before the National Day break)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def deputy_with_reminder(world):
    """A 特急重要 request in the deputy's queue (DOC-13: the leader signs within 1 WD), and the sweep's reminder."""
    from documents.submissions.models import LeaderAssignment
    from tests.documents.documents_support import in_leader_review
    from tiexi_gov.deadlines import services as deadline_services
    from tiexi_gov.notify.models import Message

    deputy = world.dep_a
    deputy.set_password(PASSWORD)
    deputy.save()
    sub = in_leader_review(
        world, TODAY, title="关于追加防汛物资经费的请示", urgency="critical", urgency_reason="汛情紧急"
    )
    assert LeaderAssignment.objects.get(submission=sub).due == dt.date(2026, 9, 30)
    deadline_services.sweep(today=TODAY)
    reminder = Message.objects.get(recipient=deputy, level=Message.Level.REMINDER)
    assert reminder.read_at is None
    return deputy, sub, reminder


def _login(page, base_url, username, password):
    page.goto(base_url + "/")
    assert "/accounts/login/" in page.url  # anonymous people are sent to log in
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_e2e_deputy_sees_queue_and_reminder_then_logs_out(live_server, browser, deputy_with_reminder):
    from tiexi_gov.notify.models import Message

    deputy, sub, reminder = deputy_with_reminder
    SCREENS.mkdir(parents=True, exist_ok=True)

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        _login(page, live_server.url, deputy.username, PASSWORD)

        # Landing page is 我的待办: the request waiting for the deputy's instruction, and the navbar's count.
        assert page.url.rstrip("/").endswith("/todo")
        row = page.locator("[data-testid=task-row]").filter(has_text=sub.title)
        row.wait_for()
        assert "待批示" in row.inner_text() and "第六十一条" in row.inner_text()
        assert page.locator("[data-testid=open-task-count]").inner_text().strip() == "1"
        assert deputy.display_name in page.locator("[data-testid=current-user]").inner_text()

        # Unread badge in the header (the notice that it was sent, and the reminder), then the inbox.
        badge = page.locator("#inbox-badge [data-testid=inbox-unread]")
        assert badge.inner_text().strip() == str(Message.objects.filter(recipient=deputy, read_at=None).count())
        page.screenshot(path=str(SCREENS / "queue-desktop.png"), full_page=True)
        page.get_by_role("link", name="站内消息").click()
        page.wait_for_url("**/inbox/")
        item = page.locator("[data-testid=inbox-item]").filter(has_text=reminder.subject).first
        assert "催办" in item.inner_text()

        # Opening the reminder marks it read and follows its link to the request.
        item.get_by_role("link", name=reminder.subject).click()
        page.wait_for_url(f"**/documents/{sub.pk}/")
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
    deputy, sub, reminder = deputy_with_reminder
    SCREENS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        _login(page, live_server.url, deputy.username, PASSWORD)
        page.locator("[data-testid=task-row]").filter(has_text=sub.title).wait_for()
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
        unread = page.locator("[data-testid=inbox-item]:not(.read)").count()
        page.get_by_role("button", name="标为已读", exact=True).first.click()
        # (A locator wait, not wait_for_function: Playwright polls a string predicate with eval, which the CSP refuses.)
        expect(page.locator("[data-testid=inbox-item]:not(.read)")).to_have_count(unread - 1)
        assert page.url.endswith("/inbox/")
    finally:
        context.close()


def test_e2e_htmx_refusal_shows_the_servers_words_and_keeps_the_opinion(live_server, browser, deputy_with_reminder):
    """An opinion with an invisible NUL character, posted by the item page's htmx form: the server refuses it (400,
    nothing changes) and the alert says what to fix in the server's words, not "refresh the page" — the form is
    not swapped, so the typed opinion is still there to correct."""
    from documents.submissions.models import Submission, SubmissionState

    deputy, sub, _reminder = deputy_with_reminder
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    said = []

    def answer(dialog):
        said.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    try:
        _login(page, live_server.url, deputy.username, PASSWORD)
        page.locator("[data-testid=task-row]").filter(has_text=sub.title).locator("[data-testid=task-link]").click()
        page.wait_for_url(f"**/documents/{sub.pk}/")
        opinion = page.locator("form[data-action=decide] textarea")
        opinion.fill("同意，请财政局抓紧办理。")
        opinion.evaluate("el => { el.value = el.value + '\\u0000' }")
        with page.expect_response(lambda r: r.url.endswith(f"/documents/{sub.pk}/act/decide/")) as answered:
            page.get_by_test_id("approve").click()
        assert answered.value.status == 400
        page.wait_for_timeout(300)  # the alert is raised once htmx has handled the response
        assert said[0] == "确认提交批示？提交后不能修改。"
        assert "空字符" in said[-1] and "刷新" not in said[-1], said
        assert opinion.input_value().startswith("同意，请财政局抓紧办理。")
        assert Submission.objects.get(pk=sub.pk).state == SubmissionState.LEADER_REVIEW
    finally:
        context.close()
