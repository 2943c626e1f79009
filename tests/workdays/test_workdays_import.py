"""Importing a year's State Council notice from CSV (CAL-2): all or nothing, then recompute."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.db import transaction

from tests.factories import UserFactory
from tiexi_gov.audit.models import Event
from tiexi_gov.workdays.calendar import add_workdays, is_provisional, is_workday, workdays_between
from tiexi_gov.workdays.models import CalendarYear, WorkdayOverride
from tiexi_gov.workdays.services import CalendarImportError, import_overrides_csv
from tiexi_gov.workdays.signals import calendar_changed

D = dt.date
DATA = Path(__file__).parent / "data" / "2027.csv"
pytestmark = pytest.mark.django_db


@pytest.fixture
def changed_years():
    seen = []

    def receiver(sender, years, **kwargs):
        seen.append(set(years))

    calendar_changed.connect(receiver, dispatch_uid="test-workdays-import")
    yield seen
    calendar_changed.disconnect(dispatch_uid="test-workdays-import")


def test_cal_2_import_makes_2027_official_and_recomputes_answers(django_capture_on_commit_callbacks, changed_years):
    actor = UserFactory()
    assert is_provisional(D(2027, 10, 1))
    assert add_workdays(D(2027, 9, 30), 1) == D(2027, 10, 1)  # weekdays-only guess
    with django_capture_on_commit_callbacks(execute=True):
        result = import_overrides_csv(file=DATA, actor=actor)
    assert (result.rows, result.created, result.updated, result.years) == (35, 35, 0, [2027])
    assert not is_provisional(D(2027, 10, 1))
    assert add_workdays(D(2027, 9, 30), 1) == D(2027, 10, 8)
    assert add_workdays(D(2027, 9, 30), 2) == D(2027, 10, 9)  # make-up Saturday
    assert is_workday(D(2027, 9, 26)) and not is_workday(D(2027, 2, 8))
    assert workdays_between(D(2026, 12, 31), D(2027, 1, 4)) == 1  # 2027-01-01 is now a holiday
    entry = CalendarYear.objects.get(year=2027)
    assert entry.entered_by == actor and entry.source_notice == "测试通知〔2026〕1号"
    assert changed_years == [{2027}]  # one signal, after commit
    assert Event.objects.filter(action="calendar_override_import").count() == 35
    assert Event.objects.filter(action="calendar_year_enter", rule_id="CAL-2").count() == 1


def test_cal_2_reimport_updates_changed_rows_only():
    import_overrides_csv(file=DATA)
    text = DATA.read_text(encoding="utf-8").replace("2027-10-09,上班", "2027-10-09,放假")
    result = import_overrides_csv(file=io.StringIO(text), source_notice="更正")
    assert (result.created, result.updated, result.unchanged) == (0, 1, 34)
    assert not is_workday(D(2027, 10, 9))


def test_cal_2_bad_row_imports_nothing_and_names_the_row(django_capture_on_commit_callbacks, changed_years):
    text = "日期,是否工作日,事由\n2027-10-01,放假,国庆节\n2027-10-02,放假,国庆节\n2027-02-30,放假,春节\n"
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CalendarImportError) as exc:
        import_overrides_csv(file=io.StringIO(text))
    assert "第4行" in str(exc.value) and "2027-02-30" in str(exc.value)
    assert exc.value.row == 4
    assert not WorkdayOverride.objects.exists()
    assert not CalendarYear.objects.exists()
    assert changed_years == []
    assert is_provisional(D(2027, 10, 1))


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("date,is_workday,reason\n2027-10-01,maybe,国庆节\n", "第2行"),
        ("日期,是否工作日,事由\n2027-10-01,放假,国庆节\n2027-10-01,上班,重复\n", "第3行：日期2027-10-01与第2行重复"),
        ("日期,上班,事由,颜色\n2027-10-01,否,国庆节,红\n", "第1行：无法识别的列名“颜色”"),
        ("日期,是否工作日,事由\n", "没有数据行"),
        ("2027-10-01,放假,国庆节,通知,多余\n", "第1行：列数过多"),
    ],
)
def test_cal_2_import_rejects_bad_files_with_a_chinese_reason(text, needle):
    with pytest.raises(CalendarImportError) as exc:
        import_overrides_csv(file=io.StringIO(text))
    assert needle in str(exc.value)
    assert not WorkdayOverride.objects.exists()


def test_cal_2_import_accepts_english_header_gbk_bytes_and_flag_spellings():
    text = (
        "date,is_workday,reason,source_notice\n"
        "2027-10-01,0,National Day,N1\n2027/10/09,true,make-up,\n2027年9月26日,是,调休,\n2027-10-02,否,国庆,\n"
    )
    result = import_overrides_csv(file=io.BytesIO(text.encode("gb18030")), mark_years_official=False)
    assert result.created == 4 and result.official_years == []
    assert is_provisional(D(2027, 10, 1))  # imported, but not declared official
    assert is_workday(D(2027, 10, 9)) and is_workday(D(2027, 9, 26))
    assert not is_workday(D(2027, 10, 1)) and not is_workday(D(2027, 10, 2))
    assert WorkdayOverride.objects.get(date=D(2027, 10, 1)).source_notice == "N1"


def test_cal_2_calendar_changed_is_sent_once_per_committed_import(django_capture_on_commit_callbacks, changed_years):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            import_overrides_csv(file=DATA)
            raise RuntimeError
        assert is_provisional(D(2027, 10, 1))  # rolled back: still a guess
        import_overrides_csv(file=DATA)
    assert changed_years == [{2027}]  # the rolled-back import announced nothing
    assert not is_provisional(D(2027, 10, 1))
    assert add_workdays(D(2027, 9, 30), 1) == D(2027, 10, 8)
