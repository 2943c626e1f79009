"""Forms of flow A. They parse and validate input only; services decide and write."""

from __future__ import annotations

from django import forms
from django.db.models import Q

from tiexi_gov.forms import styled  # noqa: F401  (views call forms.styled)
from tiexi_gov.org.models import Post, Unit, User

from .models import Attachment, ConsultationRequest, Instruction, OutgoingDocument, ReturnReason, Submission
from .validators import ALLOWED_LABEL, detect_attachment

DRAFT_FORM_FIELDS = [
    "kind",
    "title",
    "unit_doc_number",
    "urgency",
    "urgency_reason",
    "is_emergency",
    "disclosure",
    "disclosure_manner",
    "disclosure_reason",
    "issue_date",
    "late_reason",
    "decision_needed_by",
    "declares_one_matter",
    "for_meeting",
    "declares_report_has_no_request",
    "asks_gov_name_document",
    "is_important",
    "field_check",
    "collective_decision",
    "copies",
    "body",
    "not_classified",
    "confidential",
    "normative",
    "touches_market",
    "affects_public",
    "will_be_published",
]


class SubmissionDraftForm(forms.ModelForm):
    class Meta:
        model = Submission
        fields = DRAFT_FORM_FIELDS
        widgets = {
            "issue_date": forms.DateInput(attrs={"type": "date"}),
            "decision_needed_by": forms.DateInput(attrs={"type": "date"}),
            "body": forms.Textarea(attrs={"rows": 8}),
            "urgency_reason": forms.Textarea(attrs={"rows": 2}),
            "disclosure_reason": forms.Textarea(attrs={"rows": 2}),
            "field_check": forms.Textarea(attrs={"rows": 3}),
            "late_reason": forms.Textarea(attrs={"rows": 2}),
        }


class AttachmentForm(forms.Form):
    file = forms.FileField(label="文件", help_text=f"只接受 {ALLOWED_LABEL}")
    purpose = forms.ChoiceField(label="用途", choices=Attachment.Purpose.choices, initial=Attachment.Purpose.ATTACHMENT)

    def clean_file(self):
        f = self.cleaned_data["file"]
        detect_attachment(f, f.name)
        return f


class ConsultationRequestForm(forms.Form):
    units = forms.ModelMultipleChoiceField(label="征求意见单位", queryset=Unit.objects.filter(active=True))
    limit_wd = forms.IntegerField(label="回复时限（工作日）", min_value=1, max_value=60, initial=5)


class ConsultationReplyForm(forms.Form):
    reply = forms.ChoiceField(
        label="回复意见",
        choices=[
            (c.value, c.label) for c in ConsultationRequest.Reply if c != ConsultationRequest.Reply.DEEMED_NO_OBJECTION
        ],
        widget=forms.RadioSelect,
    )
    text = forms.CharField(label="意见内容/理由", required=False, widget=forms.Textarea(attrs={"rows": 4}))


class ReturnForm(forms.Form):
    reason = forms.ChoiceField(
        label="退回原因", choices=[c for c in ReturnReason.choices if c[0] != ReturnReason.LEADER_RETURN]
    )
    text = forms.CharField(label="退回说明", widget=forms.Textarea(attrs={"rows": 3}))


class OpinionForm(forms.Form):
    opinion = forms.CharField(label="意见", widget=forms.Textarea(attrs={"rows": 3}))


class LeaderDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="批示",
        choices=[(c.value, c.label) for c in Instruction.Decision if c != Instruction.Decision.REVIEWED],
        widget=forms.RadioSelect,
    )
    opinion = forms.CharField(label="批示意见", widget=forms.Textarea(attrs={"rows": 3}))
    to_post = forms.ModelChoiceField(
        label="转批领导", required=False, queryset=Post.objects.filter(kind__in=Post.LEADER_KINDS)
    )


# --- page forms (additive) -----------------------------------------------------------------------------

DATE_INPUT = {"type": "date"}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by content against the allowlist (X-2)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            files = [single(d, initial) for d in data if d]
        else:
            files = [single(data, initial)] if data else []
        for f in files:
            detect_attachment(f, f.name)
        return files


class SubmissionForm(SubmissionDraftForm):
    """The clerk's drafting form: the draft fields plus touched units and the files that go with it."""

    touched_units = forms.ModelMultipleChoiceField(
        label="涉及职权的相关单位（保存后征求意见）",
        queryset=Unit.objects.filter(active=True).exclude(kind__in=[Unit.Kind.GOVERNMENT, Unit.Kind.EXTERNAL]),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text="第六十条：涉及其他单位职权的，须书面征求其意见（DOC-6）。",
    )
    files = MultipleFileField(label="附件", required=False, help_text=f"可多选；只接受 {ALLOWED_LABEL}，按文件内容校验")
    minutes = forms.FileField(label="集体讨论会议纪要", required=False, help_text="重要事项须附（DOC-4）")

    class Meta(SubmissionDraftForm.Meta):
        pass

    def __init__(self, *args, unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        if unit is not None:
            self.fields["touched_units"].queryset = self.fields["touched_units"].queryset.exclude(pk=unit.pk)
        self.fields["not_classified"].label = "本件不涉及国家秘密（必须声明）"
        self._initial_touched()
        for name in ("kind", "urgency", "disclosure", "disclosure_manner"):
            self.fields[name].widget.attrs.setdefault("class", "form-select")

    def clean_minutes(self):
        f = self.cleaned_data.get("minutes")
        if f:
            detect_attachment(f, f.name)
        return f

    def _initial_touched(self):
        if self.instance.pk and not self.is_bound:
            self.initial["touched_units"] = list(self.instance.touched_units.values_list("pk", flat=True))

    def draft_fields(self) -> dict:
        """The cleaned values services.create_draft / update_draft take: the draft's fields, the touched units
        (DOC-6), the files and the DOC-4 minutes — one service call saves them all."""
        fields = {name: self.cleaned_data[name] for name in DRAFT_FORM_FIELDS if name in self.cleaned_data}
        fields["touched_units"] = list(self.cleaned_data.get("touched_units") or [])
        fields["files"] = list(self.cleaned_data.get("files") or [])
        fields["minutes"] = self.cleaned_data.get("minutes") or None
        return fields


class ConfirmForm(forms.Form):
    """An action without input (送签发, 报送, 登记, 呈批...): only the confirmation."""


class ReplyForm(ConsultationReplyForm):
    consultation = forms.IntegerField(widget=forms.HiddenInput)


class ExtensionForm(forms.Form):
    consultation = forms.IntegerField(label="征求意见", widget=forms.HiddenInput)
    new_due = forms.DateField(label="商定的新截止日", widget=forms.DateInput(attrs=DATE_INPUT))
    note = forms.CharField(label="商定情况（时限及方式）", required=False, max_length=200)


class StatementForm(forms.Form):
    talks_note = forms.CharField(label="主要负责人沟通协商情况", widget=forms.Textarea(attrs={"rows": 2}))
    lead_reasons = forms.CharField(label="主办单位理据", widget=forms.Textarea(attrs={"rows": 2}))
    other_reasons = forms.CharField(label="相关单位理据", widget=forms.Textarea(attrs={"rows": 2}))
    proposal = forms.CharField(label="办理建议", widget=forms.Textarea(attrs={"rows": 2}))


class CountersignForm(forms.Form):
    statement = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label="会签意见", required=False, max_length=200)


class SignForm(forms.Form):
    issue_date = forms.DateField(
        label="印发日期", required=False, widget=forms.DateInput(attrs=DATE_INPUT), help_text="留空则为今天"
    )
    opinion = forms.CharField(label="签发意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SendToLeadersForm(forms.Form):
    mode = forms.ChoiceField(
        label="方式",
        choices=[("serial", "串联（依次批示）"), ("parallel", "并联（同时批示）")],
        widget=forms.RadioSelect,
        initial="parallel",
    )
    posts = forms.ModelMultipleChoiceField(
        label="领导（串联按列表顺序）",
        queryset=Post.objects.filter(kind__in=Post.LEADER_KINDS).order_by("kind", "order", "id"),
        widget=forms.CheckboxSelectMultiple,
    )


class NotifyUnitsForm(forms.Form):
    units = forms.ModelMultipleChoiceField(
        label="通知单位",
        queryset=Unit.objects.filter(active=True).exclude(kind__in=[Unit.Kind.GOVERNMENT, Unit.Kind.EXTERNAL]),
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    text = forms.CharField(label="通知内容", widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(forms.Form):
    result = forms.CharField(
        label="办理结果", required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="留空则记为批示结果"
    )


class DecisionForm(LeaderDecisionForm):
    """批示 on the item page and in the queue: one form, the decision chosen by the button pressed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].initial = Instruction.Decision.APPROVE
        self.fields["to_post"].queryset = self.fields["to_post"].queryset.order_by("kind", "order", "id")

    def clean(self):
        data = super().clean()
        if data.get("decision") == Instruction.Decision.PASS and not data.get("to_post"):
            self.add_error("to_post", "转其他领导核批时，请选择领导。")
        return data


# =====================================================================================================
# Flow B — 发文 (a document issued in the government's or the office's name)
# =====================================================================================================

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

    countersign_units = forms.ModelMultipleChoiceField(
        label="会签单位",
        queryset=Unit.objects.filter(active=True).exclude(kind__in=[Unit.Kind.GOVERNMENT, Unit.Kind.EXTERNAL]),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text="涉及其他单位职权的，由其主要负责人会签；会签单位所属的分管副区长均须审核（DOC-14）。",
    )
    files = MultipleFileField(label="附件", required=False, help_text=f"可多选；只接受 {ALLOWED_LABEL}，按文件内容校验")

    class Meta:
        model = OutgoingDocument
        fields = OUTGOING_FORM_FIELDS

    def __init__(self, *args, unit=None, year=None, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import Issuer, PlanItem, Submission, SubmissionState

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
        self.fields["plan_item"].queryset = plan_items
        self.fields["plan_item"].label_from_instance = lambda item: f"{item.plan}：{item.title}"
        self.fields["approved_submission"].queryset = Submission.objects.filter(
            unit=unit, state__in=[SubmissionState.APPROVED, SubmissionState.CLOSED]
        ).order_by("-created_at")
        self.fields["not_classified"].label = "本件不涉及国家秘密（必须声明）"
        self.fields["body"].widget = forms.Textarea(attrs={"rows": 10})
        self.fields["disclosure_reason"].widget = forms.Textarea(attrs={"rows": 2})

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
        from .models import OutgoingAttachment

        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = OutgoingAttachment.Purpose.choices

    def clean_file(self):
        f = self.cleaned_data["file"]
        detect_attachment(f, f.name)
        return f


class ChecklistForm(forms.Form):
    """DOC-8: one step done with its evidence, or not done with the specific reason."""

    step = forms.ChoiceField(label="程序", choices=())
    done = forms.TypedChoiceField(
        label="履行情况",
        choices=[("1", "已履行"), ("0", "不履行（说明理由）")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    evidence = forms.CharField(label="履行情况及依据", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label="不履行的具体理由", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, steps=None, **kwargs):
        from .models import NormativeStep

        super().__init__(*args, **kwargs)
        self.fields["step"].choices = [(s, NormativeStep(s).label) for s in (steps or NormativeStep.values)]


class SubmissionChecklistForm(ChecklistForm):
    """DOC-8 on a unit's request for a normative document: the evidence may also be a file, uploaded with the step."""

    evidence_file = forms.FileField(label="证明材料", required=False, help_text=f"可选；只接受 {ALLOWED_LABEL}")

    def clean_evidence_file(self):
        f = self.cleaned_data.get("evidence_file")
        if f:
            detect_attachment(f, f.name)
        return f


class OneOffRequestForm(forms.Form):
    matter = forms.CharField(label="发文事项", max_length=200)
    reason = forms.CharField(label="确需发文的理由", widget=forms.Textarea(attrs={"rows": 2}))


class OneOffDecisionForm(forms.Form):
    approval = forms.IntegerField(widget=forms.HiddenInput)
    approve = forms.TypedChoiceField(
        label="审核结论",
        choices=[("1", "同意发文"), ("0", "不同意发文")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    opinion = forms.CharField(label="审核意见", widget=forms.Textarea(attrs={"rows": 2}))


class PartyOpinionForm(forms.Form):
    opinion = forms.CharField(label="区委办公室意见", widget=forms.Textarea(attrs={"rows": 2}))
    on_date = forms.DateField(label="征求意见日期", widget=forms.DateInput(attrs=DATE_INPUT))


class OptionalOpinionForm(forms.Form):
    opinion = forms.CharField(label="意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


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
    opinion = forms.CharField(label="审查意见", widget=forms.Textarea(attrs={"rows": 3}))


class OutgoingReturnForm(forms.Form):
    reason = forms.ChoiceField(label="退回原因", choices=())
    text = forms.CharField(label="退回说明", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        from .models import OUTGOING_RETURN_RULE, OutgoingReturnReason

        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [
            (r.value, f"{r.label}（{OUTGOING_RETURN_RULE[r]}）" if OUTGOING_RETURN_RULE[r] else r.label)
            for r in OutgoingReturnReason
        ]


class InterpretationForm(forms.Form):
    title = forms.CharField(label="解读标题", max_length=200)
    text = forms.CharField(label="解读内容", widget=forms.Textarea(attrs={"rows": 5}))


class IssueForm(forms.Form):
    printing_office = forms.CharField(label="印发机关", required=False, max_length=100, help_text="留空按发文机关")


class FilingForm(forms.Form):
    filed_with = forms.CharField(label="备案机关", max_length=100)
    filed_on = forms.DateField(label="备案日期", widget=forms.DateInput(attrs=DATE_INPUT))
    reference = forms.CharField(label="备案号/回执", required=False, max_length=100)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="撤回（废止）理由", widget=forms.Textarea(attrs={"rows": 2}))


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


class BriefingReturnForm(forms.Form):
    text = forms.CharField(label="退回说明", widget=forms.Textarea(attrs={"rows": 2}))


class ReaderForm(forms.Form):
    """X-2: name (or take off) a reader of a confidential item — any active user, listed by unit."""

    user = forms.ModelChoiceField(
        label="阅读人",
        queryset=User.objects.filter(is_active=True).select_related("unit").order_by("unit__code", "username"),
    )

    def __init__(self, *args, active_only: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not active_only:  # a reader who has since left can still be taken off
            self.fields["user"].queryset = User.objects.all()
        self.fields["user"].label_from_instance = lambda u: f"{u.unit.display_name if u.unit_id else ''} {u}".strip()


class UnitPlanItemForm(forms.Form):
    """DOC-15: one matter of a department's own yearly plan (the department drafts it itself)."""

    title = forms.CharField(label="拟发文件", max_length=200)
    planned_month = forms.IntegerField(label="计划月份", required=False, min_value=1, max_value=12)
