"""CAL-2: a deadline in a year without an official calendar is provisional and is recomputed the moment
that year's calendar is entered."""

import datetime as dt

import pytest
from deadlines_support import open_for

from tiexi_gov.audit.models import Event
from tiexi_gov.deadlines import services
from tiexi_gov.deadlines.models import Deadline
from tiexi_gov.workdays import calendar
from tiexi_gov.workdays.models import CalendarYear, WorkdayOverride

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    """The calendar cache is per process; a test's rolled-back 2027 must not leak into the next test."""
    calendar.invalidate()
    yield
    calendar.invalidate()


DEC_28 = dt.date(2026, 12, 28)


def test_cal_2_provisional_deadline_moves_when_the_year_calendar_is_entered(django_capture_on_commit_callbacks):
    d = open_for(counted_from=DEC_28, workdays=10)
    # 2027 has no official calendar yet: Monday-Friday, so 2027-01-01 (a Friday) is counted.
    assert d.provisional is True
    assert d.due == dt.date(2027, 1, 11)
    untouched = open_for(counted_from=dt.date(2026, 11, 2), workdays=5)
    assert untouched.provisional is False

    # The office enters 2027 (元旦 off) — the workdays app announces calendar_changed on commit.
    with django_capture_on_commit_callbacks(execute=True):
        CalendarYear.objects.create(year=2027, source_notice="国办发明电〔2026〕X号")
        WorkdayOverride.objects.create(date=dt.date(2027, 1, 1), is_workday=False, reason="元旦")

    d.refresh_from_db()
    assert d.due == dt.date(2027, 1, 12)
    assert d.remind_on == dt.date(2027, 1, 11)
    assert d.provisional is False
    event = Event.objects.get(action="deadline_recomputed")
    assert "2027-01-11" in event.opinion and "2027-01-12" in event.opinion
    untouched.refresh_from_db()
    assert untouched.due == dt.date(2026, 11, 9)


def test_cal_2_recompute_touches_only_open_provisional_rows_of_those_years():
    d = open_for(counted_from=DEC_28, workdays=10)
    fixed = open_for(counted_from=DEC_28, due=dt.date(2027, 1, 15))
    assert fixed.provisional is True
    # Without the year entered nothing changes.
    assert services.recompute_for_years({2027}) == 0
    CalendarYear.objects.create(year=2027)
    assert services.recompute_for_years({2028}) == 0
    assert services.recompute_for_years({2027}) == 2
    d.refresh_from_db()
    fixed.refresh_from_db()
    assert d.due == dt.date(2027, 1, 11) and d.provisional is False  # 2027-01-01 stays a working day as entered
    assert fixed.due == dt.date(2027, 1, 15) and fixed.provisional is False
    assert Deadline.objects.filter(provisional=True).count() == 0
