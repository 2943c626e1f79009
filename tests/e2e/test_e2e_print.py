"""Print-friendly pages on paper: the wide registers print on A4 landscape, and no page is wider than A4 portrait
once printed (found from outside: 督查台账 1,140 px and 议事协调机构名册 1,009 px were clipped on portrait; the
minutes, the 督查看板 and other pages overflowed by the rows' gutters, 8 px).

Real headless Chromium: the page reached from the navbar as the office director, printed to PDF with the page's own
@page size (as Chrome's 打印 does), and measured under print media at A4's width.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from tests.e2e.e2e_support import PHONE, Session
from tests.e2e.test_e2e_phone_width import PASSWORD, demo  # noqa: F401 - the demo district fixture
from tests.factories import DocumentPlanFactory, PlanItemFactory

pytestmark = pytest.mark.django_db(transaction=True)

A4_PORTRAIT_PX = 794  # 210 mm at 96 px/inch
MEDIA_BOX = re.compile(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]")


def _page_size(pdf: bytes) -> tuple[float, float]:
    width, height = MEDIA_BOX.search(pdf).groups()
    return float(width), float(height)


def _fits_a4_when_printed(page) -> int:
    page.emulate_media(media="print")
    try:
        return page.evaluate("document.scrollingElement.scrollWidth")
    finally:
        page.emulate_media(media="screen")


def test_x_print_wide_registers_print_landscape_and_pages_fit_a4_portrait(live_server, browser, demo):  # noqa: F811
    context = browser.new_context(viewport={"width": A4_PORTRAIT_PX, "height": 1123}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "bangongshi_zhuren")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()

    def nav(label: str) -> None:
        toggler = page.locator(".navbar-toggler")
        if toggler.is_visible():
            toggler.click()
        page.locator("nav").get_by_role("link", name=label, exact=True).first.click()
        page.wait_for_load_state()

    try:
        for label, table in (("督查督办", "ledger-table"), ("议事协调", "register-table")):
            nav(label)
            assert page.get_by_test_id(table).count() == 1, label
            width, height = _page_size(page.pdf(prefer_css_page_size=True))
            assert width > height, f"{label} prints on portrait ({width}x{height})"
        nav("督查督办")
        page.get_by_role("link", name="督查看板").first.click()
        page.wait_for_load_state()
        assert _fits_a4_when_printed(page) <= A4_PORTRAIT_PX
        width, height = _page_size(page.pdf(prefer_css_page_size=True))
        assert width < height  # an ordinary page stays on portrait
    finally:
        context.close()


VISIBLE_CONTROLS_JS = """() => Array.from(document.querySelectorAll(
    'main input:not([type=hidden]), main select, main button'))
  .filter((e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; })
  .map((e) => e.getAttribute('aria-label') || e.name || e.innerText.trim())"""


def test_pub_2_the_public_register_prints_without_its_search_box(live_server, browser, world):
    """公开目录 (the register of published items, 第三十四条、第三十六条) is a page people print. Under print media its
    search box, category select and 查询 button went onto the paper above the list; every other list hides its
    filters when printed."""
    session = Session(browser, live_server.url, world.staff, phone=True)
    page = session.page
    try:
        page.locator("nav.navbar .navbar-toggler").click()
        page.locator("nav").get_by_role("link", name="公开目录", exact=True).first.click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", name="公开目录").is_visible()
        assert page.evaluate(VISIBLE_CONTROLS_JS)  # on the screen, the search box is there to use
        page.emulate_media(media="print")
        assert page.evaluate(VISIBLE_CONTROLS_JS) == []
        assert page.locator("nav.navbar").is_hidden()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        session.close()


def test_doc_15_the_annual_document_plan_prints_without_its_entry_forms(live_server, browser, world):
    """年度发文计划 (第六十三条) is the list the office files and hands round. Printed from 发文办理 → 年度发文计划,
    each plan carried an empty 拟发文件 / 起草单位 / 计划月份 row to add an item and the page ended with the
    编制年度发文计划 card, boxes and all: a paper plan with blank entry lines. They stay on the screen only."""
    plan = DocumentPlanFactory(issuer="office", unit=None, year=timezone.localdate().year, created_by=world.staff)
    PlanItemFactory(plan=plan, title="关于做好元旦春节期间值班工作的通知")
    session = Session(browser, live_server.url, world.staff, phone=True)
    page = session.page
    try:
        page.locator("nav.navbar .navbar-toggler").click()
        page.locator("nav").get_by_role("link", name="公文办理", exact=True).first.click()
        page.locator("main").get_by_role("link", name="发文办理", exact=True).first.click()
        page.get_by_test_id("plans-link").click()
        page.wait_for_load_state()
        assert page.get_by_test_id("plan-item").count() == 1
        assert page.evaluate(VISIBLE_CONTROLS_JS)  # on the screen the office adds items and new plans here
        page.emulate_media(media="print")
        assert page.evaluate(VISIBLE_CONTROLS_JS) == []
        assert page.get_by_test_id("plan-item").is_visible()
        assert page.get_by_text("编制年度发文计划").is_hidden()
    finally:
        session.close()

    # A department's own plan, kept by its clerk (发文办理 → 本部门年度发文计划), prints the same way.
    unit_plan = DocumentPlanFactory(issuer="department", unit=world.fin, year=plan.year, created_by=world.fin_clerk)
    PlanItemFactory(plan=unit_plan, title="关于做好年度预算执行工作的通知")
    session = Session(browser, live_server.url, world.fin_clerk, phone=True)
    page = session.page
    try:
        page.locator("nav.navbar .navbar-toggler").click()
        page.locator("nav").get_by_role("link", name="公文办理", exact=True).first.click()
        page.locator("main").get_by_role("link", name="发文办理", exact=True).first.click()
        page.get_by_test_id("unit-plan-link").click()
        page.wait_for_load_state()
        assert page.get_by_test_id("add-item").is_visible()
        page.emulate_media(media="print")
        assert page.evaluate(VISIBLE_CONTROLS_JS) == []
        assert page.get_by_test_id("plan-item").is_visible()
    finally:
        session.close()


def test_doc_3_the_document_pages_print_without_their_action_panels(live_server, browser, world):
    """A clerk prints a document's page as it stands (第六十条: the processing slip travels with it). Opened from
    我的待办 and printed, the 办理 panel went onto the paper first: an empty 意见 box, 退回来文单位, the 签发 date box,
    the 指定阅读人 picker. Under print media the page shows its title and the slip's particulars, and no control."""
    from tests.documents.documents_support import submitted
    from tests.e2e.e2e_support import ClickSession
    from tests.factories import outgoing_draft

    w = world
    today = timezone.localdate()
    submitted(w, today, title="关于拨付社区养老服务站运营补助资金的请示")
    outgoing_draft(w.fin_clerk, title="关于做好冬季供暖保障工作的通知", plan_year=today.year)
    for user, title, action, panel in (
        (w.staff, "关于拨付社区养老服务站运营补助资金的请示", "待登记", "#doc-panel"),
        (w.fin_clerk, "关于做好冬季供暖保障工作的通知", None, "#out-panel"),
    ):
        s = ClickSession(browser, live_server.url, user)
        page = s.page
        try:
            s.todo_open(title, action)
            assert page.locator(panel).is_visible()
            assert page.evaluate(VISIBLE_CONTROLS_JS)  # on the screen the panel is there to act in
            page.emulate_media(media="print")
            assert page.evaluate(VISIBLE_CONTROLS_JS) == [], f"{user.username}: controls on the printed page"
            assert page.locator(panel).is_hidden()
            assert page.get_by_test_id("title").is_visible()
            assert page.get_by_text(title).first.is_visible()
        finally:
            s.close()


def test_org_2_the_leaders_portfolios_print_with_their_day_and_without_the_date_picker(live_server, browser, world):
    """领导分工 (第十四条) is the sheet people pin up. Printed from the navbar, its 日期 box and 查看 went onto the
    paper while the day the sheet is valid for did not (the 以下为…的分工情况 note is an alert, which print hides).
    On paper the sheet now carries its day in words and no control."""
    from tests.e2e.e2e_support import ClickSession

    s = ClickSession(browser, live_server.url, world.staff)
    page = s.page
    try:
        s.nav("领导分工")
        assert page.get_by_role("heading", name="区政府领导分工").is_visible()
        page.locator("#id_day").fill("2026-09-07")
        page.get_by_role("button", name="查看").click()
        page.wait_for_load_state()
        assert page.evaluate(VISIBLE_CONTROLS_JS)  # on the screen the day can be changed
        page.emulate_media(media="print")
        assert page.evaluate(VISIBLE_CONTROLS_JS) == []
        assert page.get_by_test_id("print-day").inner_text() == "2026年9月7日的分工情况"
        assert page.get_by_test_id("print-day").is_visible()
    finally:
        s.close()


def test_crd_1_an_abolished_body_prints_with_its_end(live_server, browser):
    """议事协调 → 已撤销 → a body's page has its own 打印 button. On paper the page dropped "该机构于…已撤销" (an alert,
    which print hid), so the printed page of an abolished body read as that of a body still in office."""
    from tests.coordination.test_coordination_register import make_body
    from tests.e2e.e2e_support import ClickSession
    from tests.meetings.meetings_support import build_world
    from tiexi_gov.workdays import calendar

    calendar.invalidate()
    w = build_world()
    body = make_body(w, "铁西区第七次人口普查领导小组", status="abolished", host="发改局")
    type(body).objects.filter(pk=body.pk).update(ended_on=timezone.localdate())
    s = ClickSession(browser, live_server.url, w.staff)
    page = s.page
    try:
        s.nav("议事协调")
        page.get_by_test_id("status-abolished").click()
        page.wait_for_load_state()
        s.click_link("铁西区第七次人口普查领导小组")
        page.emulate_media(media="print")
        assert "已撤销" in page.get_by_test_id("ended").inner_text()
        assert page.get_by_test_id("ended").is_visible()
    finally:
        s.close()


def test_the_circulation_reading_page_prints_with_its_note(live_server, browser, demo):  # noqa: F811
    """区长's 我的待办 → 待阅 opens the piece sent round (阅件). Printed, it lost the sender's 附言
    ("请各位领导阅知，重点关注第二条…"), set as an alert, which print hid: the paper no longer said what to look at."""
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        page.goto(live_server.url + "/accounts/login/")
        page.fill("#id_username", "quzhang")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        page.get_by_test_id("nav-queue").click()
        row = page.get_by_test_id("task-row").filter(has=page.get_by_test_id("task-action").filter(has_text="待阅"))
        row.first.get_by_test_id("task-link").click()
        page.wait_for_load_state()
        note = page.locator("main").get_by_text("附言：").first
        assert "附言" in note.inner_text()
        page.emulate_media(media="print")
        assert note.is_visible()
    finally:
        page.close()


def test_search_results_print_with_their_query_and_without_the_search_form(live_server, browser, world):
    """全站搜索's results are a list like any other: printed after a search from the navbar, the query box, the 类别
    select and 搜索 went onto the paper. On paper the list now says what was searched for, and shows no control."""
    from tests.documents.documents_support import submitted
    from tests.e2e.e2e_support import ClickSession

    submitted(world, timezone.localdate(), title="关于拨付社区养老服务站运营补助资金的请示")
    s = ClickSession(browser, live_server.url, world.staff)
    page = s.page
    try:
        box = page.get_by_test_id("nav-search").locator("input[name=q]")
        box.fill("养老服务站")
        box.press("Enter")
        page.wait_for_load_state()
        assert page.get_by_test_id("search-hit").count() == 1
        assert page.evaluate(VISIBLE_CONTROLS_JS)
        page.emulate_media(media="print")
        assert page.evaluate(VISIBLE_CONTROLS_JS) == []
        assert page.get_by_test_id("print-query").inner_text() == "搜索：养老服务站"
        assert page.get_by_test_id("search-hit").is_visible()
    finally:
        s.close()
