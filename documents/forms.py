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
