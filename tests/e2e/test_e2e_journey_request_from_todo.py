"""Issue 11 point 8, flow A: a 请示 from drafting to 办结, every step reached by clicking.

Each person logs in on the login page and from then on only clicks: the navbar, the rows of 我的待办, the buttons on
the page. After each step the next person finds the item in their own 我的待办 (an empty queue with work waiting
was a real fault), opens it from there and acts: the finance bureau's clerk drafts and sends it for signature, the
bureau head signs (签发), the clerk submits it (报送), the office registers it (登记), the office's deputy director
and director review it, the office routes it to the deputy in charge, the deputy gives the instruction (批示) and
the office closes it (办结); the clerk then reads the instruction. Pages are photographed at 1366 and 390 px.

Real headless Chromium against pytest-django's live server; the pages use the real today, so the data is chosen
to work on any day (issued today, decision needed 20 working days ahead).
"""

from __future__ import annotations

import pytest
from django.utils import timezone
from e2e_support import ClickSession

from tiexi_gov.workdays import calendar as wd

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "关于拨付社区养老服务站运营补助资金的请示"
INSTRUCTION = "同意。请财政局按程序拨付，年底前落实到位。"
PANEL = "#doc-panel"


def _act(s: ClickSession, action: str, state_label: str):
    """Press the action's button in the item's panel and wait for the state htmx brings back."""
    s.page.locator(f"{PANEL} [data-testid=do-{action}]").click()
    s.page.locator(f"{PANEL} [data-testid=state]", has_text=state_label).wait_for()


def test_journey_request_reaches_every_step_by_clicking_from_todo(live_server, browser, world):
    from documents.models import Instruction, Submission

    w = world
    base = live_server.url
    today = timezone.localdate()

    # 1. The finance bureau's clerk drafts the 请示: navbar → 公文办理 → 起草上报公文.
    clerk = ClickSession(browser, base, w.fin_clerk)
    page = clerk.page
    clerk.nav("公文办理")
    page.get_by_test_id("new-submission").click()
    page.wait_for_url("**/documents/new/")
    page.select_option("#id_kind", "request")
    page.fill("#id_title", TITLE)
    page.fill("#id_unit_doc_number", "铁西财〔2026〕31号")
    page.fill("#id_body", "为保障社区养老服务站正常运营，拟拨付运营补助资金，请予审批。")
    page.fill("#id_issue_date", today.isoformat())
    page.fill("#id_decision_needed_by", wd.add_workdays(today, 20).isoformat())
    page.select_option("#id_urgency", "normal")
    page.select_option("#id_disclosure", "full")
    page.select_option("#id_disclosure_manner", "active")
    page.check("#id_declares_one_matter")
    page.check("#id_not_classified")
    clerk.shot("journey-request-1-draft-form")
    page.get_by_test_id("save-draft").click()
    page.locator(PANEL).wait_for()
    sub = Submission.objects.get(title=TITLE)

    # The draft waits in the clerk's own queue for 送签; from there to the unit head.
    clerk.todo_row(TITLE, "待送签发")
    clerk.shot("journey-request-2-clerk-todo")
    clerk.todo_open(TITLE, "待送签发")
    _act(clerk, "send_for_signature", "待签发")

    # 2. The bureau head finds it in 我的待办 and signs (签发).
    head = ClickSession(browser, base, w.fin_head)
    head.todo_open(TITLE, "待签发")
    head.shot("journey-request-3-head-sign")
    _act(head, "sign", "已签发")
    head.close()

    # 3. Back in the clerk's queue: 报送 to the district office.
    clerk.todo_open(TITLE, "待报送")
    _act(clerk, "submit", "已报送")
    assert Submission.objects.get(pk=sub.pk).state == "submitted"

    # 4. The office's staff register it (登记): the processing slip gets its number.
    staff = ClickSession(browser, base, w.staff)
    staff.todo_open(TITLE, "待登记")
    _act(staff, "register", "已登记")
    slip_number = Submission.objects.get(pk=sub.pk).current_slip.number
    assert slip_number in staff.page.locator("[data-testid=slip-number]").first.inner_text()

    # 5. The office's review: the deputy director, then the director, each from their own queue.
    for reviewer, label, opinion, next_state, shot in (
        (w.deputy_director, "待副主任审核", "拟呈李副区长阅示。", "办公室审核中", "journey-request-4-office-review"),
        (w.director, "待主任审核", "同意呈批。", "待呈批", None),
    ):
        s = ClickSession(browser, base, reviewer)
        s.todo_open(TITLE, label)
        s.page.fill("#id_review-opinion", opinion)
        if shot:
            s.shot(shot)
        _act(s, "review", next_state)
        s.page.locator("[data-testid=office-opinion]", has_text=opinion).wait_for()
        s.close()

    # 6. The office routes it to the deputy in charge (按分工呈批).
    staff.todo_open(TITLE, "待呈批")
    _act(staff, "route", "领导审批中")

    # 7. The deputy in charge gives the instruction (批示) from their queue.
    deputy = ClickSession(browser, base, w.dep_a)
    row = deputy.todo_row(TITLE, "待批示")
    assert "第六十一条" in row.inner_text()
    deputy.shot("journey-request-5-deputy-todo")
    deputy.todo_open(TITLE, "待批示")
    deputy.page.fill("#id_decide-opinion", INSTRUCTION)
    deputy.shot("journey-request-6-deputy-instruction")
    deputy.page.locator(f"{PANEL} [data-testid=approve]").click()
    deputy.page.locator(f"{PANEL} [data-testid=state]", has_text="已批准").wait_for()
    deputy.close()
    assert Instruction.objects.get(submission=sub, step="leader").opinion == INSTRUCTION

    # 8. The office closes it (办结); nothing is left in its queue.
    staff.todo_open(TITLE, "待办结")
    _act(staff, "close", "已办结")
    staff.shot("journey-request-7-closed")
    staff.todo()
    assert staff.page.locator("[data-testid=task-row]").filter(has_text=TITLE).count() == 0
    staff.close()

    # 9. The clerk reads the instruction: navbar → 公文办理 → 办结 → the document.
    clerk.nav("公文办理")
    clerk.page.get_by_test_id("tab-closed").click()
    clerk.page.locator("[data-testid=document-row]", has_text=TITLE).click()
    clerk.page.locator("[data-testid=instruction]", has_text=INSTRUCTION).wait_for()
    assert clerk.page.locator(f"{PANEL} [data-testid=state]").inner_text().strip() == "已办结"
    clerk.shot("journey-request-8-clerk-reads-instruction")
    clerk.close()
    assert Submission.objects.get(pk=sub.pk).state == "closed"
