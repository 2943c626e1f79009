"""Browser journey (issue 4): the office director raises a supervision item from a deputy's instruction on a
document's processing slip, the lead unit accepts it and reports progress, time passes beyond the deadline, the
item shows red on the ledger and on the dashboard, the director downloads the ledger as .xlsx and records a
criticism that the deputy approves.

Real headless Chromium against pytest-django's live server. "Time passes" with time-machine, which moves the
clock of the whole test process (the live server's thread included); the deadline sweep then runs as the beat
would run it.
"""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from pathlib import Path

import pytest
import time_machine
from e2e_support import SCREENS, Session
from openpyxl import load_workbook

from tiexi_gov.workdays import calendar as wd

pytestmark = pytest.mark.django_db(transaction=True)

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
START = dt.date(2026, 12, 1)  # a Tuesday, an ordinary working day


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9, 30), tzinfo=TZ)


@pytest.fixture
def journey_settings(settings):
    # Moving the clock past a session's server-side expiry must not log people out mid-journey, and the
    # browser (on real time) must not drop cookies whose expiry was computed on the travelled clock.
    settings.SESSION_COOKIE_AGE = 400 * 24 * 3600
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    return settings


def test_sup_1_director_raises_item_from_instruction_unit_reports_red_when_late_and_sup_4_criticism_approved(
    live_server, browser, world, journey_settings
):
    from documents.models import Instruction
    from documents.submissions import services as documents
    from supervision.models import ItemState, Outcome, SupervisionItem
    from tests.documents.documents_support import in_leader_review
    from tiexi_gov.deadlines import services as deadlines

    w = world
    due = wd.add_workdays(START, 8)  # the deadline the director sets
    later = wd.add_workdays(due, 3)  # three working days past it
    SCREENS.mkdir(parents=True, exist_ok=True)
    with time_machine.travel(_at(START), tick=True) as clock:
        sub = in_leader_review(w, day=START)
        documents.leader_decide(
            actor=w.dep_a, submission=sub, decision=Instruction.Decision.APPROVE,
            opinion="同意。请财政局抓紧拨付，区政府办公室跟踪督办。", today=START,
        )  # fmt: skip
        instruction = Instruction.objects.get(submission=sub, step=Instruction.Step.LEADER)

        # 1. The director opens the document, raises an item from the deputy's instruction in one click.
        director = Session(browser, live_server.url, w.director)
        page = director.page
        page.goto(f"{live_server.url}/documents/{sub.pk}/")
        page.locator(f"a[href='/supervision/items/new/from-instruction/{instruction.pk}/']").first.click()
        page.wait_for_load_state()
        assert page.locator("#id_task").input_value()  # pre-filled from the instruction
        page.fill("#id_due", due.isoformat())
        page.fill("#id_standard", "专项资金拨付率达到100%")
        page.locator("[data-testid=save-issue]").click()
        page.locator("[data-testid=state]", has_text="已交办").wait_for()
        item = SupervisionItem.objects.get(source_id=str(instruction.pk))
        assert item.lead_unit == w.fin and item.leader_post == w.dep_a_post
        page.goto(f"{live_server.url}/documents/{sub.pk}/")
        assert page.locator("[data-testid=supervision-links]", has_text=item.number).first.is_visible()
        director.close()

        # 2. The lead unit's clerk accepts the item and reports progress, on a phone.
        clerk = Session(browser, live_server.url, w.fin_clerk, phone=True)
        page = clerk.page
        page.goto(f"{live_server.url}/supervision/items/{item.pk}/")
        page.locator("[data-testid=do-accept]").click()
        page.locator("[data-testid=state]", has_text="已签收").wait_for()
        report = page.locator("form[data-action=report]")
        report.locator("[name=report-percent]").fill("40")
        report.locator("[name=report-done]").fill("已拨付首批资金，正在审核第二批拨付材料。")
        page.locator("[data-testid=do-report]").click()
        page.locator("[data-testid=state]", has_text="办理中").wait_for()
        page.screenshot(path=str(SCREENS / "supervision-unit-report-phone.png"), full_page=True)
        clerk.close()

        # 3. Time passes beyond the deadline; the beat's sweep escalates the overdue item.
        clock.move_to(_at(later))
        result = deadlines.sweep(today=later)
        assert result.escalated >= 1

        # 4. The director sees it red on the ledger and on the dashboard, and downloads the ledger.
        director = Session(browser, live_server.url, w.director)
        page = director.page
        page.goto(f"{live_server.url}/supervision/ledger/?light=red")
        link = page.locator(f"[data-testid=ledger-row][data-light=red] a[href='/supervision/items/{item.pk}/']")
        link.first.wait_for()
        page.goto(f"{live_server.url}/supervision/dashboard/")
        red = page.locator("[data-testid=figure-light-red]")
        assert red.locator("[data-testid=value]").inner_text().strip() == "1"
        red.click()
        page.wait_for_load_state()
        rows = page.locator("[data-testid=ledger-row]")
        assert rows.count() == 1 and rows.first.get_attribute("data-light") == "red"
        page.screenshot(path=str(SCREENS / "supervision-ledger-red.png"), full_page=True)
        with page.expect_download() as download:
            page.locator("[data-testid=ledger-export]").click()
        sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()), read_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0][:10]) == ["序号", "事项来源", "督办事项", "牵头单位", "协办单位", "责任领导", "完成时限",
                                      "量化标准", "进展情况", "状态"]  # fmt: skip
        assert any(r[2] == item.task for r in rows[1:])

        # 5. The director proposes a criticism; the deputy approves it.
        page.goto(f"{live_server.url}/supervision/items/{item.pk}/outcome/new/")
        page.locator(f"input[name=kind][value={Outcome.OutcomeKind.CRITICISM}]").check()
        page.fill("#id_grounds", "该事项超过完成时限仍未办结，建议通报批评。")
        page.locator("[data-testid=outcome-save]").click()
        page.wait_for_load_state()
        outcome = Outcome.objects.get(item=item)
        director.close()

        deputy = Session(browser, live_server.url, w.dep_a, phone=True)
        page = deputy.page
        page.goto(f"{live_server.url}/supervision/outcomes/{outcome.pk}/")
        form = page.locator("[data-testid=decide-form]")
        form.locator("input[name=decision][value=approve]").check()
        form.locator("[name=opinion]").fill("同意通报批评。")
        form.locator("[name=confirm]").check()
        form.locator("[data-testid=do-decide]").click()
        page.locator("[data-testid=state]", has_text="已批准").wait_for()
        outcome.refresh_from_db()
        assert outcome.state == Outcome.State.APPROVED
        page.screenshot(path=str(SCREENS / "supervision-outcome-approved-phone.png"), full_page=True)
        deputy.close()
        item.refresh_from_db()
        assert item.state == ItemState.IN_PROGRESS
