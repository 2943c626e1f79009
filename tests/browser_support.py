"""The one headless Chromium every browser test shares: Debian's Chromium driven by Playwright, one per test session.

Playwright cannot download its own browsers here (closed network), so it launches /usr/bin/chromium with the flags
that keep it from stalling on background network calls. Two sync_playwright() instances cannot live in one process
(the second fails with "Sync API inside the asyncio loop"), so no test starts its own: each takes the session-scoped
`browser` fixture, which tests/conftest.py exposes to the whole suite. tests/e2e/conftest.py marks its tests `e2e`;
a browser test elsewhere marks itself `e2e` (CI's SQLite run, `-m "not e2e"`, has no browser) and skips where
Chromium is missing.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"needs Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()
