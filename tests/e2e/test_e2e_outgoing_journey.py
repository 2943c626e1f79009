"""Browser journey of flow B (issue 3, 发文): the office keeps the year's document plan, an office clerk drafts a
government-name document spanning two portfolios on the 发文稿纸, the two units countersign, the office checks it
(核稿), both responsible deputies review it from their queue (one on a phone), the head signs it (发文字号), the
office issues it, it appears in the public register (PUB-2), and the GB/T 9704 .docx downloads.

Real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright against pytest-django's live server; the
setup is the one of test_e2e_documents_journey.py.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.utils import timezone
from e2e_support import PDF, SCREENS, OutgoingSession

TITLE = "关于促进全区消费持续恢复的若干措施"

pytestmark = pytest.mark.django_db(transaction=True)


def test_e2e_outgoing_journey_from_plan_to_public_register_and_docx(live_server, browser, world):
    from documents.models import DeputyReview, OutgoingDocument, PublicRegisterEntry

    SCREENS.mkdir(parents=True, exist_ok=True)
    year = timezone.localdate().year
    base = live_server.url
    w = world

    # 1. The office keeps this year's government document plan (DOC-15) on its page.
    clerk = OutgoingSession(browser, base, w.staff)
    page = clerk.page
    page.goto(base + "/documents/plans/")
    page.select_option("#id_plan-issuer", "government")
    page.fill("#id_plan-year", str(year))
    page.locator("[data-testid=new-plan] button[type=submit]").click()
    page.locator("[data-testid=plan]").wait_for()
    page.locator("[data-testid=add-item] input[name=item-title]").fill(TITLE)
    page.locator("[data-testid=add-item] button[type=submit]").click()
    page.locator("[data-testid=plan-item]", has_text=TITLE).wait_for()

    # 2. The office clerk drafts the 发文稿纸: a government-name document that 财政局 and 发改局 countersign.
    page.goto(base + "/documents/outgoing/")
    page.get_by_test_id("new-outgoing").click()
    page.wait_for_url("**/documents/outgoing/new/")
    page.select_option("#id_kind", "government")
    page.select_option("#id_countersign_units", [str(w.fin.pk), str(w.dev.pk)])
    page.fill("#id_title", TITLE)
    page.fill("#id_main_recipients", "各乡、街道，区政府各部门")
    page.fill("#id_copy_to", "区委办公室，区人大常委会办公室")
    page.select_option("#id_disclosure", "full")
    page.select_option("#id_disclosure_manner", "active")
    page.fill("#id_copies", "60")
    page.set_input_files("#id_files", files=[{"name": "任务分工表.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.fill("#id_body", "为促进全区消费持续恢复，制定以下措施。\n一、发放消费券。\n二、支持商贸企业。")
    page.select_option("#id_plan_item", label=f"区政府{year}年度发文计划：{TITLE}")
    page.check("#id_not_classified")
    page.get_by_test_id("save-outgoing").click()
    page.locator("#out-panel").wait_for()
    doc = OutgoingDocument.objects.get(title=TITLE)
    assert "任务分工表" in page.locator("[data-testid=sheet]").inner_text()
    clerk.act("submit", "办公室核稿中")

    # 3. Both units countersign (their heads).
    for head in (w.fin_head, w.dev_head):
        s = OutgoingSession(browser, base, head)
        s.open_item(doc.pk)
        s.page.locator("[data-testid=do-countersign]").click()
        s.page.locator("[data-testid=panel-message]", has_text="已会签").wait_for()
        s.close()

    # 4. The office checks it (核稿): it goes to both responsible deputies (DOC-14).
    clerk.open_item(doc.pk)
    page.fill("#id_office_check-opinion", "核稿无误，请两位分管副区长审核。")
    clerk.act("office_check", "分管副区长审核中")
    assert set(DeputyReview.objects.filter(document=doc).values_list("post_id", flat=True)) == {
        w.dep_a_post.pk,
        w.dep_b_post.pk,
    }

    # 5. Both deputies review from their queue; one on a phone.
    for deputy, phone in ((w.dep_a, True), (w.dep_b, False)):
        s = OutgoingSession(browser, base, deputy, phone=phone)
        s.page.goto(base + "/documents/queue/")
        s.page.locator("[data-testid=outgoing-queue-row]", has_text=TITLE).click()
        s.page.locator("#out-panel").wait_for()
        s.page.fill("#id_review-opinion", "同意。")
        if phone:
            s.page.screenshot(path=str(SCREENS / "outgoing-review-phone.png"), full_page=True)
            assert s.page.evaluate("document.documentElement.scrollWidth") <= 390
        s.page.locator("[data-testid=do-review]").click()
        s.page.locator("[data-testid=panel-message]", has_text="审核意见已签署").wait_for()
        s.close()

    # 6. The head signs from the queue: the 发文字号 is given.
    head = OutgoingSession(browser, base, w.head)
    head.page.goto(base + "/documents/queue/")
    head.page.locator("[data-testid=outgoing-queue-row]", has_text=TITLE).click()
    head.page.locator("#out-panel").wait_for()
    head.page.fill("#id_sign-opinion", "同意印发。")
    head.act("sign", "已签发")
    number = OutgoingDocument.objects.get(pk=doc.pk).number
    assert number == f"铁西政发〔{year}〕1号"
    head.page.locator("[data-testid=number]", has_text=number).wait_for()
    head.close()

    # 7. The office issues it; it enters the public register.
    clerk.open_item(doc.pk)
    clerk.act("issue", "已印发")
    assert PublicRegisterEntry.objects.filter(number=number, withdrawn=False).exists()

    # 8. Anyone logged in finds it in the register (the navigation link), and the .docx downloads.
    reader = OutgoingSession(browser, base, w.outsider)
    reader.page.goto(base + "/documents/")
    reader.page.get_by_role("link", name="公开目录").first.click()
    reader.page.wait_for_url("**/documents/register/")
    reader.page.fill("input[name=q]", number)
    reader.page.locator("button[type=submit]", has_text="查询").click()
    reader.page.locator("[data-testid=register-row]", has_text=TITLE).wait_for()
    reader.close()

    clerk.open_item(doc.pk)
    with page.expect_download() as info:
        page.get_by_test_id("docx-link").click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    with zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes())) as zf:
        xml = zf.read("word/document.xml").decode()
    assert number in xml and "此件公开发布" in xml
    page.get_by_test_id("print-link").click()
    page.wait_for_url("**/print/")
    assert number in page.locator("[data-testid=outgoing-sheet]").inner_text()
    clerk.close()
