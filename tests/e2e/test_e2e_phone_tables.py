"""At 390 px a wide table becomes a stack of cards (`.table-stack`): its buttons and links are on the screen, not
past the right edge of a box that scrolls sideways (a phone's user does not know to swipe a table).

The half-year report list (督查督办 → 半年报告), reached by clicking as the office and as a unit's clerk whose report
is filed (查看). ClickSession.shot checks every control of the main area at 390 px.
"""

from __future__ import annotations

import pytest
from django.utils import timezone
from e2e_support import PHONE, ClickSession

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def district(settings, tmp_path):
    from tests.supervision.supervision_support import build_world
    from tiexi_gov.workdays import calendar

    settings.MEDIA_ROOT = tmp_path
    calendar.invalidate()
    return build_world()


def test_sup_2_half_year_list_shows_its_buttons_on_a_phone(live_server, browser, district):
    from supervision.reports import services as report_services
    from supervision.reports.models import HalfYearReport
    from supervision.reports.views import last_ended_half

    w = district
    year, half = last_ended_half(timezone.localdate())  # the round the office's page opens on
    report_services.open_half_year_round(actor=w.staff, year=year, half=half)
    mine = HalfYearReport.objects.get(unit=w.fin, year=year, half=half)
    report_services.file_half_year_report(
        actor=w.fin_clerk, report=mine, summary="全年工作总结。", counterpart="四平市财政局"
    )

    for user, button in ((w.staff, "查看"), (w.fin_clerk, "查看")):
        s = ClickSession(browser, live_server.url, user)
        s.nav("督查督办")
        s.click_link("半年报告")
        s.page.set_viewport_size(PHONE)
        link = s.page.get_by_test_id("half-year-list").get_by_role("link", name=button).first
        box = link.bounding_box()
        assert box and box["x"] + box["width"] <= PHONE["width"], f"{user.username}: {button} at {box}"
        s.shot(f"half-year-{user.username}")
        s.close()


def test_sup_1_ledger_rows_show_their_links_and_lights_on_a_phone(live_server, browser, district):
    """The office director watches the ledger (督查督办 → 督查台账) on a phone too. Its ten columns scrolled sideways in
    a box: each item's link ran past the right edge and the light and the deadline were out of sight. Each row now
    stacks as a card with every column labelled."""
    from tests.supervision.supervision_support import make_item

    w = district
    today = timezone.localdate()
    make_item(w, today=today, task="完成全区老旧小区改造资金拨付工作并建立拨付进度周报制度，逐月向区政府报告")
    s = ClickSession(browser, live_server.url, w.staff)
    s.nav("督查督办")
    s.page.set_viewport_size(PHONE)
    row = s.page.get_by_test_id("ledger-row").first
    for testid in ("item-link", "light", "state", "leader"):
        box = row.get_by_test_id(testid).bounding_box()
        assert box and box["x"] + box["width"] <= PHONE["width"], f"{testid} at {box}"
    assert row.locator("td[data-label=完成时限]").is_visible() and row.locator("td[data-label=状态]").is_visible()
    s.shot("ledger-phone")
    s.close()


def _on_screen(locator, what: str) -> None:
    box = locator.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], f"{what} at {box}"


def test_sup_6_dashboard_and_assessment_figures_are_on_a_phone_screen(live_server, browser, district):
    """督查看板's 按期办结率 by unit and 年度考核's table kept their columns in boxes that scroll sideways at 390 px:
    the rates were cut at the right edge and most counts (with their links) out of sight. Each unit now stacks as a
    card with every figure labelled."""
    from tests.supervision.supervision_support import make_item

    w = district
    make_item(w, today=timezone.localdate())
    s = ClickSession(browser, live_server.url, w.staff)
    s.nav("督查督办")
    s.click_link("督查看板")
    s.page.set_viewport_size(PHONE)
    row = s.page.get_by_test_id("unit-chart").locator("tbody tr").first
    for testid in ("unit-total", "unit-on-time", "unit-late", "unit-overdue"):
        _on_screen(row.get_by_test_id(testid), testid)
    assert row.locator("td[data-label=超期未办结]").is_visible()
    s.shot("dashboard-phone")

    s.page.set_viewport_size({"width": 1366, "height": 900})
    s.click_link("年度考核")
    s.page.set_viewport_size(PHONE)
    row = s.page.get_by_test_id("assessment-row").first
    cells = row.locator("td")
    assert cells.count() >= 8
    for i in range(cells.count()):
        _on_screen(cells.nth(i), f"assessment cell {cells.nth(i).get_attribute('data-label')}")
    s.shot("assessment-phone")
    s.close()


@pytest.fixture
def coordination_district(settings, tmp_path):
    """The meetings district (tests/meetings/meetings_support): head, deputies with portfolios, the office, seven
    departments with heads, deputies and clerks — the coordination tests' world."""
    from tests.meetings.meetings_support import build_world
    from tiexi_gov.workdays import calendar

    settings.MEDIA_ROOT = tmp_path
    calendar.invalidate()
    return build_world()


def _row_on_screen(row, what: str) -> None:
    """Every shown cell of a table row lies within a 390 px screen (none past the right edge of a sideways box)."""
    cells = row.locator("td")
    assert cells.count() >= 4, what
    for i in range(cells.count()):
        if cells.nth(i).is_visible():
            _on_screen(cells.nth(i), f"{what}: cell {cells.nth(i).get_attribute('data-label')}")


def test_crd_2_register_rows_show_every_column_on_a_phone(live_server, browser, coordination_district):
    """议事协调 opens on the register of bodies. At 390 px its eight columns (1,100 px) scrolled sideways in a box:
    the head, the office, the status and the phase end were out of sight. Each body now stacks as a card."""
    from tests.coordination.upkeep_support import make_body

    w = coordination_district
    make_body("铁西区优化营商环境工作领导小组", host=w.units["发改局"], head=w.exec_post,
              members=(w.unit_head_posts["财政局"],))  # fmt: skip
    for user in (w.staff, w.clerks["教育局"]):
        s = ClickSession(browser, live_server.url, user)
        s.nav("议事协调")
        s.page.set_viewport_size(PHONE)
        row = s.page.get_by_test_id("register-row").first
        _row_on_screen(row, user.username)
        assert row.locator("td[data-label=主要负责人]").is_visible() and row.locator("td[data-label=状态]").is_visible()
        s.shot(f"coordination-register-{user.username}")
        s.close()


def test_crd_1_leave_2_res_1_coordination_lists_show_every_column_on_a_phone(
    live_server, browser, coordination_district
):
    """设立调整申请, 请假报备 and 基层调研 kept their columns in boxes that scroll sideways at 390 px: an application's
    unit, deputy and state, a leave's acting person, approver and state, a leader's topics and shortfalls were past
    the right edge. Each row now stacks as a card with every column labelled."""
    import datetime as dt

    from coordination.absence import services as absence
    from coordination.models import Application, Ground, Rank
    from coordination.register import services as register
    from tiexi_gov.org.models import Post

    w = coordination_district
    today = timezone.localdate()
    register.create_application(
        actor=w.clerks["教育局"],
        kind=Application.Kind.SETUP,
        applicant_unit=w.units["教育局"],
        reason="工作需要跨部门统筹协调。",
        proposal={
            "name": "铁西区教育督导委员会",
            "grounds": [{"ground": Ground.LEADER_FOCUS, "basis": "区政府常务会议纪要"}],
            "rank": Rank.DEPUTY,
            "head_required_by_higher_level": False,
            "head_post": w.edu_deputy_post.pk,
            "deputy_head_posts": [],
            "member_posts": [w.unit_head_posts["财政局"].pk],
            "host_unit": w.units["教育局"].pk,
            "office_name": "铁西区教育督导委员会办公室",
            "functions": "统筹协调教育督导工作。",
        },
        submit=True,
        today=today,
    )
    absence.request_absence(
        actor=w.unit_heads["教育局"],
        post=w.unit_head_posts["教育局"],
        start=today + dt.timedelta(days=7),
        end=today + dt.timedelta(days=9),
        place="长春",
        purpose="参加全省教育工作会议",
        contact="13900000000",
        acting_post=Post.objects.get(unit=w.units["教育局"], kind=Post.Kind.UNIT_DEPUTY),
        today=today,
    )

    s = ClickSession(browser, live_server.url, w.staff)
    s.nav("议事协调")
    s.click_link("设立调整申请")
    s.click_link("全部")
    s.page.set_viewport_size(PHONE)
    _row_on_screen(s.page.get_by_test_id("application-row").first, "application")
    s.page.set_viewport_size({"width": 1366, "height": 900})
    s.click_link("调研")
    s.page.set_viewport_size(PHONE)
    _row_on_screen(s.page.get_by_test_id("research-row").first, "research")
    s.shot("coordination-research-phone")
    s.close()

    s = ClickSession(browser, live_server.url, w.unit_heads["教育局"])
    s.nav("议事协调")
    s.click_link("外出请假")
    s.page.set_viewport_size(PHONE)
    _row_on_screen(s.page.get_by_test_id("leave-row").first, "leave")
    s.shot("coordination-leave-phone")
    s.close()


def test_pub_1_sup_1_inquiries_and_an_items_deadlines_show_every_column_on_a_phone(live_server, browser, district):
    """网上咨询's list (seven columns, 610 px) and an item page's 时限 table (480 px) scrolled sideways at 390 px:
    an inquiry's unit, its reply deadline and state, and a clock's due date and state were past the right edge."""
    from supervision.public import services as public_services
    from tests.supervision.supervision_support import make_item

    w = district
    today = timezone.localdate()
    public_services.log_inquiry(actor=w.staff, asker="张先生", contact="13800000000", unit=w.fin, today=today,
                                question="请问老旧小区加装电梯补贴如何申请？需要准备哪些材料？")  # fmt: skip
    make_item(w, today=today, task="完成全区老旧小区改造资金拨付工作")
    s = ClickSession(browser, live_server.url, w.staff)
    s.nav("督查督办")
    s.click_link("网上咨询")
    s.page.set_viewport_size(PHONE)
    _row_on_screen(s.page.get_by_test_id("inquiry-row").first, "inquiry")
    s.page.set_viewport_size({"width": 1366, "height": 900})
    s.nav("督查督办")
    s.page.get_by_test_id("item-link").first.click()
    s.page.wait_for_load_state()
    s.page.set_viewport_size(PHONE)
    row = s.page.get_by_test_id("deadline").first
    for cell in ("依据", "截止", "状态"):
        _on_screen(row.locator(f"td[data-label={cell}]"), f"deadline {cell}")
    s.shot("supervision-item-phone")
    s.close()


def test_mtg_4_meeting_attendees_show_every_column_on_a_phone(live_server, browser, coordination_district):
    """A meeting page's 参会人员 (five columns, 420 px and more) scrolled sideways at 390 px: each attendee's seat, the
    topic they sit in for and their reply (参加, 请假, 已签到) were past the right edge. Each attendee now stacks as a
    card with every column labelled."""
    from meetings.meeting import services as meeting_services
    from meetings.models import MeetingKind
    from meetings.schedule import services as schedule_services
    from tiexi_gov.workdays import calendar as wd

    w = coordination_district
    meeting_services.ensure_standing_seats()
    meeting = schedule_services.schedule_ad_hoc(actor=w.staff, kind=MeetingKind.EXECUTIVE, reason="研究重点工作",
                                                date=wd.add_workdays(timezone.localdate(), 10))  # fmt: skip
    meeting = schedule_services.consent_ad_hoc(actor=w.head, meeting=meeting)
    meeting_services.refresh_invitations(meeting)
    s = ClickSession(browser, live_server.url, w.unit_heads["财政局"])
    s.page.goto(f"{live_server.url}/meetings/{meeting.pk}/")
    s.page.set_viewport_size(PHONE)
    rows = s.page.get_by_test_id("attendee-row")
    assert rows.count() >= 3
    for i in (0, rows.count() - 1):
        _row_on_screen(rows.nth(i), f"attendee {i}")
    s.shot("meeting-attendees-phone")
    s.close()


def test_crd_2_a_bodys_seats_show_every_column_on_a_phone(live_server, browser, coordination_district):
    """A body's 组成人员 (four columns) ran past its box at 390 px — the more so with a holder away and who acts for
    them — the unit column cut at the right edge and the box scrolling sideways. Each seat now stacks as a card with
    its post, today's holder and unit labelled."""
    from tests.coordination.upkeep_support import make_body
    from tests.factories import ActingArrangementFactory

    w = coordination_district
    today = timezone.localdate()
    ActingArrangementFactory(absent_post=w.exec_post, acting_post=w.judicial_post, start=today, end=today)
    make_body("铁西区优化营商环境工作领导小组", host=w.units["发改局"], head=w.exec_post,
              deputies=(w.unit_head_posts["发改局"],), members=(w.unit_head_posts["财政局"],))  # fmt: skip
    s = ClickSession(browser, live_server.url, w.clerks["教育局"])
    s.nav("议事协调")
    s.click_link("铁西区优化营商环境工作领导小组")
    s.page.set_viewport_size(PHONE)
    box = s.page.get_by_test_id("seats").locator(".table-responsive")
    assert box.evaluate("e => e.scrollWidth <= e.clientWidth"), "the seats scroll sideways"
    rows = s.page.get_by_test_id("seat")
    assert rows.count() == 3
    for i in range(3):
        _row_on_screen(rows.nth(i), f"seat {i}")
        assert rows.nth(i).locator("td[data-label=所在单位]").is_visible()
    s.shot("coordination-body-phone")
    s.close()
