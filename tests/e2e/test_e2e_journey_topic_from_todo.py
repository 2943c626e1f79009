"""Issue 11 point 8, a meeting topic: from filing to the meeting's decision and the clock it starts, by clicking.

The finance bureau has filed its 请示 (提请区政府会议研究) with the office; from then on everyone logs in on the login
page and only clicks. The bureau's clerk finds the December executive meeting on 会议 (可申报议题的会议) and files
the topic (申报议题) with its paper; each next step is found in the next person's 我的待办 and opened from there:
the deputy in charge puts it forward (提出议题), the office checks the MTG-8 conditions, the bureau head vouches for
the paper (把关) and the deputy reviews it, the district head accepts the topic (确定议题); the office sends the
agenda, the head approves it; on the day the office records the meeting as held, drafts the minutes with the
decision (部署工作, a deadline) and sends them along the MTG-6 chain, each signer from their queue. The signed
decision starts a clock: the bureau finds the ledger item in its own 我的待办, 待签收 with the decision's deadline.

The days pass with time-machine (the live server's thread shares the test's clock), on fixed December 2026 days,
so the journey works whatever day it runs. Pages are photographed at 1366 and 390 px.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from e2e_support import PDF, ClickSession

pytestmark = pytest.mark.django_db(transaction=True)

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
FILED = dt.date(2026, 12, 1)  # the bureau's request reaches the office; the clerk files the topic (Tuesday)
SUBMIT = dt.date(2026, 12, 7)  # the office sends the agenda to the head (Monday)
EVE = dt.date(2026, 12, 8)  # the head approves the agenda
MEETING = dt.date(2026, 12, 9)  # the second Wednesday of December: the executive meeting
SIGNING = dt.date(2026, 12, 10)  # the minutes go along the chain
DUE = dt.date(2026, 12, 31)  # the decision's deadline

TOPIC = "城区老旧小区供暖管网改造资金安排"
DECISION = "原则同意城区老旧小区供暖管网改造资金安排方案，由区财政局牵头，12月31日前拨付到位。"


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


def _submit(s: ClickSession, action: str, *, confirm: bool = False, within: str = "main"):
    """Press the form's button (ticking its 确认 box first) and wait for the page it leads to."""
    form = s.page.locator(f"{within} form[data-action={action}]").first
    if confirm:
        form.locator("input[type=checkbox][name$=confirm]").check()
    with s.page.expect_navigation():
        form.locator(f"[data-testid=do-{action}]").click()


def test_journey_topic_reaches_decision_and_its_clock_by_clicking_from_todo(live_server, browser, district):
    from meetings.models import Meeting, MeetingKind, Minutes, Topic, TopicState
    from meetings.schedule import services as schedule_services
    from supervision.models import ItemState, Source, SupervisionItem
    from tests.meetings.meetings_support import meeting_request
    from tiexi_gov.deadlines.models import Deadline

    w = district
    base = live_server.url
    fin = "财政局"
    with time_machine.travel(_at(FILED), tick=True) as clock:
        schedule_services.generate_year(actor=w.staff, year=2026)
        meeting = Meeting.objects.get(kind=MeetingKind.EXECUTIVE, year=2026, date=MEETING)
        request = meeting_request(w, fin, day=FILED, title="关于提请区政府常务会议研究供暖管网改造资金的请示")

        # 1. The bureau's clerk: navbar → 会议 → the meeting open for topics → 申报议题, with the filed request.
        clerk = ClickSession(browser, base, w.clerks[fin])
        page = clerk.page
        clerk.nav("会议")
        open_row = page.locator("[data-testid=open-meeting]", has_text=meeting.title)
        assert "12月4日" in open_row.inner_text()  # the last filing day: 3 working days before the meeting
        clerk.shot("journey-topic-1-meetings-open-for-topics")
        open_row.get_by_test_id("open-meeting-propose").click()
        form = page.locator("[data-testid=topic-form]")
        form.locator("[name$=submission]").select_option(str(request.pk))
        form.locator("[name$=title]").fill(TOPIC)
        form.locator("[name$=summary]").fill("拟安排专项资金改造城区老旧小区供暖管网，请会议研究。")
        clerk.shot("journey-topic-2-topic-form")
        with page.expect_navigation():
            page.get_by_test_id("do-propose").click()
        topic = Topic.objects.get(meeting=meeting, title=TOPIC)

        # The clerk uploads the paper on the topic's page.
        paper = page.locator("form[data-action=paper]")
        paper.locator("[name$=title]").fill("供暖管网改造资金安排方案")
        paper.locator("[name$=file]").set_input_files(
            files=[{"name": "方案.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
        with page.expect_navigation():
            paper.get_by_test_id("do-paper").click()
        page.locator("[data-testid=paper]", has_text="供暖管网改造资金安排方案").wait_for()
        clerk.shot("journey-topic-3-topic-filed")
        clerk.close()

        # 2. The deputy in charge puts it forward (提出议题), from their queue.
        deputy = ClickSession(browser, base, w.exec_deputy)
        deputy.todo_open(TOPIC, "待提出议题")
        note = deputy.page.locator("form[data-action=proposer] [name$=note]")
        note.fill("已协调财政局、住建部门，同意提交会议研究。")
        _submit(deputy, "proposer")
        deputy.page.locator("[data-testid=proposer]", has_text="常务副区长").wait_for()

        # 3. The office checks the MTG-8 conditions (上会条件).
        staff = ClickSession(browser, base, w.staff)
        staff.todo_open(TOPIC, "待审核上会条件")
        checklist = staff.page.locator("form[data-action=checklist]")
        for name in ("significance", "substance", "procedure"):
            checklist.locator(f"[name$={name}]").check()
        staff.shot("journey-topic-4-office-checklist")
        _submit(staff, "checklist")

        # 4. The bureau head vouches for the paper (把关); the deputy in charge reviews it.
        fin_head = ClickSession(browser, base, w.unit_heads[fin])
        fin_head.todo_open(TOPIC, "待把关会议材料")
        _submit(fin_head, "check", confirm=True)
        fin_head.close()
        deputy.todo_open(TOPIC, "待审核会议材料")
        _submit(deputy, "review", confirm=True)
        deputy.close()

        # 5. The district head accepts the topic onto the agenda (确定议题).
        head = ClickSession(browser, base, w.head)
        head.todo_open(TOPIC, "待确定议题")
        decide = head.page.locator("form[data-action=decide]")
        decide.locator("input[name$=decision][value=accept]").check()
        head.shot("journey-topic-5-head-accepts")
        _submit(head, "decide", confirm=True)
        head.page.locator("[data-testid=topic-state]", has_text="已列入议程").wait_for()
        assert Topic.objects.get(pk=topic.pk).state == TopicState.ACCEPTED

        # 6. The office sends the agenda; the head approves it the day before the meeting.
        clock.move_to(_at(SUBMIT))
        staff.todo_open(meeting.title, "待报审议程")
        _submit(staff, "submit")
        clock.move_to(_at(EVE))
        head.todo_open(meeting.title, "待审定议程")
        head.shot("journey-topic-6-head-approves-agenda")
        _submit(head, "approve", confirm=True)
        meeting.refresh_from_db()
        assert meeting.agenda_frozen
        head.close()

        # 7. On the day: the office records that the meeting was held, then drafts the minutes and the decision.
        clock.move_to(_at(MEETING, 15))
        # Both rows open the minutes page, where both steps are done.
        staff.todo_open(meeting.title, "待登记召开")
        _submit(staff, "held", confirm=True)
        staff.todo_open(meeting.title, "待起草纪要")
        _submit(staff, "start")
        decision = staff.page.locator("form[data-action=decision]")
        decision.locator("[name$=topic]").select_option(str(topic.pk))
        decision.locator("[name$=kind]").select_option("assign_work")
        decision.locator("[name$=text]").fill(DECISION)
        decision.locator("[name$=lead_unit]").select_option(str(w.units[fin].pk))
        decision.locator("[name$=leader_post]").select_option(str(w.exec_post.pk))
        decision.locator("[name$=due]").fill(DUE.isoformat())
        decision.locator("[name$=standard]").fill("改造资金拨付率100%")
        with staff.page.expect_navigation():
            decision.get_by_test_id("do-decision").click()
        staff.page.locator("[data-testid=decision]").first.wait_for()
        staff.shot("journey-topic-7-minutes-draft")
        _submit(staff, "send")
        staff.close()

        # 8. The MTG-6 chain, each signer finding the minutes in their own queue.
        clock.move_to(_at(SIGNING))
        minutes_name = f"{meeting.title}纪要"
        for signer, label in (
            (w.office_deputy, "待审核纪要"),
            (w.director, "待审核纪要"),
            (w.judicial_deputy, "待批转合法性审查"),
            (w.unit_heads["司法局"], "待合法性审查"),
            (w.head, "待签发纪要"),
        ):
            s = ClickSession(browser, base, signer)
            s.todo_open(minutes_name, label)
            if signer == w.head:
                s.shot("journey-topic-8-head-signs-minutes")
            _submit(s, "sign", confirm=True)
            s.close()
        assert Minutes.objects.get(meeting=meeting).state == Minutes.State.SIGNED

        # 9. The decision's clock: a ledger item waits in the bureau's 我的待办, due on the decision's day.
        item = SupervisionItem.objects.get(source=Source.MEETING_DECISION)
        assert item.state == ItemState.ASSIGNED and item.due == DUE
        clock_row = Deadline.objects.get(rule_id="SUP-1", closed_at__isnull=True, subject_id=str(item.pk))
        clerk = ClickSession(browser, base, w.clerks[fin])
        row = clerk.todo_row(DECISION[:20], "待签收")
        assert f"截止 {clock_row.due:%Y-%m-%d}" in row.inner_text()
        clerk.shot("journey-topic-9-clock-in-unit-todo")
        clerk.todo_open(DECISION[:20], "待签收")
        clerk.page.locator("[data-testid=state]", has_text="已交办").wait_for()
        assert meeting.title in clerk.page.locator("main").inner_text()
        clerk.shot("journey-topic-10-ledger-item")
        clerk.close()
