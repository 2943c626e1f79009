"""The working-day clock: official 2026 data, CAL-3 counting, overrides, provisional years, caching."""

import datetime as dt
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection, transaction

from tests.factories import UserFactory
from tiexi_gov.notify.models import Message
from tiexi_gov.org.roles import Role
from tiexi_gov.workdays import calendar, services
from tiexi_gov.workdays.calendar import (
    add_workdays,
    is_provisional,
    is_workday,
    next_workday,
    span_is_provisional,
    subtract_workdays,
    workdays_between,
)
from tiexi_gov.workdays.models import CalendarYear, WorkdayOverride

D = dt.date
pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------------------------------ CAL-1


@pytest.mark.parametrize("day", [D(2026, 10, 10), D(2026, 9, 20), D(2026, 2, 14), D(2026, 2, 28), D(2026, 1, 4)])
def test_cal_1_make_up_weekend_day_is_a_working_day(day):
    assert day.weekday() >= 5
    assert is_workday(day)


def test_cal_1_national_day_2026_is_not_working_days():
    assert not any(is_workday(D(2026, 10, d)) for d in range(1, 8))
    assert is_workday(D(2026, 9, 30)) and is_workday(D(2026, 10, 8))


def test_cal_1_ordinary_weekend_is_not_a_working_day():
    assert not is_workday(D(2026, 10, 11))  # Sunday after the make-up Saturday
    assert not is_workday(D(2026, 11, 28))


def test_cal_1_adding_across_spring_festival_2026():
    # 02-13 Fri; 02-14 Sat is a make-up day; 02-15..02-23 holiday; 02-28 Sat make-up.
    assert add_workdays(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert add_workdays(D(2026, 2, 13), 2) == D(2026, 2, 24)
    assert add_workdays(D(2026, 2, 13), 6) == D(2026, 2, 28)
    assert workdays_between(D(2026, 2, 13), D(2026, 2, 28)) == 6


def test_cal_1_adding_across_national_day_2026():
    assert add_workdays(D(2026, 9, 30), 5) == D(2026, 10, 13)
    assert workdays_between(D(2026, 9, 30), D(2026, 10, 13)) == 5
    assert workdays_between(D(2026, 10, 13), D(2026, 9, 30)) == -5


def test_cal_1_adding_across_a_year_end_within_official_years():
    # 2025-12-31 Wed; 2026-01-01..03 holiday; 2026-01-04 Sun make-up.
    assert add_workdays(D(2025, 12, 31), 1) == D(2026, 1, 4)
    assert subtract_workdays(D(2026, 1, 4), 1) == D(2025, 12, 31)
    assert workdays_between(D(2025, 12, 30), D(2026, 1, 5)) == 3


# ------------------------------------------------------------------------------------------------ CAL-3


def test_cal_3_within_n_workdays_excludes_start_day():
    assert add_workdays(D(2026, 11, 2), 1) == D(2026, 11, 3)  # Monday + 1 = Tuesday, not Monday
    assert add_workdays(D(2026, 11, 6), 1) == D(2026, 11, 9)  # Friday + 1 = Monday
    assert add_workdays(D(2026, 10, 1), 1) == D(2026, 10, 8)  # started on a holiday
    assert add_workdays(D(2026, 11, 2), 0) == D(2026, 11, 2)


def test_cal_3_at_least_n_workdays_before_gives_latest_allowed_day():
    # 10-13 Tue (1), 10-12 Mon (2), 10-11 Sun no, 10-10 make-up Sat (3).
    assert subtract_workdays(D(2026, 10, 14), 3) == D(2026, 10, 10)
    assert subtract_workdays(D(2026, 10, 8), 1) == D(2026, 9, 30)
    assert workdays_between(subtract_workdays(D(2026, 10, 14), 3), D(2026, 10, 14)) == 3


def test_cal_3_next_workday_skips_the_holiday():
    assert next_workday(D(2026, 9, 30)) == D(2026, 10, 8)
    assert calendar.previous_workday(D(2026, 10, 8)) == D(2026, 9, 30)
    assert calendar.workday_on_or_after(D(2026, 10, 3)) == D(2026, 10, 8)
    assert calendar.workday_on_or_after(D(2026, 10, 8)) == D(2026, 10, 8)


# ------------------------------------------------------------------------------------------------ CAL-2


def test_cal_2_override_changes_an_answer():
    assert add_workdays(D(2026, 9, 30), 5) == D(2026, 10, 13)
    services.save_override(actor=None, date=D(2026, 10, 12), is_workday=False, reason="临时停工（测试）")
    assert not is_workday(D(2026, 10, 12))
    assert add_workdays(D(2026, 9, 30), 5) == D(2026, 10, 14)
    services.save_override(actor=None, date=D(2026, 10, 11), is_workday=True, reason="调休上班（测试）")
    assert add_workdays(D(2026, 9, 30), 5) == D(2026, 10, 13)
    assert workdays_between(D(2026, 9, 30), D(2026, 10, 13)) == 5


def test_cal_2_cache_is_invalidated_after_override_save_and_delete(django_assert_num_queries):
    assert is_workday(D(2026, 10, 12))
    with django_assert_num_queries(0):  # warm: answered from the index
        assert add_workdays(D(2026, 9, 30), 5) == D(2026, 10, 13)
    override = WorkdayOverride.objects.create(date=D(2026, 10, 12), is_workday=False, reason="测试")
    assert not is_workday(D(2026, 10, 12))
    override.is_workday = True
    override.save()
    assert is_workday(D(2026, 10, 12))
    override.date = D(2026, 10, 11)  # moved to the Sunday: both days change
    override.save()
    assert is_workday(D(2026, 10, 11))
    services.delete_override(actor=None, override=override)
    assert not is_workday(D(2026, 10, 11))


def test_cal_2_other_processes_edits_are_picked_up_after_the_ttl(monkeypatch):
    assert is_workday(D(2026, 10, 12))
    # A write no signal sees, as from another process.
    WorkdayOverride.objects.bulk_create([WorkdayOverride(date=D(2026, 10, 12), is_workday=False, reason="测试")])
    assert is_workday(D(2026, 10, 12))  # cached
    now = calendar.time.monotonic()
    monkeypatch.setattr(calendar.time, "monotonic", lambda: now + calendar.CACHE_TTL + 1)
    assert not is_workday(D(2026, 10, 12))


def test_cal_2_rolled_back_edit_leaves_no_stale_answer():
    assert is_workday(D(2026, 10, 12))
    with pytest.raises(RuntimeError), transaction.atomic():
        WorkdayOverride.objects.create(date=D(2026, 10, 12), is_workday=False, reason="测试")
        assert not is_workday(D(2026, 10, 12))  # visible inside its own transaction
        raise RuntimeError
    assert is_workday(D(2026, 10, 12))


def test_cal_2_provisional_year_counts_weekdays_and_alerts_once():
    admins = [UserFactory(roles=[Role.CALENDAR_ADMIN]) for _ in range(2)]
    clerk = UserFactory(roles=[Role.CLERK])
    assert is_provisional(D(2027, 1, 1))
    assert not is_provisional(D(2026, 12, 31))
    assert is_workday(D(2027, 1, 1))  # a Friday; the real 2027 New Year is not known yet
    assert not is_workday(D(2027, 1, 2))
    assert add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 1)
    assert add_workdays(D(2027, 9, 30), 1) == D(2027, 10, 1)
    assert workdays_between(D(2027, 1, 1), D(2027, 12, 31)) == 260
    assert span_is_provisional(D(2026, 12, 20), D(2027, 1, 5))
    assert not span_is_provisional(D(2026, 9, 30), D(2026, 10, 13))
    for _ in range(3):
        add_workdays(D(2027, 3, 1), 5)
    calendar.invalidate()
    subtract_workdays(D(2027, 3, 1), 5)

    alerts = Message.objects.filter(key__startswith="calendar-provisional:2027:")
    assert sorted(m.recipient_id for m in alerts) == sorted(a.pk for a in admins)
    assert all(m.level == Message.Level.ALERT and "2027" in m.subject for m in alerts)
    assert not Message.objects.filter(recipient=clerk).exists()


def test_cal_2_entered_year_is_no_longer_provisional():
    assert is_provisional(D(2027, 5, 1))
    services.enter_year(actor=None, year=2027, source_notice="测试通知")
    assert not is_provisional(D(2027, 5, 1))
    assert CalendarYear.objects.get(year=2027).source_notice == "测试通知"
    services.remove_year(actor=None, year=2027)
    assert is_provisional(D(2027, 5, 1))


def test_cal_2_official_year_touches_no_alert():
    UserFactory(roles=[Role.CALENDAR_ADMIN])
    add_workdays(D(2026, 9, 30), 5)
    assert not Message.objects.exists()


def test_cal_2_years_outside_the_date_range_raise_overflow():
    with pytest.raises(OverflowError):
        add_workdays(D(9999, 12, 30), 5)


SCRIPT = """
import datetime as dt
from django.conf import settings
from django.db import connection, transaction
from tiexi_gov.workdays.calendar import is_workday
from tiexi_gov.workdays.models import WorkdayOverride

D = dt.date(2026, 10, 12)

@transaction.atomic  # one Atomic instance reused by every call, as in every service
def in_one_transaction(action):
    return action()

def edit_then_fail():
    WorkdayOverride.objects.create(date=D, is_workday=False, reason="test")
    assert not is_workday(D)
    raise RuntimeError

print(is_workday(D))
try:
    in_one_transaction(edit_then_fail)
except RuntimeError:
    pass
print(in_one_transaction(lambda: is_workday(D)), is_workday(D))
row = in_one_transaction(lambda: WorkdayOverride.objects.create(date=D, is_workday=False, reason="test"))
print(is_workday(D), in_one_transaction(lambda: is_workday(D)))
row.delete()
print(is_workday(D))
"""


def test_cal_2_rolled_back_and_committed_service_transactions_leave_the_cache_right(postgres_only):
    # Real commits and rollbacks with the service's own atomic block outermost: a subprocess on the test
    # database (it leaves no rows behind; a flushing transactional test would wipe migration data instead).
    db = connection.settings_dict
    env = {**os.environ, "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}
    run = subprocess.run(
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", SCRIPT],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["True", "True", "True", "False", "False", "True"]
