"""Issue 11 point 2: every submission check up front, all at once (DOC-3, DOC-4, DOC-5, DOC-10, DOC-17, X-2).

A 请示 once took four rounds of withdraw-and-re-sign because its rules spoke only at 报送, after the unit head had
signed, and one at a time. Now the same checks run when the draft is saved (listed, nothing refused), before 送签
(refused, all together), the drafting form stars what the kind and the choices make required, and every long
form opens with an error summary linking to its fields.
"""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from documents_support import draft, valid_fields

from documents.models import Disclosure, Submission, SubmissionKind, SubmissionState, Urgency
from documents.submissions import services
from documents.submissions.checks import draft_problems
from tiexi_gov.audit.models import Event
from tiexi_gov.workdays import calendar as wd
from tiexi_gov.workflow.errors import RuleViolation

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

BROKEN = {
    "declares_one_matter": False,  # DOC-5
    "decision_needed_by": None,  # DOC-10
    "disclosure": Disclosure.NONE,  # DOC-17: no reason given
    "disclosure_manner": "",
    "not_classified": False,
}


def _form_data(today, **overrides) -> dict:
    fields = valid_fields(today, **overrides)
    data = {k: ("on" if v is True else v) for k, v in fields.items() if v not in (False, None)}
    data.update(title="关于拨付防汛物资资金的请示", copies=1)
    return data


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_doc_checks_run_before_send_for_signature_and_report_every_problem_at_once(world):
    today = timezone.localdate()
    sub = draft(world, today, **BROKEN)
    with pytest.raises(RuleViolation) as refused:
        services.send_for_signature(actor=world.fin_clerk, submission=sub, today=today)
    assert sorted(set(refused.value.rule_ids)) == ["DOC-10", "DOC-17", "DOC-5", "X-2"]
    text = str(refused.value)
    assert "一文一事" in text and "需区政府决策的日期" in text and "说明理由" in text and "国家秘密" in text
    sub.refresh_from_db()
    assert sub.state == SubmissionState.DRAFTING  # the unit head is never asked to sign a draft that cannot go
    assert not Event.objects.for_object(sub).filter(action="send_for_signature").exists()


def test_doc_10_time_left_is_checked_before_send_for_signature_counted_from_today(world):
    today = timezone.localdate()
    sub = draft(world, today, decision_needed_by=wd.add_workdays(today, 4))
    with pytest.raises(RuleViolation) as refused:
        services.send_for_signature(actor=world.fin_clerk, submission=sub, today=today)
    assert refused.value.rule_ids == ["DOC-10"] and "不少于10个工作日" in str(refused.value)


def test_doc_checks_a_draft_that_meets_every_rule_goes_to_signature(world):
    today = timezone.localdate()
    sub = draft(world, today)
    assert draft_problems(sub, today) == []
    sent = services.send_for_signature(actor=world.fin_clerk, submission=sub, today=today)
    assert sent.state == SubmissionState.AWAITING_SIGNATURE


def test_doc_checks_saving_a_draft_saves_it_and_lists_every_problem_linked_to_its_field(world, client):
    today = timezone.localdate()
    client.force_login(world.fin_clerk)
    data = _form_data(today, **BROKEN)
    r = client.post(reverse("documents:create"), data, follow=True)
    sub = Submission.objects.get(title="关于拨付防汛物资资金的请示")  # saved: nothing the clerk typed is lost
    assert sub.state == SubmissionState.DRAFTING and sub.disclosure == Disclosure.NONE
    assert any("送签前还须完善4项" in m for m in _messages(r))
    html = r.content.decode()
    panel = html[html.index('data-testid="draft-problems"') :]
    panel = panel[: panel.index("</ol>")]
    edit = reverse("documents:edit", args=[sub.pk])
    for field in ("declares_one_matter", "decision_needed_by", "disclosure_reason", "not_classified"):
        assert f'href="{edit}#id_{field}"' in panel
    for article in ("第六十条", "第六十一条", "第三十六条", "第七十四条"):  # 第七十四条: the 国家秘密 declaration
        assert article in panel
    assert "贯穿全文" not in panel  # a catalogue note, not an article anyone can look up
    assert not re.search(r"\b(DOC|X)-\d+", panel)  # articles for people, never rule IDs
    # While problems are listed the 送签 button is greyed out and says why (the server refuses a post anyway).
    button = re.search(r'<button[^>]*data-testid="do-send_for_signature"[^>]*>', html)
    assert button and "disabled" in button.group(0) and "请先完善上列各项" in html

    # Fixed in the form, saved again: the list is gone and the page says the draft may go to signature.
    data = _form_data(today, disclosure=Disclosure.NONE, disclosure_reason="涉及个人隐私，依法不予公开")
    r = client.post(edit, {**data, "seen_state": sub.state}, follow=True)
    html = r.content.decode()
    assert 'data-testid="draft-problems"' not in html and 'data-testid="draft-ready"' in html
    assert any(m == "修改已保存。" for m in _messages(r))
    button = re.search(r'<button[^>]*data-testid="do-send_for_signature"[^>]*>', html)
    assert button and "disabled" not in button.group(0)


def test_doc_checks_the_form_stars_what_the_kind_of_document_requires(world, client):
    client.force_login(world.fin_clerk)
    today = timezone.localdate()

    def starred(**fields) -> set[str]:
        sub = draft(world, today, **fields)
        page = client.get(reverse("documents:edit", args=[sub.pk]))
        return page.context["form"].starred

    request = starred()
    assert {"decision_needed_by", "declares_one_matter", "disclosure", "not_classified"} <= request
    assert "declares_report_has_no_request" not in request
    report = starred(kind=SubmissionKind.REPORT, decision_needed_by=None, declares_one_matter=False)
    assert "declares_report_has_no_request" in report and "decision_needed_by" not in report
    assert "disclosure_reason" in starred(disclosure=Disclosure.PARTIAL)
    assert "disclosure_reason" not in request
    assert "urgency_reason" in starred(urgency=Urgency.EXTRA_URGENT)
    assert "urgency_reason" not in starred(urgency=Urgency.EXTRA_URGENT, is_emergency=True)
    assert {"field_check", "collective_decision", "minutes"} <= starred(asks_gov_name_document=True, is_important=True)


def test_doc_checks_the_page_stars_live_and_says_what_a_choice_makes_required(world, client):
    client.force_login(world.fin_clerk)
    html = client.get(reverse("documents:create")).content.decode()
    # The choice says what it makes required (不予公开 → 理由) ...
    assert "不予公开须说明理由（第三十六条）" in html
    assert "特急重要须说明紧急原因（第六十一条）" in html
    # ... and each conditional field tells the page when it is required, so the star follows the choice.
    reason = re.search(r'<textarea[^>]*name="disclosure_reason"[^>]*>', html).group(0)
    assert "data-required-when" in reason and "partial" in reason and "none" in reason
    label = re.search(r'<label[^>]*for="id_disclosure_reason"[^>]*>.*?</label>', html, re.S).group(0)
    assert 'class="text-danger rule-star" hidden' in label  # 全文公开 by default: no reason needed yet


def test_doc_checks_a_refused_form_opens_with_a_summary_linking_to_each_field(world, client):
    client.force_login(world.fin_clerk)
    data = {**_form_data(timezone.localdate(), issue_date="2026-02-30"), "title": ""}
    r = client.post(reverse("documents:create"), data)
    assert r.status_code == 200 and not Submission.objects.exists()
    html = r.content.decode()
    start = html.index('data-testid="error-summary"')
    summary = html[start : html.index("基本信息", start)]  # the summary stands above the first field
    assert 'href="#id_title"' in summary and 'href="#id_issue_date"' in summary
    assert "已填写的内容均已保留" in summary
    assert "关于拨付专项资金的请示正文。" in html  # what was typed stays in the form


def test_doc_checks_a_refused_upload_is_named_at_the_top_and_nothing_is_saved(world, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.fin_clerk)
    data = _form_data(timezone.localdate())
    data["files"] = SimpleUploadedFile("采购清单.exe", b"MZ\x90\x00 not a document", content_type="application/pdf")
    r = client.post(reverse("documents:create"), data)
    assert r.status_code == 200 and not Submission.objects.exists()
    html = r.content.decode()
    start = html.index('data-testid="error-summary"')
    top = html[start : html.index("基本信息", start)]
    assert 'href="#id_files"' in top and "附件" in top
    assert "请重新选择" in top
    assert 'value="关于拨付防汛物资资金的请示"' in html  # the typed title is kept
