"""What every browser journey shares. The session's one Chromium is the `browser` fixture of tests/browser_support.py
(exposed to the whole suite by tests/conftest.py), shared with the browser tests outside tests/e2e.
"""

from pathlib import Path

import pytest

from tests.browser_support import CHROMIUM


@pytest.hookimpl(tryfirst=True)  # before `-m "not e2e"` deselects by marker
def pytest_collection_modifyitems(config, items):
    """Every test in tests/e2e is a browser journey: marked e2e, and skipped where Chromium is missing."""
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).parent == here:
            item.add_marker(pytest.mark.e2e)
            if not Path(CHROMIUM).exists():
                item.add_marker(pytest.mark.skip(reason=f"needs Chromium at {CHROMIUM}"))


@pytest.fixture
def world(settings, tmp_path):
    """The small documents district of tests/documents, with uploads in a temporary folder."""
    from tests.documents.documents_support import build_world
    from tiexi_gov.workdays import calendar

    settings.MEDIA_ROOT = tmp_path
    calendar.invalidate()
    return build_world()


@pytest.fixture(autouse=True)
def _sessions_outlast_the_simulated_days(settings):
    """Journeys move the clock days ahead inside one browser session; the idle and absolute session limits
    (issue 12.2, proved in tests/security) would log everyone out between two steps."""
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 10**6
    settings.SESSION_ADMIN_IDLE_TIMEOUT_MINUTES = 10**6
    settings.SESSION_ABSOLUTE_HOURS = 10**5
    settings.PASSWORD_MAX_AGE_DAYS = 0
