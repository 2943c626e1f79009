"""Issue 15.4 as people meet it: the office finds an issued 发文 with the navbar's search box and sends it for
传阅 to a deputy and a bureau; the deputy and the bureau's clerk each find it in 我的待办 and open it from there (the
deputy adds a 批注); the office follows each recipient's state from the navbar's 传阅. Everyone logs in on the login
page and from then on only clicks (and types into the forms). Real headless Chromium against the live server."""

from __future__ import annotations

import pytest
from e2e_support import ClickSession

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def circulation_world(settings, transactional_db):
    from tests.circulation.conftest import build_world
    from tiexi_gov.workdays import calendar

    calendar.invalidate()
    return build_world()


def _status(s: ClickSession, title: str) -> dict[str, str]:
    """Navbar → 传阅 → 我发出的 → the circulation: {recipient row text: state} of its status table."""
    s.nav("传阅")
    s.page.get_by_test_id("tab-sent").click()
    s.page.wait_for_load_state()
    s.page.locator("[data-testid=circulation-row]").filter(has_text=title).first.click()
    s.page.wait_for_load_state()
    rows = s.page.locator("[data-testid=receipt]")
    return {rows.nth(i).inner_text(): rows.nth(i).get_attribute("data-state") for i in range(rows.count())}


def test_15_4_circulation_journey_by_clicking_from_search_todo_and_the_navbar(
    circulation_world, live_server, browser, settings
):
    from circulation.models import Receipt

    settings.PASSWORD_MAX_AGE_DAYS = 0
    w, base = circulation_world, live_server.url
    title = w.document.title

    # 1. The office: navbar search → the 发文 → 传阅 → tick the deputy and the bureau → 送阅.
    office = ClickSession(browser, base, w.office)
    page = office.page
    page.locator("[data-testid=nav-search] input[name=q]").fill("春季防火")
    page.locator("[data-testid=nav-search] input[name=q]").press("Enter")
    page.wait_for_load_state()
    page.locator("[data-testid=search-hit]").filter(has_text=w.document.number).first.click()
    page.wait_for_load_state()
    page.locator("[data-testid=circulation-send]").first.click()
    page.wait_for_load_state()
    form = page.get_by_test_id("send-form")
    form.get_by_label(w.deputy_post.title, exact=False).first.check()
    form.get_by_label(w.unit_a.short_name, exact=False).first.check()
    office.shot("journey-circulation-1-send")
    with page.expect_navigation():
        form.get_by_test_id("send-submit").click()
    assert Receipt.objects.filter(circulation__outgoing=w.document).count() == 2

    # 2. The deputy: 我的待办 → 待阅 → the reading page (read on opening) → 批注.
    deputy = ClickSession(browser, base, w.deputy)
    deputy.todo_open(title, "待阅")
    deputy.page.locator("[data-testid=annotate-form] textarea[name=text]").fill("已阅，请农业农村局抓好落实。")
    with deputy.page.expect_navigation():
        deputy.page.locator("[data-testid=annotate-form] button[type=submit]").click()
    deputy.page.get_by_test_id("annotation").wait_for()
    deputy.shot("journey-circulation-2-annotated")
    deputy.todo()
    assert deputy.page.locator("[data-testid=task-row]").filter(has_text=title).count() == 0

    # 3. The office sees the deputy's 批注 and the bureau still unread.
    states = _status(office, title)
    assert sorted(states.values()) == ["annotated", "unread"], states

    # 4. The bureau's clerk: 我的待办 → 待阅 → read; the row leaves the queue.
    clerk = ClickSession(browser, base, w.clerk_a)
    clerk.todo_open(title, "待阅")
    clerk.page.get_by_test_id("reading-copy").wait_for()
    clerk.todo()
    assert clerk.page.locator("[data-testid=task-row]").filter(has_text=title).count() == 0

    # 5. The office sees both read, the bureau's by the clerk who opened it.
    states = _status(office, title)
    assert sorted(states.values()) == ["annotated", "read"], states
    assert any(w.clerk_a.full_name in text for text in states), states
    office.shot("journey-circulation-3-status")
    for s in (office, deputy, clerk):
        s.close()
