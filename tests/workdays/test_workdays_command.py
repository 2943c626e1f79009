"""`manage.py workdays` for the office and scripts: answers on stdout, provisional note and errors on stderr."""

import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from tiexi_gov.workdays.models import CalendarYear, WorkdayOverride
from tiexi_gov.workdays.provisional import worth_a_task

DATA = Path(__file__).parent / "data" / "2027.csv"
pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("workdays", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_cal_3_command_add_between_before():
    assert run("add", "2026-09-30", "5") == ("2026-10-13\n", "")
    assert run("between", "2026-09-30", "2026-10-13") == ("5\n", "")
    assert run("before", "2026-10-14", "3") == ("2026-10-10\n", "")


def test_cal_2_command_provisional_answer_says_so_on_stderr():
    out, err = run("add", "2027-09-30", "1")
    assert out == "2027-10-01\n"
    assert err == "注意：2027年尚无正式日历，按周一至周五暂定计算\n"
    out, err = run("between", "2026-12-30", "2027-01-05")
    assert out == "4\n" and "2027年" in err


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("add", "2026-13-01", "3"), "日期无效"),
        (("add", "2026-09-30", "五"), "工作日数无效"),
        (("before", "2026-09-30", "-1"), "工作日数无效"),
        (("between", "2026-09-30", "明天"), "日期无效"),
    ],
)
def test_cal_3_command_bad_input_raises_one_line_chinese_error(args, needle):
    with pytest.raises(CommandError) as exc:
        run(*args)
    assert needle in str(exc.value) and "\n" not in str(exc.value)


def test_cal_2_command_import_and_status():
    out, _ = run("import", str(DATA), "--source-notice", "测试通知")
    assert "已导入35条" in out and "2027年已标记为正式日历" in out
    assert CalendarYear.objects.get(year=2027).source_notice == "测试通知"
    assert run("add", "2027-09-30", "1") == ("2027-10-08\n", "")
    out, _ = run("status")
    assert "chinesecalendar 覆盖：2004–2026年" in out
    assert "已录入正式日历：2027年（测试通知）" in out
    assert "调整记录：2027年 35条" in out


def test_cal_2_command_bad_import_names_the_row_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("日期,是否工作日,事由\n2027-10-01,放假,国庆节\n2027-10-02,休还是不休,国庆节\n", encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        run("import", str(bad))
    assert "第3行" in str(exc.value) and "未写入任何数据" in str(exc.value)
    assert not WorkdayOverride.objects.exists()
    with pytest.raises(CommandError, match="找不到文件"):
        run("import", str(tmp_path / "missing.csv"))


def test_cal_2_command_status_lists_provisional_years_around_today():
    out, _ = run("status")
    assert "暂定年度" in out and "2027年" in out


def _subprocess(*args):
    db = connection.settings_dict
    env = dict(os.environ)
    env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return subprocess.run(
        [sys.executable, "manage.py", "workdays", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cal_2_command_exit_codes(postgres_only):
    # A provisional year too far ahead to open the calendar administrators' 待办 (workdays.provisional): the
    # subprocess commits what it writes, and a committed task would outlive this test in the shared test database.
    far = dt.date.today().year + 6
    assert not worth_a_task(far)
    friday = next(
        dt.date(far, 9, 20) + dt.timedelta(days=n)
        for n in range(7)
        if (dt.date(far, 9, 20) + dt.timedelta(days=n)).weekday() == 4
    )
    ok = _subprocess("add", friday.isoformat(), "1")
    monday = friday + dt.timedelta(days=3)  # weekdays alone: the year's holidays are not known
    assert (ok.returncode, ok.stdout, ok.stderr.strip().count("\n")) == (0, f"{monday.isoformat()}\n", 0)
    assert "暂定" in ok.stderr
    bad = _subprocess("add", "2026-02-30", "1")
    assert bad.returncode != 0 and bad.stdout == ""
    assert bad.stderr.strip().count("\n") == 0 and "日期无效" in bad.stderr
    bad = _subprocess("before", "2026-10-14", "three")
    assert bad.returncode != 0 and "工作日数无效" in bad.stderr and bad.stderr.strip().count("\n") == 0
