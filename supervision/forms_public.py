"""Forms of the public side of supervision: inquiries (PUB-1), half-year reports (SUP-2), outcomes (SUP-4).

They parse and validate input only; `supervision.services` decides and writes.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone

from documents.validators import ALLOWED_LABEL, detect_attachment
from tiexi_gov.forms import styled  # noqa: F401  (views call forms.styled)
from tiexi_gov.org.models import Post, Unit

from .models import HalfYearReport, Outcome, PublicInquiry
from .services import HALF_YEAR_UNIT_KINDS


def working_units():
    """Units that answer inquiries and file half-year reports (not the government itself)."""
    return Unit.objects.filter(active=True, kind__in=HALF_YEAR_UNIT_KINDS).order_by("order", "id")


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.display_name


class PostChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Post) -> str:
        return obj.title


# --- PUB-1 public inquiries --------------------------------------------------------------------------------


class InquiryForm(forms.Form):
    """登记网上咨询: the office's fields, in the order of the paper register."""

    asker = forms.CharField(label="咨询人", max_length=100)
    contact = forms.CharField(label="联系方式", max_length=100, required=False)
    channel = forms.CharField(label="渠道", max_length=40, initial="政府网站")
    received_on = forms.DateField(label="收到日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    question = forms.CharField(label="咨询内容", widget=forms.Textarea(attrs={"rows": 5}))
    unit = UnitChoiceField(
        label="承办单位",
        queryset=working_units(),
        required=False,
        empty_label="（暂不转办）",
        help_text="选择后立即转办，答复时限为收到之日起5个工作日（PUB-1）。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = working_units()
        self.fields["received_on"].initial = timezone.localdate()

    def clean_received_on(self):
        day = self.cleaned_data["received_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("收到日期不能晚于今天。")
        return day


class InquiryAssignForm(forms.Form):
    unit = UnitChoiceField(label="承办单位", queryset=working_units())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = working_units()


class InquiryAnswerForm(forms.Form):
    answer = forms.CharField(label="答复内容", widget=forms.Textarea(attrs={"rows": 5}))


INQUIRY_STATES = PublicInquiry.State.choices


# --- SUP-2 half-year reports ---------------------------------------------------------------------------------


class HalfYearRoundForm(forms.Form):
    """The office opens a half-year round: one row and one deadline per working unit."""

    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    half = forms.TypedChoiceField(label="半年", choices=[(1, "上半年"), (2, "下半年")], coerce=int)
    due = forms.DateField(
        label="报送截止",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="不填则为半年结束后第10个工作日。",
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class HalfYearFileForm(forms.Form):
    """SUP-2 (第四十九条): the report goes to the higher-level counterpart, a copy is filed with the office."""

    counterpart = forms.CharField(
        label="上级对口部门",
        max_length=100,
        help_text="如：四平市财政局。报告报送上级对口部门，同时抄报区政府办公室备案。",
    )
    sent_on = forms.DateField(
        label="报送上级对口部门日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    summary = forms.CharField(label="报告摘要", widget=forms.Textarea(attrs={"rows": 6}))
    files = MultipleFileField(label="报告文件", required=False, help_text=f"可多选；只接受 {ALLOWED_LABEL}")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sent_on"].initial = timezone.localdate()

    def clean_sent_on(self):
        day = self.cleaned_data["sent_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("报送日期不能晚于今天。")
        return day

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        for f in files:
            detect_attachment(f, f.name)
        return files


HALF_YEAR_STATES = [
    (HalfYearReport.State.PENDING.value, "待报送"),
    ("overdue", "逾期未报"),
    (HalfYearReport.State.FILED.value, "已备案"),
]


# --- SUP-4 outcomes --------------------------------------------------------------------------------------


class OutcomeForm(forms.Form):
    kind = forms.ChoiceField(label="结果运用", choices=Outcome.OutcomeKind.choices, widget=forms.RadioSelect)
    unit = UnitChoiceField(label="对象单位", queryset=Unit.objects.none())
    grounds = forms.CharField(
        label="事实与依据", widget=forms.Textarea(attrs={"rows": 5}), help_text="写明复查核验结论或超期事实。"
    )
    approver_post = PostChoiceField(label="审批领导", queryset=Post.objects.none())

    def __init__(self, *args, item, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("unit", item.lead_unit_id)
        kwargs["initial"].setdefault("approver_post", item.leader_post_id)
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(active=True).order_by("order", "id")
        self.fields["approver_post"].queryset = Post.objects.filter(kind__in=Post.LEADER_KINDS).order_by("order", "id")


class OutcomeDecideForm(forms.Form):
    decision = forms.ChoiceField(
        label="审批决定", choices=[("approve", "批准"), ("reject", "不予批准")], widget=forms.RadioSelect
    )
    opinion = forms.CharField(
        label="审批意见", required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="不予批准须写明理由。"
    )
    confirm = forms.BooleanField(
        label="我已核对事实与依据，确认作出上述决定（决定后不可撤回）",
        error_messages={"required": "请勾选确认后再提交。"},
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("opinion") or "").strip():
            self.add_error("opinion", "不予批准须写明理由。")
        return data

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == "approve"
