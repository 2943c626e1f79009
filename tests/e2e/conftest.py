"""What every browser journey shares: Debian's Chromium driven by Playwright, one browser per test session.

Playwright cannot download its own browsers here (closed network), so it launches /usr/bin/chromium with the
flags that keep it from stalling on background network calls.
"""

from pathlib import Path

import pytest
from e2e_support import CHROMIUM, CHROMIUM_ARGS


@pytest.hookimpl(tryfirst=True)  # before `-m "not e2e"` deselects by marker
def pytest_collection_modifyitems(config, items):
    """Every test in tests/e2e is a browser journey: marked e2e, and skipped where Chromium is missing."""
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).parent == here:
            item.add_marker(pytest.mark.e2e)
            if not Path(CHROMIUM).exists():
                item.add_marker(pytest.mark.skip(reason=f"needs Chromium at {CHROMIUM}"))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


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
