import pytest

from tiexi_gov.workdays import calendar


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    """Each test starts from the database, not from indexes another test built."""
    calendar.invalidate()
    calendar.clear_pending()
    yield
    calendar.invalidate()
    calendar.clear_pending()
