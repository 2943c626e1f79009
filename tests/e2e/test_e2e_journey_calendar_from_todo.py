"""CAL-2 as the calendar administrator meets it: a deadline counted into a year with no official calendar puts
待录入年度日历 in their 我的待办; they log in on the login page, click the row, import the State Council's notice
on the page it leads to, and the row is gone. Real headless Chromium against the live server."""

from __future__ import annotations

import datetime as dt

import pytest
from e2e_support import ClickSession

from tests.workdays.test_workdays_views import DATA

pytestmark = pytest.mark.django_db(transaction=True)
YEAR = 2027  # beyond chinesecalendar's tables (tests/workdays)


@pytest.fixture
def calendar_admin(transactional_db):
    from tests.factories import UserFactory
    from tiexi_gov.org.roles import Role
    from tiexi_gov.workdays import calendar

    calendar.invalidate()
    admin = UserFactory(roles=[Role.CALENDAR_ADMIN])
    calendar.add_workdays(dt.date(YEAR, 3, 1), 5)  # a deadline counted on weekdays alone
    return admin


def test_cal_2_calendar_admin_enters_the_provisional_year_from_todo(calendar_admin, live_server, browser, settings):
    from tiexi_gov.workdays.calendar import is_provisional
    from tiexi_gov.workdays.models import ProvisionalYear

    settings.PASSWORD_MAX_AGE_DAYS = 0
    s = ClickSession(browser, live_server.url, calendar_admin)
    s.todo_row(f"{YEAR}年工作日历", "待录入年度日历")
    s.shot("journey-calendar-1-todo")
    s.todo_open(f"{YEAR}年工作日历", "待录入年度日历")
    page = s.page
    page.set_input_files("input[type=file]", str(DATA))
    page.get_by_label("依据通知").fill("国办发明电〔2026〕1号")
    page.get_by_label("将文件涉及的年度标记为正式日历").check()
    s.shot("journey-calendar-2-import")
    with page.expect_navigation():
        page.get_by_role("button", name="导入").click()
    assert "已导入35条" in page.locator("main").inner_text()
    assert not is_provisional(dt.date(YEAR, 10, 1))
    assert ProvisionalYear.objects.get(year=YEAR).state == ProvisionalYear.State.ENTERED
    s.todo()
    assert page.locator("[data-testid=task-row]").count() == 0
    s.close()
