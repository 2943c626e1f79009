import pytest

from tests.meetings.meetings_support import build_world
from tiexi_gov.workdays import calendar


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    calendar.invalidate()
    yield
    calendar.invalidate()


@pytest.fixture
def world(db):
    """The meetings tests' district: head, executive deputy, judicial and education deputies with portfolios,
    the office, seven departments with heads, deputies and clerks (tests/meetings/meetings_support.py)."""
    return build_world()
