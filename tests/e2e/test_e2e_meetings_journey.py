"""Browser journey (issue 5): a unit proposes a topic for the December executive meeting, the head approves the
agenda, an attendee asks for leave and the chair approves, the office records the decisions, the minutes go through
the executive chain (MTG-6) and the decision appears as an item in the supervision ledger.

Real headless Chromium against pytest-django's live server; the days pass with time-machine (the live server's
thread shares the test's clock). Steps that are not part of the journey (the proposer's coordination note, the
office's MTG-8 checklist, the papers' sign-offs) are done through the services.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from e2e_support import PDF, SCREENS, Session

pytestmark = pytest.mark.django_db(transaction=True)

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
FILED = dt.date(2026, 12, 1)  # the unit files its request (Tuesday)
SUBMIT = dt.date(2026, 12, 7)  # the office sends the agenda to the head (Monday)
EVE = dt.date(2026, 12, 8)  # the head approves; an attendee asks for leave
MEETING = dt.date(2026, 12, 9)  # the second Wednesday of December
SIGNING = dt.date(2026, 12, 10)


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 30), tzinfo=TZ)


@pytest.fixture
def district(settings, tmp_path):
    from tests.meetings.meetings_support import build_world
    from tiexi_gov.workdays import calendar

    settings.MEDIA_ROOT = tmp_path
    settings.SESSION_COOKIE_AGE = 400 * 24 * 3600
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    calendar.invalidate()
    return build_world()


def test_mtg_5_to_mtg_6_topic_agenda_leave_decisions_minutes_chain_and_sup_1_ledger_item(
    live_server, browser, district
):
    from meetings.meeting import services as meeting_services
    from meetings.models import LeaveRequest, Meeting, MeetingKind, Minutes, Topic
    from meetings.schedule import services as schedule_services
    from supervision.models import Source, SupervisionItem
    from tests.meetings.meetings_support import meeting_request

    w = district
    SCREENS.mkdir(parents=True, exist_ok=True)
    with time_machine.travel(_at(FILED), tick=True) as clock:
        schedule_services.generate_year(actor=w.staff, year=2026)
        meeting = Meeting.objects.get(kind=MeetingKind.EXECUTIVE, year=2026, date=MEETING)
        request = meeting_request(w, "财政局", day=FILED, title="关于提请区政府常务会议研究城区供暖补贴的请示")

        # 1. The unit's clerk proposes the topic from its filed request.
        clerk = Session(browser, live_server.url, w.clerks["财政局"])
        page = clerk.page
        page.goto(f"{live_server.url}/meetings/{meeting.pk}/topics/new/")
        form = page.locator("[data-testid=topic-form]")
        form.locator("[name$=submission]").select_option(str(request.pk))
        form.locator("[name$=title]").fill("城区供暖补贴方案")
        form.locator("[name$=summary]").fill("拟对城区困难群众发放供暖补贴。")
        page.locator("[data-testid=do-propose]").click()
        page.wait_for_load_state()
        topic = Topic.objects.get(meeting=meeting)
        clerk.close()

        # Coordination note, MTG-8 checklist, the head's decision and the papers' sign-offs (services).
        meeting_services.record_proposer(actor=w.exec_deputy, topic=topic, note="已协调财政局、民政部门。", today=FILED)
        meeting_services.record_checklist(actor=w.staff, topic=topic, significance=True, substance=True, procedure=True)
        meeting_services.decide_topic(actor=w.head, topic=topic, accept=True, today=FILED)
        paper = meeting_services.add_paper(
            actor=w.clerks["财政局"], topic=topic, title="供暖补贴方案", file=SimpleUploadedFile("plan.pdf", PDF)
        )
        meeting_services.check_paper(actor=w.unit_heads["财政局"], paper=paper, today=FILED)
        meeting_services.review_paper(actor=w.exec_deputy, paper=paper, today=FILED)
        clock.move_to(_at(SUBMIT))
        meeting_services.submit_agenda(actor=w.staff, meeting=meeting, today=SUBMIT)

        # 2. The head approves the agenda (on a phone): it is frozen and the invitations go out.
        clock.move_to(_at(EVE))
        head = Session(browser, live_server.url, w.head, phone=True)
        page = head.page
        page.goto(f"{live_server.url}/meetings/{meeting.pk}/")
        approve = page.locator("form[data-action=approve]")
        approve.locator("[name$=confirm]").check()
        approve.locator("[data-testid=do-approve]").click()
        page.wait_for_load_state()
        meeting.refresh_from_db()
        assert meeting.agenda_frozen

        # 3. A standing attendee (审计局's head) asks for leave with a substitute; the chair approves.
        auditor = Session(browser, live_server.url, w.unit_heads["审计局"])
        page = auditor.page
        page.goto(f"{live_server.url}/meetings/{meeting.pk}/attendance/")
        page.locator("details summary", has_text="请假").first.click()
        leave = page.locator("form[data-action=leave]")
        leave.locator("[name$=reason]").fill("参加市审计局年度工作会议")
        leave.locator("[name$=substitute]").select_option(str(w.unit_deputies["审计局"].pk))
        leave.locator("[data-testid=do-leave]").click()
        page.wait_for_load_state()
        request_row = LeaveRequest.objects.get(invitation__person=w.unit_heads["审计局"])
        auditor.close()

        page = head.page
        page.goto(f"{live_server.url}/meetings/{meeting.pk}/attendance/")
        page.locator("form[data-action=approve] [data-testid=do-approve]").first.click()
        page.wait_for_load_state()
        request_row.refresh_from_db()
        assert request_row.state == LeaveRequest.State.APPROVED
        assert meeting.invitations.filter(person=w.unit_deputies["审计局"]).exists()
        head.close()

        # 4. On the day the office records that the meeting was held, then the decisions.
        clock.move_to(_at(MEETING, 15))
        office = Session(browser, live_server.url, w.staff)
        page = office.page
        page.goto(f"{live_server.url}/meetings/{meeting.pk}/minutes/")
        held = page.locator("form[data-action=held]")
        held.locator("[name$=confirm]").check()
        held.locator("[data-testid=do-held]").click()
        page.wait_for_load_state()
        page.locator("form[data-action=start] [data-testid=do-start]").click()
        page.wait_for_load_state()
        decision = page.locator("form[data-action=decision]")
        decision.locator("[name$=topic]").select_option(str(topic.pk))
        decision.locator("[name$=kind]").select_option("assign_work")
        decision.locator("[name$=text]").fill("原则同意城区供暖补贴方案，由区财政局牵头，12月31日前发放到位。")
        decision.locator("[name$=lead_unit]").select_option(str(w.units["财政局"].pk))
        decision.locator("[name$=leader_post]").select_option(str(w.exec_post.pk))
        decision.locator("[name$=due]").fill("2026-12-31")
        decision.locator("[name$=standard]").fill("补贴发放率100%")
        page.locator("[data-testid=do-decision]").click()
        page.locator("[data-testid=decision]").first.wait_for()
        page.locator("form[data-action=send] [data-testid=do-send]").click()
        page.wait_for_load_state()
        office.close()

        # 5. The executive chain (MTG-6), each signature by the right post, in order.
        clock.move_to(_at(SIGNING))
        for signer in (w.office_deputy, w.director, w.judicial_deputy, w.unit_heads["司法局"], w.head):
            session = Session(browser, live_server.url, signer)
            page = session.page
            page.goto(f"{live_server.url}/meetings/{meeting.pk}/minutes/")
            sign = page.locator("form[data-action=sign]")
            sign.locator("[name$=confirm]").check()
            sign.locator("[data-testid=do-sign]").click()
            page.wait_for_load_state()
            session.close()
        minutes = Minutes.objects.get(meeting=meeting)
        assert minutes.state == Minutes.State.SIGNED
        assert list(minutes.steps.order_by("order").values_list("signed_by__username", flat=True)) == [
            "ddir", "director", "judicial", "sfj_head", "head",
        ]  # fmt: skip

        # 6. The decision is an item in the supervision ledger, linked back to the meeting's decision.
        item = SupervisionItem.objects.get(source=Source.MEETING_DECISION)
        assert item.lead_unit == w.units["财政局"] and item.due == dt.date(2026, 12, 31)
        director = Session(browser, live_server.url, w.director)
        page = director.page
        page.goto(f"{live_server.url}/supervision/ledger/?source=meeting_decision")
        page.locator(f"[data-testid=ledger-row] a[href='/supervision/items/{item.pk}/']").first.wait_for()
        page.goto(f"{live_server.url}/meetings/{meeting.pk}/minutes/")
        assert page.locator("[data-testid=supervision-items]", has_text=item.number).count() == 1
        page.screenshot(path=str(SCREENS / "meetings-minutes-signed.png"), full_page=True)
        director.close()
