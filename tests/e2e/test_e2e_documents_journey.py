"""Browser journey of flow A (issue 3): a clerk drafts a 请示 with an attachment, another unit gives its
opinion, the unit head signs, the clerk submits, the office registers and reviews (deputy director, then
director) and routes it, the deputy approves from the queue with an opinion, and the clerk sees the
instruction and opens the printable processing slip.

Real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright against pytest-django's live server.
The pages use the real today, so the data is chosen to work on any day: issued today, decision needed
20 working days ahead.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from e2e_support import PDF, SCREENS, Session

from tiexi_gov.workdays import calendar as wd

TITLE = "关于拨付城区防汛物资采购资金的请示"
OPINION = "同意。请财政局按程序拨付，抓紧落实。"

pytestmark = pytest.mark.django_db(transaction=True)


def test_e2e_documents_journey_from_draft_to_printed_slip(live_server, browser, world):
    from documents.models import Instruction, ProcessingSlip, Submission

    SCREENS.mkdir(parents=True, exist_ok=True)
    today = timezone.localdate()
    base = live_server.url
    w = world

    # 1. The finance bureau's clerk drafts the request with an attachment and names the touched unit.
    clerk = Session(browser, base, w.fin_clerk)
    page = clerk.page
    page.goto(base + "/documents/")
    page.get_by_test_id("new-submission").click()
    page.wait_for_url("**/documents/new/")
    page.select_option("#id_kind", "request")
    page.fill("#id_title", TITLE)
    page.fill("#id_unit_doc_number", "铁西财〔2026〕15号")
    page.fill("#id_body", "为保障汛期城区排涝，拟采购防汛物资，请求拨付资金。")
    page.fill("#id_issue_date", today.isoformat())
    page.fill("#id_decision_needed_by", wd.add_workdays(today, 20).isoformat())
    page.select_option("#id_urgency", "normal")
    page.select_option("#id_disclosure", "full")
    page.select_option("#id_disclosure_manner", "active")
    page.check("#id_declares_one_matter")
    page.check("#id_not_classified")
    page.select_option("#id_touched_units", [str(w.dev.pk)])
    page.set_input_files("#id_files", files=[{"name": "采购清单.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.get_by_test_id("save-draft").click()
    page.wait_for_url(re.compile(r".*/documents/\d+/\?consult=.*"))
    sub = Submission.objects.get(title=TITLE)
    assert page.locator("[data-testid=attachments]").inner_text().count("采购清单.pdf") == 1

    # The consultation form arrives with the touched unit selected; the clerk sends it.
    assert page.locator("#id_consult-units option:checked").inner_text().strip() == "铁西区发展和改革局"
    clerk.act("consult", "征求意见中")

    # 2. The development bureau answers: agree.
    dev = Session(browser, base, w.dev_clerk)
    dev.page.goto(base + "/documents/")
    dev.page.get_by_role("link", name=re.compile(TITLE)).click()
    dev.page.locator("#doc-panel").wait_for()
    dev.page.locator("[data-action=reply] input[value=agree]").check()
    dev.page.locator("[data-testid=do-reply]").click()
    dev.page.locator("[data-testid=panel-message]", has_text="意见已回复").wait_for()
    dev.close()

    # 3. Send for signature; the head signs; the clerk submits to the office.
    clerk.open_item(sub.pk)
    assert "同意" in page.locator("[data-testid=consultations]").inner_text()
    clerk.act("send_for_signature", "待签发")
    head = Session(browser, base, w.fin_head)
    head.open_item(sub.pk)
    head.act("sign", "已签发")
    head.close()
    clerk.open_item(sub.pk)
    clerk.act("submit", "已报送")

    # 4. The office registers it, the deputy director and the director review, staff route it.
    staff = Session(browser, base, w.staff)
    staff.open_item(sub.pk)
    staff.act("register", "已登记")
    number = ProcessingSlip.objects.get(submission=sub).number
    assert number in staff.page.locator("[data-testid=slip-number]").inner_text()
    for reviewer, opinion, label in (
        (w.deputy_director, "拟呈李副区长阅示。", "办公室审核中"),
        (w.director, "同意呈批。", "待呈批"),
    ):
        s = Session(browser, base, reviewer)
        s.open_item(sub.pk)
        s.page.fill("#id_review-opinion", opinion)
        s.act("review", label)
        s.page.locator("[data-testid=office-opinion]", has_text=opinion).wait_for()  # refreshed out of band
        s.close()
    staff.open_item(sub.pk)
    staff.act("route", "领导审批中")
    staff.close()

    # 5. The deputy approves from the queue, on a phone, with an opinion: one action.
    deputy = Session(browser, base, w.dep_a, phone=True)
    deputy.page.goto(base + "/documents/queue/")
    row = deputy.page.locator("[data-testid=queue-row]", has_text=TITLE)
    row.locator("textarea[name=opinion]").fill(OPINION)
    deputy.page.screenshot(path=str(SCREENS / "documents-queue-phone.png"), full_page=True)
    assert deputy.page.evaluate("document.documentElement.scrollWidth") <= 390
    row.get_by_test_id("queue-approve").click()
    deputy.page.locator("[data-testid=queue-row] [data-testid=row-message]", has_text="批示已提交").wait_for()
    deputy.close()
    assert Submission.objects.get(pk=sub.pk).state == "approved"
    assert Instruction.objects.get(submission=sub, step="leader").opinion == OPINION

    # 6. The clerk sees the instruction and opens the printable processing slip.
    clerk.open_item(sub.pk)
    page.locator("[data-testid=instruction]", has_text=OPINION).wait_for()
    page.get_by_test_id("slip-link").click()
    page.wait_for_url("**/slip/")
    slip = page.locator("[data-testid=slip]")
    assert number in slip.inner_text() and OPINION in slip.inner_text() and "李副区长" in slip.inner_text()
    page.emulate_media(media="print")
    page.screenshot(path=str(SCREENS / "documents-slip-print.png"), full_page=True)
    pdf = page.pdf(format="A4", print_background=False)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1  # the slip prints on one A4 page
    clerk.close()
