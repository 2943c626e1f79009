"""Forms of the website inquiries (PUB-1). They parse and validate input only; `services` decides and writes."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from supervision.shared.access import WORKING_UNIT_KINDS
from supervision.shared.forms import UnitChoiceField
from tiexi_gov.forms import TEXT_LIMIT, DateField, DateInput, FreeText, styled  # noqa: F401  (views call forms.styled)
from tiexi_gov.org.models import Unit

from .models import PublicInquiry


def working_units():
    """Units that answer inquiries and file half-year reports (not the government itself)."""
    return Unit.objects.filter(active=True, kind__in=WORKING_UNIT_KINDS).order_by("order", "id")


class InquiryForm(forms.Form):
    """登记网上咨询: the office's fields, in the order of the paper register."""

    asker = forms.CharField(label="咨询人", max_length=100)
    contact = forms.CharField(label="联系方式", max_length=100, required=False)
    channel = forms.CharField(label="渠道", max_length=40, initial="政府网站")
    received_on = DateField(label="收到日期", up_to_today=True)
    question = FreeText(label="咨询内容", max_length=TEXT_LIMIT, rows=5)
    unit = UnitChoiceField(
        label="承办单位",
        queryset=working_units(),
        required=False,
        empty_label="（暂不转办）",
        help_text="选择后立即转办，答复时限为收到之日起5个工作日（第三十八条）。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = working_units()
        self.fields["received_on"].initial = timezone.localdate()


class InquiryAssignForm(forms.Form):
    unit = UnitChoiceField(label="承办单位", queryset=working_units())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = working_units()


class InquiryAnswerForm(forms.Form):
    answer = FreeText(label="答复内容", max_length=TEXT_LIMIT, rows=5)


INQUIRY_STATES = PublicInquiry.State.choices
