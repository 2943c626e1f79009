"""CAL-2: a deadline in a year without an official calendar is provisional and is recomputed the moment
that year's calendar is entered."""

import datetime as dt

import pytest
from deadlines_support import open_for

from tiexi_gov.audit.models import Event
from tiexi_gov.deadlines import services
from tiexi_gov.deadlines.models import Deadline
from tiexi_gov.deadlines.tasks import recompute_calendar_years
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


def test_cal_2_entering_a_year_queues_a_second_recompute_after_every_process_cache_has_expired(
    django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(recompute_calendar_years, "apply_async", lambda **kw: queued.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        CalendarYear.objects.create(year=2027, source_notice="国办发明电〔2026〕X号")
    assert queued == [{"args": [[2027]], "countdown": services.RECHECK_AFTER_SECONDS}]
    assert services.RECHECK_AFTER_SECONDS > calendar.CACHE_TTL


def test_cal_2_a_deadline_another_process_counted_on_its_cached_calendar_is_put_right_by_the_second_recompute():
    # This process stands for another web worker: it has read 2027 (no official calendar yet) within the minute.
    assert calendar.add_workdays(DEC_28, 10) == dt.date(2027, 1, 11)
    # The office enters 2027 in some other process (no signal reaches this one's cache).
    CalendarYear.objects.bulk_create([CalendarYear(year=2027, source_notice="国办发明电〔2026〕X号")])
    WorkdayOverride.objects.bulk_create([WorkdayOverride(date=dt.date(2027, 1, 1), is_workday=False, reason="元旦")])
    stale = open_for(counted_from=DEC_28, workdays=10)
    assert (stale.due, stale.provisional) == (dt.date(2027, 1, 11), True), "counted on the cached calendar"

    assert recompute_calendar_years([2027]) == 1
    stale.refresh_from_db()
    assert (stale.due, stale.remind_on, stale.provisional) == (dt.date(2027, 1, 12), dt.date(2027, 1, 11), False)
