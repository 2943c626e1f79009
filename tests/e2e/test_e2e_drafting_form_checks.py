"""Issue 11 point 2 in the browser: the drafting form stars what the clerk's choices make required as they are
made, a saved draft lists every problem still open with a link to its field, and 送签 is refused with all of
them together before the unit head is ever asked to sign."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from e2e_support import ClickSession

from tiexi_gov.workdays import calendar as wd

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "关于调整社区卫生服务站布局的请示"


def _star(page, field: str):
    return page.locator(f'label[for="id_{field}"] .rule-star')


def test_doc_checks_stars_follow_choices_and_a_saved_draft_lists_every_problem(live_server, browser, world):
    from documents.models import Submission, SubmissionState

    clerk = ClickSession(browser, live_server.url, world.fin_clerk)
    page = clerk.page
    clerk.nav("公文办理")
    page.get_by_test_id("new-submission").click()
    page.wait_for_url("**/documents/new/")

    # A 请示 needs its decision date; a 报告 instead declares it carries no request: the stars move with the kind.
    assert _star(page, "decision_needed_by").is_visible()
    assert not _star(page, "declares_report_has_no_request").is_visible()
    page.select_option("#id_kind", "report")
    assert _star(page, "declares_report_has_no_request").is_visible()
    assert not _star(page, "decision_needed_by").is_visible()
    page.select_option("#id_kind", "request")

    # 不予公开 makes the reason required, and says so next to the choice.
    assert not _star(page, "disclosure_reason").is_visible()
    page.select_option("#id_disclosure", "none")
    assert _star(page, "disclosure_reason").is_visible()
    assert "不予公开须说明理由" in page.locator("#id_disclosure_helptext").inner_text()

    # Saved with the reason, the one-matter declaration and the decision date still missing: the draft is kept
    # and the page lists all three, each linking to its field.
    page.fill("#id_title", TITLE)
    page.fill("#id_body", "拟调整辖区社区卫生服务站布局，请予审批。")
    page.check("#id_not_classified")
    clerk.shot("drafting-form-stars")
    page.get_by_test_id("save-draft").click()
    page.wait_for_url(re.compile(r".*/documents/\d+/$"))
    problems = page.get_by_test_id("draft-problems")
    text = problems.inner_text()
    assert "3 项" in text and "一文一事" in text and "决策的日期" in text and "说明理由" in text
    assert "第三十六条" in text and "第六十一条" in text
    clerk.shot("drafting-problems-listed")
    sub = Submission.objects.get(title=TITLE)

    # 送签 is greyed out while problems are listed, and says why; nothing moves (a forged post is refused with every
    # problem in one message: tests/documents/test_documents_checks_up_front.py).
    send = page.get_by_test_id("do-send_for_signature")
    assert send.is_disabled()
    assert "请先完善上列各项" in page.get_by_test_id("why-disabled").inner_text()
    sub.refresh_from_db()
    assert sub.state == SubmissionState.DRAFTING

    # The problem's link opens the edit form at its field.
    page.get_by_test_id("draft-problems").get_by_role("link", name=re.compile("说明理由")).click()
    page.wait_for_url(re.compile(r".*/documents/\d+/edit/#id_disclosure_reason$"))
    assert _star(page, "disclosure_reason").is_visible()

    # Completed and saved, the page says so; 送签 (an htmx action redrawing the panel) then answers in the panel and
    # the page's earlier "修改已保存" goes, so it cannot read as news about the new action.
    page.fill("#id_disclosure_reason", "涉及内部布局调整方案，不宜公开。")
    page.check("#id_declares_one_matter")
    page.fill("#id_decision_needed_by", wd.add_workdays(timezone.localdate(), 20).isoformat())
    page.get_by_test_id("save-draft").click()
    page.wait_for_url(re.compile(r".*/documents/\d+/(#.*)?$"))  # the edit link's #field rides the redirect
    saved = page.locator("[data-page-messages]")
    assert "修改已保存" in saved.inner_text()
    page.get_by_test_id("do-send_for_signature").click()
    page.get_by_test_id("panel-message").wait_for()
    assert page.locator("[data-page-messages]").count() == 0
    sub.refresh_from_db()
    assert sub.state == SubmissionState.AWAITING_SIGNATURE
    clerk.close()
