"""Issue 11 point 8, a supervision item: from its registration to the office's verification (核验销号), by clicking.

Everyone logs in on the login page and from then on only clicks. The office's supervision staff register an item
from the navbar (督查督办 → 登记督查事项) and save it as a draft; the draft waits in the office's 我的待办 (待交办),
from where it is issued to the finance bureau. Each next step is found in the next person's 我的待办 and opened
from there: the bureau's clerk signs for it (签收), reports progress (报告进展) and reports it done (报办结) with
the evidence; the office verifies it and closes it (复查核验). Nothing is left in anyone's queue at the end, and the
ledger shows the item closed. Pages are photographed at 1366 and 390 px.

Real headless Chromium against pytest-django's live server; the pages use the real today, so the data is chosen to
work on any day (the item starts today and is due 20 working days later).
"""

from __future__ import annotations

import pytest
from django.utils import timezone
from e2e_support import ClickSession

from tiexi_gov.workdays import calendar as wd

pytestmark = pytest.mark.django_db(transaction=True)

TASK = "完成城区32个老旧小区雨污分流改造专项资金的拨付和使用监管"
PANEL = "#sup-panel"


@pytest.fixture
def district(settings, tmp_path):
    from tests.supervision.supervision_support import build_world
    from tiexi_gov.workdays import calendar

    settings.MEDIA_ROOT = tmp_path
    calendar.invalidate()
    return build_world()


def _act(s: ClickSession, action: str, state_label: str, *, confirm: bool = False):
    """Press the action's button in the item's panel (ticking 确认 first) and wait for the new state."""
    form = s.page.locator(f"{PANEL} form[data-action={action}]")
    if confirm:
        form.locator("input[type=checkbox][name$=confirm]").check()
    with s.page.expect_navigation():
        form.get_by_test_id(f"do-{action}").click()
    s.page.locator(f"{PANEL} [data-testid=state]", has_text=state_label).wait_for()


def test_journey_supervision_item_reaches_verification_by_clicking_from_todo(live_server, browser, district):
    from supervision.models import ItemState, SupervisionItem
    from tiexi_gov.workflow.models import Task

    w = district
    base = live_server.url
    today = timezone.localdate()
    due = wd.add_workdays(today, 20)

    # 1. The office registers the item: navbar → 督查督办 → 登记督查事项, saved as a draft.
    staff = ClickSession(browser, base, w.staff)
    page = staff.page
    staff.nav("督查督办")
    page.get_by_test_id("item-new").click()
    form = page.get_by_test_id("item-form")
    form.locator("[name=source]").select_option("government_decision")
    form.locator("[name=source_ref]").fill("铁西政发〔2026〕18号")
    form.locator("[name=task]").fill(TASK)
    form.locator("[name=standard]").fill("专项资金拨付率100%，改造小区全部通过验收")
    form.locator("[name=lead_unit]").select_option(str(w.fin.pk))
    form.locator("[name=leader_post]").select_option(str(w.dep_a_post.pk))
    form.locator("[name=period_start]").fill(today.isoformat())
    form.locator("[name=due]").fill(due.isoformat())
    staff.shot("journey-supervision-1-register")
    with page.expect_navigation():
        form.get_by_test_id("save-draft").click()
    page.locator(f"{PANEL} [data-testid=state]", has_text="草稿").wait_for()
    item = SupervisionItem.objects.get(task=TASK)

    # The draft waits in the office's queue (待交办); issued from there, the completion clock starts.
    staff.todo_open(TASK[:16], "待交办")
    _act(staff, "issue", "已交办")

    # 2. The finance bureau's clerk signs for it from their queue, on the SUP-1 clock.
    clerk = ClickSession(browser, base, w.fin_clerk)
    row = clerk.todo_row(TASK[:16], "待签收")
    assert f"截止 {due:%Y-%m-%d}" in row.inner_text()
    clerk.shot("journey-supervision-2-unit-todo")
    clerk.todo_open(TASK[:16], "待签收")
    _act(clerk, "accept", "已签收")

    # 3. The progress report is the bureau's next task (SUP-2), opened again from its queue.
    clerk.todo_open(TASK[:16])
    report = clerk.page.locator(f"{PANEL} form[data-action=report]")
    report.locator("[name=report-percent]").fill("60")
    report.locator("[name=report-done]").fill("已拨付首批资金，完成20个小区改造。")
    clerk.shot("journey-supervision-3-progress-report")
    _act(clerk, "report", "办理中")

    # 4. Done: the bureau reports completion with its evidence (报办结).
    clerk.todo_open(TASK[:16])
    clerk.page.locator(f"{PANEL} #act-claim summary").click()
    claim = clerk.page.locator(f"{PANEL} form[data-action=claim]")
    claim.locator("[name=claim-evidence]").fill("专项资金已全部拨付，32个小区改造全部完成并通过验收。")
    _act(clerk, "claim", "已报办结")
    clerk.todo()
    assert clerk.page.locator("[data-testid=task-row]").filter(has_text=TASK[:16]).count() == 0

    # 5. The office verifies it from its queue and closes it (复查核验, 销号).
    staff.todo_open(TASK[:16], "待核验")
    verify = staff.page.locator(f"{PANEL} form[data-action=verify]")
    verify.locator("[name=verify-note]").fill("经复查，资金拨付凭证和验收材料齐全，同意销号。")
    staff.shot("journey-supervision-4-verify")
    _act(staff, "verify", "按期办结", confirm=True)
    item.refresh_from_db()
    assert item.state == ItemState.CLOSED_ON_TIME
    assert not Task.objects.open().of(item).exists()

    # The ledger shows it closed: navbar → 督查督办.
    staff.nav("督查督办")
    ledger_row = staff.page.locator("[data-testid=ledger-row]", has_text=TASK[:16])
    assert "按期办结" in ledger_row.first.inner_text()
    staff.shot("journey-supervision-5-ledger-closed")
    staff.close()
    clerk.close()
