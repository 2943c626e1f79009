"""Issue 11 point 8, a leader's leave: from the request to the acting arrangement (代) and the return (销假),
every step by clicking.

Two 请示 of the judicial bureau wait for the instruction of the deputy head in charge (赵副区长). Everyone logs in on
the login page and from then on only clicks. The deputy asks for leave from the navbar (议事协调 → 外出请假 →
请假（报告）) naming the education deputy as acting; the request waits in the district head's 我的待办 and is
approved from there. On the first day away the acting deputy finds both requests in their own 我的待办 marked 代…,
opens one and gives the instruction in the deputy's stead. The deputy comes back early and reports the return
(销假) from their own 我的待办: the acting ends, the other request is back in the deputy's queue and gone from the
acting deputy's. Pages are photographed at 1366 and 390 px.

The days pass with time-machine (the live server's thread shares the test's clock), on fixed December 2026 days,
so the journey works whatever day it runs.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from e2e_support import ClickSession

pytestmark = pytest.mark.django_db(transaction=True)

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
ASKED = dt.date(2026, 12, 14)  # Monday: the deputy asks for leave, the head approves
AWAY = dt.date(2026, 12, 15)  # the first day away: the acting deputy handles the post
BACK = dt.date(2026, 12, 16)  # back a day early: 销假
LAST = dt.date(2026, 12, 17)  # the last day asked for

FIRST = "关于调整社区矫正对象集中教育场所的请示"
SECOND = "关于增设基层公共法律服务工作站的请示"
INSTRUCTION = "同意。请司法局按程序办理。"


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 30), tzinfo=TZ)


@pytest.fixture
def district(settings, tmp_path):
    from tests.meetings.meetings_support import build_world
    from tiexi_gov.workdays import calendar

    settings.MEDIA_ROOT = tmp_path
    # Moving the clock must not log people out mid-journey, nor make the browser drop cookies.
    settings.SESSION_COOKIE_AGE = 400 * 24 * 3600
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    calendar.invalidate()
    return build_world()


def _awaiting_instruction(w, title: str, day: dt.date):
    """A 请示 of 司法局, signed, filed, reviewed by the office and routed to its deputy in charge (services)."""
    from documents.models import Disclosure, DisclosureManner, SubmissionKind, Urgency
    from documents.submissions import services as docs
    from tiexi_gov.workdays import calendar as wd

    unit = "司法局"
    sub = docs.create_draft(
        actor=w.clerks[unit],
        title=title,
        kind=SubmissionKind.REQUEST,
        body="请示正文。",
        urgency=Urgency.NORMAL,
        disclosure=Disclosure.FULL,
        disclosure_manner=DisclosureManner.ACTIVE,
        decision_needed_by=wd.add_workdays(day, 20),
        declares_one_matter=True,
        not_classified=True,
    )
    sub = docs.send_for_signature(actor=w.clerks[unit], submission=sub, today=day)
    sub = docs.sign_submission(actor=w.unit_heads[unit], submission=sub, issue_date=day, today=day)
    sub = docs.submit_to_office(actor=w.clerks[unit], submission=sub, today=day)
    docs.register(actor=w.staff, submission=sub, today=day)
    sub.refresh_from_db()
    docs.office_review_opinion(actor=w.office_deputy, submission=sub, opinion="拟呈赵副区长阅示。", today=day)
    sub.refresh_from_db()
    docs.office_review_opinion(actor=w.director, submission=sub, opinion="同意呈批。", today=day)
    sub.refresh_from_db()
    docs.route_to_leader(actor=w.staff, submission=sub, today=day)
    sub.refresh_from_db()
    return sub


def _act(s: ClickSession, action: str, *, fill: dict[str, str] | None = None):
    """Fill and send one of the leave page's action forms (ticking 确认), then wait for the page it leads to."""
    form = s.page.get_by_test_id(f"action-{action}")
    for name, value in (fill or {}).items():
        form.locator(f"[name={action}-{name}]").fill(value)
    form.locator(f"[name={action}-confirm]").check()
    with s.page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_journey_leave_reaches_acting_and_return_by_clicking_from_todo(live_server, browser, district):
    from coordination.models import AbsenceRequest
    from documents.models import Instruction
    from tiexi_gov.org.models import ActingArrangement

    w = district
    base = live_server.url
    with time_machine.travel(_at(ASKED), tick=True) as clock:
        first = _awaiting_instruction(w, FIRST, ASKED)
        second = _awaiting_instruction(w, SECOND, ASKED)

        # 1. The deputy in charge sees both requests, then asks for leave: navbar → 议事协调 → 外出请假 → 请假（报告）.
        deputy = ClickSession(browser, base, w.judicial_deputy)
        deputy.todo_row(FIRST, "待批示")
        deputy.todo_row(SECOND, "待批示")
        deputy.nav("议事协调")
        deputy.click_link("外出请假")
        page = deputy.page
        page.get_by_test_id("leave-new").click()
        form = page.get_by_test_id("leave-form")
        form.locator("[name=start]").fill(AWAY.isoformat())
        form.locator("[name=end]").fill(LAST.isoformat())
        form.locator("[name=place]").fill("沈阳")
        form.locator("[name=purpose]").fill("参加全省政法工作培训班")
        form.locator("[name=contact]").fill("13904340000")
        form.locator("[name=acting_post]").select_option(str(w.edu_deputy_post.pk))
        deputy.shot("journey-leave-1-request-form")
        with page.expect_navigation():
            form.get_by_test_id("leave-submit").click()
        req = AbsenceRequest.objects.get(person=w.judicial_deputy)
        assert req.state == AbsenceRequest.State.REQUESTED

        # 2. The district head approves it from their queue (LEAVE-2).
        head = ClickSession(browser, base, w.head)
        head.todo_open(w.judicial_deputy.display_name, "待审批")
        head.shot("journey-leave-2-head-approves")
        _act(head, "approve")
        head.page.locator("main", has_text="已批准").first.wait_for()
        head.close()
        req.refresh_from_db()
        assert req.state == AbsenceRequest.State.APPROVED
        assert ActingArrangement.objects.filter(absent_post=w.judicial_post).exists()

        # 3. The first day away: both requests wait in the acting deputy's queue, marked 代.
        clock.move_to(_at(AWAY))
        acting = ClickSession(browser, base, w.edu_deputy)
        for title in (FIRST, SECOND):
            row = acting.todo_row(title, "待批示")
            assert "代" in row.get_by_test_id("capacity").inner_text()
        acting.shot("journey-leave-3-acting-todo")
        acting.todo_open(FIRST, "待批示")
        acting.page.fill("#id_decide-opinion", INSTRUCTION)
        acting.page.locator("#doc-panel [data-testid=approve]").click()
        acting.page.locator("#doc-panel [data-testid=state]", has_text="已批准").wait_for()
        acting.shot("journey-leave-4-acting-instruction")
        instruction = Instruction.objects.get(submission=first, step="leader")
        assert instruction.opinion == INSTRUCTION
        assert instruction.author == w.edu_deputy and instruction.acting_for == w.judicial_deputy
        signed = acting.page.locator("[data-testid=instruction]", has_text=INSTRUCTION).first.inner_text()
        assert f"代{w.judicial_post.title}{w.judicial_deputy.display_name}" in signed
        # Who is away today, from the navbar: 议事协调 → 外出请假 → 谁在外出.
        acting.nav("议事协调")
        acting.click_link("外出请假")
        acting.click_link("谁在外出")
        acting.page.locator("main", has_text=w.judicial_deputy.display_name).first.wait_for()
        acting.shot("journey-leave-5-who-is-away")

        # 4. Back a day early: the deputy reports the return (销假) from their own queue.
        clock.move_to(_at(BACK))
        deputy.todo_open(w.judicial_deputy.display_name, "待返回销假")
        deputy.shot("journey-leave-6-return")
        _act(deputy, "return", fill={"report": "已按期参加培训，提前返回。"})
        req.refresh_from_db()
        assert req.state == AbsenceRequest.State.RETURNED and req.returned_on == BACK
        assert ActingArrangement.objects.get(absent_post=w.judicial_post).end == AWAY  # the acting ends the day before

        # The other request is back with the deputy, and gone from the acting deputy's queue.
        row = deputy.todo_row(SECOND, "待批示")
        assert row.get_by_test_id("capacity").count() == 0
        assert deputy.page.locator("[data-testid=task-row]").filter(has_text=FIRST).count() == 0
        deputy.shot("journey-leave-7-back-in-own-todo")
        acting.todo()
        assert acting.page.locator("[data-testid=task-row]").filter(has_text=SECOND).count() == 0
        acting.close()
        deputy.close()
        assert second.assignments.filter(state="pending", post=w.judicial_post).exists()
