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
    return build_world()
