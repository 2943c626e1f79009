"""A provisional year is the calendar administrators' 待办 until its official calendar is entered (CAL-2).

Before, the only trace was an inbox alert: the administrator's 我的待办 was empty while every deadline reaching the
year was a guess.
"""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import UserFactory
from tests.workdays.test_workdays_views import DATA
from tiexi_gov.audit.models import Event
from tiexi_gov.notify.models import Message
from tiexi_gov.org.roles import Role
from tiexi_gov.workdays import services
from tiexi_gov.workdays.calendar import add_workdays
from tiexi_gov.workdays.models import ProvisionalYear
from tiexi_gov.workdays.provisional import worth_a_task
from tiexi_gov.workflow.models import Area, Task

D = dt.date
pytestmark = pytest.mark.django_db
YEAR = 2027  # not in chinesecalendar's tables (test_cal_2_provisional_year_counts_weekdays_and_alerts_once)


def _open_tasks(year=YEAR):
    entry = ProvisionalYear.objects.filter(year=year).first()
    if entry is None:
        return []
    return list(Task.objects.of(entry).open())


def test_cal_2_provisional_year_waits_in_the_calendar_admins_todo_until_entered(client):
    admin = UserFactory(roles=[Role.CALENDAR_ADMIN])
    clerk = UserFactory(roles=[Role.CLERK])
    add_workdays(D(YEAR, 3, 1), 5)  # a deadline counted on weekdays alone

    [task] = _open_tasks()
    assert (task.area, task.owner_role, task.rule_id) == (Area.CALENDAR, Role.CALENDAR_ADMIN, "CAL-2")

    client.force_login(clerk)
    assert "待录入年度日历" not in client.get("/todo/").content.decode()

    client.force_login(admin)
    todo = client.get("/todo/").content.decode()
    assert "工作日历" in todo and "待录入年度日历" in todo and f"{YEAR}年工作日历" in todo
    link = re.search(r'href="([^"]+)"[^>]*>[^<]*' + str(YEAR) + "年工作日历", todo)
    assert link, "the row links to where the year is entered"
    page = client.get(link.group(1))
    assert page.status_code == 200 and "导入" in page.content.decode()

    upload = SimpleUploadedFile("2027.csv", DATA.read_bytes(), content_type="text/csv")
    client.post(link.group(1), {"file": upload, "mark_official": "on"})
    assert _open_tasks() == []
    assert ProvisionalYear.objects.get(year=YEAR).state == ProvisionalYear.State.ENTERED
    assert "待录入年度日历" not in client.get("/todo/").content.decode()
    trail = list(Event.objects.filter(action__startswith="provisional_year_").values_list("action", "actor_id"))
    assert ("provisional_year_noticed", None) in trail and ("provisional_year_enter", admin.pk) in trail


def test_cal_2_withdrawn_official_mark_opens_the_todo_again():
    admin = UserFactory(roles=[Role.CALENDAR_ADMIN])
    add_workdays(D(YEAR, 3, 1), 5)
    services.enter_year(actor=admin, year=YEAR, source_notice="国办发明电〔2026〕1号")
    assert _open_tasks() == []
    services.remove_year(actor=admin, year=YEAR)
    [task] = _open_tasks()
    assert task.action == "enter_calendar"
    assert Event.objects.filter(action="provisional_year_withdraw", actor=admin).count() == 1


def test_cal_2_a_year_entered_before_any_guess_opens_no_todo():
    UserFactory(roles=[Role.CALENDAR_ADMIN])
    services.enter_year(actor=None, year=YEAR)
    add_workdays(D(YEAR, 3, 1), 5)
    assert not ProvisionalYear.objects.exists() and not Task.objects.exists()


def test_cal_2_a_year_that_cannot_be_published_yet_alerts_but_opens_no_todo():
    UserFactory(roles=[Role.CALENDAR_ADMIN])
    today = dt.date(2026, 12, 7)
    assert worth_a_task(2027, today) and worth_a_task(2025, today)
    assert not worth_a_task(2028, today) and not worth_a_task(2024, today)
    far = dt.date.today().year + 3
    add_workdays(D(far, 3, 1), 5)
    assert Message.objects.filter(key__startswith=f"calendar-provisional:{far}:").exists()
    assert not ProvisionalYear.objects.filter(year=far).exists()


def test_cal_2_only_calendar_administrators_may_enter_a_provisional_year():
    admin = UserFactory(roles=[Role.CALENDAR_ADMIN])
    office = UserFactory(roles=[Role.OFFICE_STAFF])
    system_admin = UserFactory(roles=[Role.SYSTEM_ADMIN])
    add_workdays(D(YEAR, 3, 1), 5)
    entry = ProvisionalYear.objects.get(year=YEAR)
    allowed = {u.pk for u in (admin, office, system_admin) if list(entry.get_available_user_state_transitions(u))}
    assert allowed == {admin.pk}
