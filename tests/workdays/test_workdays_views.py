"""The calendar admin's import page and the admin screens (CAL-2)."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import UserFactory
from tiexi_gov.audit.models import Event
from tiexi_gov.org.roles import Role
from tiexi_gov.workdays.calendar import add_workdays, is_provisional, is_workday
from tiexi_gov.workdays.models import CalendarYear, WorkdayOverride

D = dt.date
DATA = Path(__file__).parent / "data" / "2027.csv"
URL = "/workdays/import/"
pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return user


def upload(content: bytes, name="2027.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


@pytest.fixture
def calendar_admin(client):
    user = UserFactory(roles=[Role.CALENDAR_ADMIN])
    return login(client, user)


def test_cal_2_import_page_imports_a_notice(client, calendar_admin):
    assert reverse("workdays:import") == URL
    page = client.get(URL)
    assert page.status_code == 200 and "暂定" in page.content.decode()
    response = client.post(URL, {"file": upload(DATA.read_bytes()), "mark_official": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == URL
    assert "已导入35条" in response.content.decode()
    assert not is_provisional(D(2027, 10, 1))
    assert add_workdays(D(2027, 9, 30), 1) == D(2027, 10, 8)
    assert CalendarYear.objects.get(year=2027).entered_by == calendar_admin


def test_cal_2_import_page_shows_the_bad_row_and_imports_nothing(client, calendar_admin):
    content = "日期,是否工作日,事由\n2027-10-01,放假,国庆节\n2027-10-32,放假,国庆节\n".encode()
    response = client.post(URL, {"file": upload(content), "mark_official": "on"})
    assert response.status_code == 400
    assert "第3行" in response.content.decode()
    assert not WorkdayOverride.objects.exists()


def test_cal_2_import_page_survives_garbage(client, calendar_admin):
    response = client.post(URL, {"file": upload(b"\xff\xfe\x00\x00garbage\x00")})
    assert response.status_code == 400
    assert not WorkdayOverride.objects.exists()
    assert client.post(URL, {}).status_code == 400


def test_cal_2_import_refuses_a_year_out_of_range_and_marks_no_year_official_unasked(client, calendar_admin):
    """1900 or 9999 is a typing slip, never a year to mark 正式; and a correction file of a few rows must not make
    its year official unless the box (unticked by default) is ticked."""
    for day in ("1900-01-01", "9999-01-01"):
        content = f"日期,是否工作日,事由\n{day},放假,元旦\n".encode()
        response = client.post(URL, {"file": upload(content), "mark_official": "on"})
        assert response.status_code == 400 and "须在2000年至2099年之间" in response.content.decode()
    assert not WorkdayOverride.objects.exists() and not CalendarYear.objects.exists()
    page = client.get(URL).content.decode()
    assert 'name="mark_official"' in page and "checked" not in page.split('name="mark_official"')[1].split(">")[0]
    one_row = "日期,是否工作日,事由\n2027-10-08,上班,调休上班\n".encode()
    assert client.post(URL, {"file": upload(one_row)}).status_code == 302
    assert WorkdayOverride.objects.filter(date=D(2027, 10, 8)).exists()
    assert not CalendarYear.objects.filter(year=2027).exists() and is_provisional(D(2027, 10, 8))


def test_cal_2_console_refuses_year_9999_in_calendar_and_arrangement_dates(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    login(client, admin)
    override = client.post(
        reverse("admin:workdays_workdayoverride_add"),
        {"date": "9999-12-31", "is_workday": "", "reason": "放假", "source_notice": "测试"},
    )
    assert override.status_code == 200 and "须在2000年至2099年之间" in override.content.decode()
    year = client.post(reverse("admin:workdays_calendaryear_add"), {"year": "99999", "source_notice": "测试"})
    assert year.status_code == 200 and not CalendarYear.objects.exists()
    assert not WorkdayOverride.objects.exists()
    # the drill-down of an arrangement's year stays a page, and a 9999 arrangement cannot be entered to reach it
    assert client.get(reverse("admin:org_actingarrangement_changelist"), {"start__year": "2026"}).status_code == 200
    arrangement = client.post(reverse("admin:org_actingarrangement_add"), {"start": "9999-12-31"})
    assert arrangement.status_code == 200 and "须在2000年至2099年之间" in arrangement.content.decode()


def test_x_2_import_page_is_hidden_from_others(client):
    assert client.get(URL).status_code == 302  # anonymous -> login
    login(client, UserFactory(roles=[Role.CLERK]))
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"file": upload(DATA.read_bytes())}).status_code == 404
    assert not WorkdayOverride.objects.exists()


def test_cal_2_admin_edit_is_audited_and_changes_answers(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    login(client, admin)
    assert is_workday(D(2026, 10, 12))
    response = client.post(
        reverse("admin:workdays_workdayoverride_add"),
        {"date": "2026-10-12", "is_workday": "", "reason": "临时放假（测试）", "source_notice": "测试"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not is_workday(D(2026, 10, 12))
    assert Event.objects.filter(action="calendar_override_save", actor=admin, to_state="放假").exists()
    listing = client.get(reverse("admin:workdays_workdayoverride_changelist"))
    assert listing.status_code == 200 and "导入节假日安排" in listing.content.decode()
    response = client.post(reverse("admin:workdays_calendaryear_add"), {"year": "2027", "source_notice": "测试"})
    assert response.status_code == 302
    assert not is_provisional(D(2027, 1, 4))


def test_cal_2_an_override_saved_again_unchanged_in_the_admin_records_no_change(client):
    """The admin's change form shows the day as entered. Saved again untouched, it recorded "修改工作日调整" (放假 →
    放假) in the calendar's audit trail as if the day had been changed; now nothing is recorded."""
    from tests.form_roundtrip import form_data

    admin = UserFactory(is_staff=True, is_superuser=True)
    login(client, admin)
    client.post(
        reverse("admin:workdays_workdayoverride_add"),
        {"date": "2026-10-12", "is_workday": "", "reason": "临时放假（测试）", "source_notice": "测试"},
    )
    override = WorkdayOverride.objects.get(date=D(2026, 10, 12))
    events = Event.objects.count()
    url = reverse("admin:workdays_workdayoverride_change", args=[override.pk])
    data = form_data(client.get(url).content.decode(), ("id", "workdayoverride_form"))
    assert data["reason"] == ["临时放假（测试）"]
    assert client.post(url, data).status_code == 302
    assert Event.objects.filter(action__startswith="calendar_override").count() == 1
    assert Event.objects.count() == events
    data["reason"] = ["临时放假（更正）"]
    assert client.post(url, data).status_code == 302
    assert Event.objects.filter(action="calendar_override_save", action_label="修改工作日调整").count() == 1


def test_cal_2_the_same_notice_imported_again_records_nothing(client, calendar_admin):
    """The import posted a second time with the same file (a double click, or a re-upload to be sure) changes no
    day and no year; it recorded "录入年度正式日历" (正式 → 正式) once more for the year all the same."""
    post = {"file": upload(DATA.read_bytes()), "mark_official": "on", "source_notice": "国办发明电〔2026〕1号"}
    assert client.post(URL, post).status_code == 302
    entered = CalendarYear.objects.get(year=2027)
    events = Event.objects.count()
    again = client.post(URL, {**post, "file": upload(DATA.read_bytes())}, follow=True)
    assert "新增0条，修改0条，未变35条" in again.content.decode()
    assert Event.objects.count() == events
    assert CalendarYear.objects.get(year=2027).entered_at == entered.entered_at
    # a corrected notice number is a change, and is recorded
    assert client.post(URL, {**post, "file": upload(DATA.read_bytes()), "source_notice": "国办发明电〔2026〕2号"})
    assert Event.objects.filter(action="calendar_year_enter").count() == 2


def test_cal_2_a_mistyped_date_in_the_first_row_is_called_a_date_not_a_column(client, calendar_admin):
    """A file without a header row whose first date is mistyped (2027-02-30, 99999-01-01) was read as a header and
    refused with 无法识别的列名“2027-02-30”, which sends the administrator looking for a column problem."""
    for day in ("2027-02-30", "99999-01-01"):
        response = client.post(URL, {"file": upload(f"{day},放假,春节\n2027-02-11,放假,春节\n".encode())})
        page = response.content.decode()
        assert response.status_code == 400
        assert f"第1行：日期“{day}”无效" in page and "列名" not in page
    assert not WorkdayOverride.objects.exists()


def test_cal_2_an_excel_file_is_told_to_be_saved_as_csv_not_echoed_back(client, calendar_admin):
    """The notice is often kept as a spreadsheet. An .xlsx uploaded as it is was read as text and refused with
    无法识别的列名“PK\\x03\\x04…” — the zip's raw bytes echoed into the page — instead of saying what to do."""
    for content in (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 200, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200):
        response = client.post(URL, {"file": upload(content, name="2027.xlsx")})
        page = response.content.decode()
        assert response.status_code == 400
        assert "另存为”CSV UTF-8 格式" in page and "列名" not in page and "\x00" not in page
    assert not WorkdayOverride.objects.exists()


def test_cal_2_a_control_character_in_a_calendar_file_is_refused_like_in_any_form(client, calendar_admin):
    """Every form refuses an ESC or a bidi override (they reorder the words where the text shows), but the calendar
    file's 事由 and 依据通知 took them in and showed them wherever the day's reason is shown."""
    for reason in ("春节\u202e假放", "春节\x1b[31m"):
        response = client.post(URL, {"file": upload(f"2027-02-11,放假,{reason}\n".encode())})
        assert response.status_code == 400 and "第1行：事由或依据通知含有不可见的控制字符" in response.content.decode()
    assert not WorkdayOverride.objects.exists()
