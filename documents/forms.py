"""Forms of flow A. They parse and validate input only; services decide and write."""

from __future__ import annotations

from django import forms

from tiexi_gov.org.models import Post, Unit

from .models import Attachment, ConsultationRequest, Instruction, ReturnReason, Submission
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
    "declares_report_has_no_request",
    "asks_gov_name_document",
    "is_important",
    "field_check",
    "collective_decision",
    "copies",
    "body",
    "not_classified",
    "confidential",
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
        for name in ("kind", "urgency", "disclosure", "disclosure_manner"):
            self.fields[name].widget.attrs.setdefault("class", "form-select")

    def clean_minutes(self):
        f = self.cleaned_data.get("minutes")
        if f:
            detect_attachment(f, f.name)
        return f

    def draft_fields(self) -> dict:
        """The cleaned values services.create_draft / update_draft take."""
        return {name: self.cleaned_data[name] for name in DRAFT_FORM_FIELDS if name in self.cleaned_data}


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


def styled(form):
    """Bootstrap classes on a form's widgets (the project has no form-rendering library)."""
    errors = form.errors if form.is_bound else {}
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        if name in errors:
            css += " is-invalid"
        widget.attrs["class"] = css
    return form
