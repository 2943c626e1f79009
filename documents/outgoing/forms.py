"""Forms of flow B and its plans."""

from __future__ import annotations

from django import forms
from django.db.models import Q

from documents.outgoing.models import (
    OUTGOING_RETURN_RULE,
    Issuer,
    OutgoingAttachment,
    OutgoingDocument,
    OutgoingReturnReason,
    OutgoingState,
    PlanItem,
)
from documents.shared.forms import MultipleFileField, limit_copies
from documents.submissions.models import Submission, SubmissionState
from tiexi_gov.deadlines import rules
from tiexi_gov.forms import (  # noqa: F401  (views call forms.styled)
    OPINION_LIMIT,
    TEXT_LIMIT,
    DateField,
    DateInput,
    FreeText,
    IndentedText,
    ModelMultipleChoiceField,
    Textarea,
    limit_text,
    styled,
)
from tiexi_gov.org.models import Unit
from tiexi_gov.uploads import ALLOWED_LABEL, detect_attachment

# The 发文稿纸's order (DESIGN): 发文字号 · 签发 · 会签 · 核稿 · 拟稿单位/拟稿人 · 标题 · 主送 · 抄送 · 公开属性 ·
# 印制份数 · 附件.
# 发文字号 is given at signature (only its 代字 is typed), 签发 follows from the 发文类别 (DOC-14), 核稿 is the
# office's, 拟稿单位/拟稿人 are the clerk's own; the rest are typed here, then the body and the rule fields.
OUTGOING_FORM_FIELDS = [
    "kind",
    "issuer",
    "series_prefix",
    "title",
    "main_recipients",
    "copy_to",
    "disclosure",
    "disclosure_manner",
    "disclosure_reason",
    "copies",
    "body",
    "is_joint",
    "normative",
    "touches_market",
    "case_by_case_policy",
    "affects_public",
    "plan_item",
    "approved_submission",
    "directive_to_townships",
    "mainly_government_duties",
    "not_classified",
    "confidential",
]


# What update_outgoing may change (the kind and issuer decide the signing chain and stay as created).
OUTGOING_EDIT_FIELDS = [f for f in OUTGOING_FORM_FIELDS if f not in ("kind", "issuer")]


class OutgoingForm(forms.ModelForm):
    """发文稿纸: the draft's fields in the paper form's order, the 会签 units and the 附件 files."""

    countersign_units = ModelMultipleChoiceField(
        label="会签单位",
        queryset=Unit.objects.filter(active=True).exclude(kind__in=[Unit.Kind.GOVERNMENT, Unit.Kind.EXTERNAL]),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text="涉及其他单位职权的，由其主要负责人会签；会签单位所属的分管副区长均须审核（第六十二条）。",
    )
    files = MultipleFileField(label="附件", required=False, help_text=f"可多选；只接受 {ALLOWED_LABEL}，按文件内容校验")

    class Meta:
        model = OutgoingDocument
        fields = OUTGOING_FORM_FIELDS
        field_classes = {"body": IndentedText}  # 正文 keeps its first paragraph's 　　 indentation

    def __init__(self, *args, unit=None, year=None, **kwargs):
        super().__init__(*args, **kwargs)

        editing = self.instance.pk is not None
        if editing:
            for name in ("kind", "issuer"):
                self.fields[name].disabled = True
                self.fields[name].required = False
            if not self.is_bound:
                self.initial["countersign_units"] = list(self.instance.countersign_units.values_list("pk", flat=True))
        self.fields["issuer"].required = False
        self.fields["issuer"].help_text = "留空按发文类别确定"
        self.fields["issuer"].choices = [("", "（按发文类别）"), *Issuer.choices]
        unit = unit or (self.instance.drafting_unit if editing else None)
        if unit is not None:
            self.fields["countersign_units"].queryset = self.fields["countersign_units"].queryset.exclude(pk=unit.pk)
        plan_items = PlanItem.objects.select_related("plan", "plan__unit").order_by("-plan__year", "plan", "id")
        if year:
            plan_items = plan_items.filter(plan__year__gte=year - 1)
        # DOC-15: a department's own plan is for its eyes (and the office's) only.
        plan_items = plan_items.filter(Q(plan__unit__isnull=True) | Q(plan__unit=unit))
        # A plan item is one document: those another live document answers are not offered again (DOC-15).
        # The draft's own item stays listed, so that saving it unchanged is never refused.
        taken = OutgoingDocument.objects.filter(plan_item__isnull=False).exclude(state=OutgoingState.WITHDRAWN)
        if editing:
            taken = taken.exclude(pk=self.instance.pk)
        plan_items = plan_items.filter(~Q(pk__in=taken.values("plan_item_id")) | Q(pk=self.instance.plan_item_id))
        self.fields["plan_item"].queryset = plan_items
        self.fields["plan_item"].label_from_instance = lambda item: f"{item.plan}：{item.title}"
        self.fields["approved_submission"].queryset = Submission.objects.filter(
            unit=unit, state__in=[SubmissionState.APPROVED, SubmissionState.CLOSED]
        ).order_by("-created_at")
        self.fields["not_classified"].label = "本件不涉及国家秘密（必须声明）"
        self.fields["body"].widget = Textarea(attrs={"rows": 10})
        self.fields["disclosure_reason"].widget = Textarea(attrs={"rows": 2})
        limit_text(self.fields["body"], TEXT_LIMIT)
        limit_text(self.fields["disclosure_reason"], OPINION_LIMIT)
        limit_copies(self.fields["copies"])

    def _post_clean(self):
        """No model validation here: issuance.create_outgoing / update_outgoing check the draft (and the rules)."""

    def service_fields(self) -> dict:
        """The cleaned values issuance.create_outgoing / update_outgoing take (one call saves the files too)."""
        names = OUTGOING_EDIT_FIELDS if self.instance.pk else OUTGOING_FORM_FIELDS
        data = {name: self.cleaned_data.get(name) for name in names}
        if not data.get("issuer"):
            data.pop("issuer", None)
        for name in ("plan_item", "approved_submission"):
            data[name] = data.get(name) or None
        data["countersign_units"] = list(self.cleaned_data.get("countersign_units") or [])
        data["files"] = list(self.cleaned_data.get("files") or [])
        return data


class OutgoingAttachmentForm(forms.Form):
    file = forms.FileField(label="文件", help_text=f"只接受 {ALLOWED_LABEL}")
    purpose = forms.ChoiceField(label="用途", choices=())
    title = forms.CharField(label="附件名称（附件说明中显示）", required=False, max_length=200)

    def __init__(self, *args, **kwargs):

        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = OutgoingAttachment.Purpose.choices

    def clean_file(self):
        f = self.cleaned_data["file"]
        detect_attachment(f, f.name)
        return f


class OneOffRequestForm(forms.Form):
    matter = forms.CharField(label="发文事项", max_length=200)
    reason = FreeText(label="确需发文的理由", rows=2)


class OneOffDecisionForm(forms.Form):
    approval = forms.IntegerField(widget=forms.HiddenInput)
    approve = forms.TypedChoiceField(
        label="审核结论",
        choices=[("1", "同意发文"), ("0", "不同意发文")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    opinion = FreeText(label="审核意见", rows=2)


class PartyOpinionForm(forms.Form):
    opinion = FreeText(label="区委办公室意见", rows=2)
    on_date = DateField(label="征求意见日期", up_to_today=True)


class LegalityReviewForm(forms.Form):
    """司法局's 审查要点 (第二十四条、第二十六条); the service refuses a pass that creates licensing, a penalty or
    coercion."""

    passed = forms.TypedChoiceField(
        label="审查结论",
        choices=[("1", "审查通过"), ("0", "审查不通过，退回修改")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    creates_licensing = forms.BooleanField(label="设定行政许可", required=False)
    creates_penalty = forms.BooleanField(label="设定行政处罚", required=False)
    creates_coercion = forms.BooleanField(label="设定行政强制", required=False)
    reduces_rights = forms.BooleanField(label="违法减损合法权益或增加义务", required=False)
    within_authority = forms.BooleanField(label="符合法定权限", required=False)
    procedure_complete = forms.BooleanField(label="制定程序完备", required=False)
    opinion = FreeText(label="审查意见")


class OutgoingReturnForm(forms.Form):
    reason = forms.ChoiceField(label="退回原因", choices=())
    text = FreeText(label="退回说明")

    def __init__(self, *args, **kwargs):

        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [
            (r.value, rules.plain(f"{r.label}（{OUTGOING_RETURN_RULE[r]}）") if OUTGOING_RETURN_RULE[r] else r.label)
            for r in OutgoingReturnReason
        ]


class InterpretationForm(forms.Form):
    title = forms.CharField(label="解读标题", max_length=200)
    text = FreeText(label="解读内容", max_length=TEXT_LIMIT, rows=5)


class IssueForm(forms.Form):
    printing_office = forms.CharField(label="印发机关", required=False, max_length=100, help_text="留空按发文机关")


class FilingForm(forms.Form):
    filed_with = forms.CharField(label="备案机关", max_length=100)
    filed_on = DateField(label="备案日期", widget=DateInput())
    reference = forms.CharField(label="备案号/回执", required=False, max_length=100)


class WithdrawForm(forms.Form):
    reason = FreeText(label="撤回（废止）理由", rows=2)


class PlanForm(forms.Form):
    """DOC-15: the office keeps the government's and the office's yearly plans."""

    issuer = forms.ChoiceField(label="发文机关", choices=[("government", "区政府"), ("office", "区政府办公室")])
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)


class PlanItemForm(forms.Form):
    plan = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label="拟发文件", max_length=200)
    drafting_unit = forms.ModelChoiceField(
        label="起草单位",
        required=False,
        queryset=Unit.objects.filter(active=True).exclude(kind__in=[Unit.Kind.GOVERNMENT, Unit.Kind.EXTERNAL]),
    )
    planned_month = forms.IntegerField(label="计划月份", required=False, min_value=1, max_value=12)


class UnitPlanItemForm(forms.Form):
    """DOC-15: one matter of a department's own yearly plan (the department drafts it itself)."""

    title = forms.CharField(label="拟发文件", max_length=200)
    planned_month = forms.IntegerField(label="计划月份", required=False, min_value=1, max_value=12)
