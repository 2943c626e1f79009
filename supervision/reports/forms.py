"""Forms of the half-year reports (SUP-2). They parse and validate input only; `services` decides and writes."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from supervision.shared.forms import MultipleFileField
from tiexi_gov.forms import TEXT_LIMIT, DateField, DateInput, FreeText, styled  # noqa: F401  (views call forms.styled)

from .models import HalfYearReport


class HalfYearRoundForm(forms.Form):
    """The office opens a half-year round: one row and one deadline per working unit."""

    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    half = forms.TypedChoiceField(label="半年", choices=[(1, "上半年"), (2, "下半年")], coerce=int)
    due = DateField(
        label="报送截止",
        required=False,
        widget=DateInput(),
        help_text="不填则为半年结束后第10个工作日。",
    )


class HalfYearFileForm(forms.Form):
    """SUP-2 (第四十九条): the report goes to the higher-level counterpart, a copy is filed with the office."""

    counterpart = forms.CharField(
        label="上级对口部门",
        max_length=100,
        help_text="如：四平市财政局。报告报送上级对口部门，同时抄报区政府办公室备案。",
    )
    sent_on = DateField(label="报送上级对口部门日期", up_to_today=True)
    summary = FreeText(label="报告摘要", max_length=TEXT_LIMIT, rows=6)
    files = MultipleFileField(label="报告文件")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sent_on"].initial = timezone.localdate()


HALF_YEAR_STATES = [
    (HalfYearReport.State.PENDING.value, "待报送"),
    ("overdue", "逾期未报"),
    (HalfYearReport.State.FILED.value, "已备案"),
]
