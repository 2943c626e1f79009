"""Chinese official text indents each paragraph with two full-width spaces (　　, U+3000). Django's `strip=True` and
Python's `str.strip()` took them for whitespace and dropped the first paragraph's indentation from every body,
opinion, report, decision and minutes typed into the portal. The long texts keep it now (`tiexi_gov.text.strip_text`);
a text of whitespace alone is still refused as empty, in Chinese; short one-line fields are trimmed as before."""

import pytest
from django import forms

from documents.outgoing.forms import OutgoingForm
from documents.submissions.forms import LeaderDecisionForm, SubmissionDraftForm
from meetings.minutes.forms import DecisionForm, MinutesBodyForm
from supervision.ledger.forms import ReportForm
from tiexi_gov.forms import FreeText, IndentedText
from tiexi_gov.text import strip_text

pytestmark = pytest.mark.django_db

INDENTED = "　　经区政府研究，同意实施。\n　　请财政局抓好落实。"


def test_text_strip_text_keeps_the_first_paragraphs_full_width_indentation():
    assert strip_text(f"\r\n \n{INDENTED}  \n\u3000\n") == INDENTED
    assert strip_text(f"  {INDENTED}") == INDENTED  # ASCII blanks before it go, the 　　 stay
    assert strip_text(" \u3000\u3000 \n\t") == ""
    assert strip_text(None) == ""


@pytest.mark.parametrize(
    ("form_class", "name"),
    [
        (MinutesBodyForm, "body"),  # 纪要正文
        (DecisionForm, "text"),  # 会议决定
        (ReportForm, "done"),  # 进展报告
        (LeaderDecisionForm, "opinion"),  # 批示意见
    ],
)
def test_text_long_fields_keep_leading_full_width_spaces(form_class, name):
    field = form_class.base_fields[name]
    assert field.clean(f"\n{INDENTED}\n") == INDENTED


@pytest.mark.parametrize(("form_class", "name"), [(OutgoingForm, "body"), (SubmissionDraftForm, "body")])
def test_text_document_body_keeps_leading_full_width_spaces(form_class, name):
    field = form_class.base_fields[name]
    assert isinstance(field, IndentedText)
    assert field.clean(f"{INDENTED}\n\n") == INDENTED


def test_text_an_all_whitespace_required_text_is_refused_in_chinese():
    field = DecisionForm.base_fields["text"]
    with pytest.raises(forms.ValidationError) as refused:
        field.clean("\u3000\u3000\n  \u3000")
    assert refused.value.messages == ["该字段是必填项。"]
    assert FreeText(required=False).clean("\u3000 \n") == ""


def test_text_one_line_fields_are_trimmed_as_before():
    one_line = FreeText(max_length=200, widget=forms.TextInput, required=False)
    assert one_line.clean("\u3000\u3000商定延期至月底\u3000") == "商定延期至月底"
    assert forms.CharField().clean("\u3000\u3000标题") == "标题"  # titles: Django's own field, unchanged
