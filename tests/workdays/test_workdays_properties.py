"""Hypothesis properties of the working-day arithmetic (CAL-3), over official and provisional years."""

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tiexi_gov.workdays.calendar import (
    add_workdays,
    is_workday,
    previous_workday,
    subtract_workdays,
    workday_on_or_after,
    workdays_between,
)

D = dt.date
days = st.dates(min_value=D(2004, 1, 1), max_value=D(2027, 10, 31))
counts = st.integers(min_value=0, max_value=60)
positive = st.integers(min_value=1, max_value=60)
PROPS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

pytestmark = pytest.mark.django_db


@PROPS
@given(d=days, n=counts)
def test_cal_3_between_counts_what_add_added(db, d, n):
    assert workdays_between(d, add_workdays(d, n)) == n


@PROPS
@given(d=days, n=counts)
def test_cal_3_subtract_inverts_add(db, d, n):
    # From a working day, going n forward then n back lands on it again. From a non-working day (n >= 1) it
    # lands on the last working day before it: the working days strictly between are the same n.
    back = subtract_workdays(add_workdays(d, n), n)
    if n == 0 or is_workday(d):
        assert back == d
    else:
        assert back == previous_workday(d)


@PROPS
@given(d=days, n=positive)
def test_cal_3_add_inverts_subtract(db, d, n):
    assert add_workdays(subtract_workdays(d, n), n) == workday_on_or_after(d)


@PROPS
@given(d=days, n=positive)
def test_cal_3_results_are_working_days_strictly_after_or_before(db, d, n):
    after, before = add_workdays(d, n), subtract_workdays(d, n)
    assert is_workday(after) and after > d
    assert is_workday(before) and before < d
    assert workdays_between(d, after) == n
    assert workdays_between(before, d) == n - 1 + is_workday(d)  # (before, d] holds n-1 days, plus d itself


@PROPS
@given(a=days, b=days, n=counts, k=positive)
def test_cal_3_add_is_monotonic(db, a, b, n, k):
    lo, hi = min(a, b), max(a, b)
    assert add_workdays(lo, n) <= add_workdays(hi, n)
    assert add_workdays(lo, n) < add_workdays(lo, n + k)
    assert subtract_workdays(lo, n) <= subtract_workdays(hi, n)


@PROPS
@given(a=days, b=days, c=days)
def test_cal_3_between_is_additive_and_antisymmetric(db, a, b, c):
    assert workdays_between(a, b) + workdays_between(b, c) == workdays_between(a, c)
    assert workdays_between(a, b) == -workdays_between(b, a)


def _naive_add(day, n):
    while n > 0:
        day += dt.timedelta(days=1)
        if chinese_calendar.is_workday(day):
            n -= 1
    return day


@PROPS
@given(d=st.dates(min_value=D(2004, 1, 1), max_value=D(2026, 9, 30)), n=counts)
def test_cal_1_index_agrees_with_chinese_calendar_day_by_day(db, d, n):
    assert add_workdays(d, n) == _naive_add(d, n)
    assert is_workday(d) == chinese_calendar.is_workday(d)
