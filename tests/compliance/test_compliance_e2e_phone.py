"""Issue 15.5: the rule compliance board in a real headless Chromium at 390 px — never wider than the phone, every
count cell readable — and on paper (print media): no navigation, no buttons, the tables whole."""

from pathlib import Path

import pytest
from compliance_support import crafted_clocks, crafted_tasks, world
from django.urls import reverse

from tests.browser_support import CHROMIUM

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs Chromium at {CHROMIUM}"),
]

WIDEST_JS = """
() => {
  const vw = window.innerWidth;
  const wide = Array.from(document.querySelectorAll('main *')).filter(
    (el) => el.getBoundingClientRect().right > vw + 1 && !el.closest('.table-responsive'));
  const shown = wide.slice(0, 5).map((el) => el.outerHTML.slice(0, 80));
  return {page: document.documentElement.scrollWidth, vw, wide: shown};
}
"""


def test_board_fits_a_390px_phone_and_prints_without_navigation(live_server, settings, browser):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 10**6
    settings.PASSWORD_MAX_AGE_DAYS = 0
    from tiexi_gov.org.roles import ensure_roles

    ensure_roles()
    w = world()
    crafted_clocks(w)
    crafted_tasks(w)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN")
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(live_server.url + "/accounts/login/")
        page.fill("#id_username", w.director.username)
        page.fill("#id_password", "pw-Tiexi-2026")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        page.goto(live_server.url + reverse("compliance:board") + "?year=2026")
        page.locator("[data-testid=clocks-unit]").wait_for()
        shots = Path(settings.BASE_DIR) / "var" / "screens" / "390"
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / "compliance-board.png"), full_page=True)
        measured = page.evaluate(WIDEST_JS)
        assert measured["page"] <= measured["vw"], measured
        assert not measured["wide"], measured
        # Stacked: counts two to a line, each "label value" wide enough for its label and number.
        cell = page.locator("[data-testid=clocks-unit] td[data-cat=started]").first
        box = cell.bounding_box()
        assert box["width"] > 150, box
        page.emulate_media(media="print")
        assert not page.locator("nav.navbar").is_visible()
        assert not page.locator("[data-testid=export]").is_visible()
        assert page.locator("[data-testid=clocks-leader]").is_visible()
        assert page.pdf(format="A4")[:4] == b"%PDF"
    finally:
        context.close()
