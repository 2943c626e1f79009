"""Forms of flow A."""

from __future__ import annotations

import json

from django import forms
from django.utils import timezone

from documents.shared.forms import ChecklistForm, MultipleFileField, limit_copies
from documents.submissions.models import Attachment, ConsultationRequest, Instruction, ReturnReason, Submission
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
    too_long_message,
)
from tiexi_gov.org.models import Post, Unit
from tiexi_gov.org.selectors import handlers_for_posts, post_with_holder
from tiexi_gov.uploads import ALLOWED_LABEL, detect_attachment
from tiexi_gov.workdays import calendar as wd

from .checks import consultable_units, is_late, submit_by

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
    "case_by_case_policy",
    "affects_public",
    "will_be_published",
]


# What the kind of document and the drafter's choices make required before 送签 (documents.submissions.checks
# holds the rules; this is their face on the form): field → {other field: values that make it required}.
# An empty condition means always. Checkboxes count as "on" when ticked.
RULE_REQUIRED: dict[str, dict[str, list[str]]] = {
    "title": {},
    "disclosure": {},
    "not_classified": {},
    "decision_needed_by": {"kind": ["request"]},
    "declares_one_matter": {"kind": ["request"]},
    "declares_report_has_no_request": {"kind": ["report"]},
    "urgency_reason": {"urgency": ["extra_urgent", "critical"], "is_emergency": [""]},
    "disclosure_reason": {"disclosure": ["partial", "none"]},
    "disclosure_manner": {"disclosure": ["full", "partial"]},
    "field_check": {"asks_gov_name_document": ["on"]},
    "collective_decision": {"asks_gov_name_document": ["on"], "is_important": ["on"]},
    "minutes": {"asks_gov_name_document": ["on"], "is_important": ["on"]},
}

# Next to a choice: what it makes required.
CHOICE_HELP = {
    "kind": "请示须写明需决策日期、声明一文一事；报告须声明不夹带请示事项（第六十条、第六十一条）。",
    "urgency": "一般事项须预留不少于10个工作日、加急5个工作日的决策时间；特急、特急重要须说明紧急原因（第六十一条）。",
    "disclosure": "全文公开、部分公开须选公开方式；部分公开、不予公开须说明理由（第三十六条）。",
    "asks_gov_name_document": (
        "勾选后须说明实地考察和核实情况；属重要事项的，还须写明集体讨论会议并附会议纪要（第六十条）。"
    ),
    "is_important": "与“申请以区政府名义发文”同时勾选时，须写明集体讨论会议并附会议纪要（第六十条）。",
    "issue_date": "可在签发时填写，留空则为签发当天；印发后3个工作日内报送（第六十条）。",
}


class SubmissionDraftForm(forms.ModelForm):
    class Meta:
        model = Submission
        fields = DRAFT_FORM_FIELDS
        widgets = {
            "issue_date": DateInput(),
            "decision_needed_by": DateInput(),
            "body": Textarea(attrs={"rows": 8}),
            "urgency_reason": Textarea(attrs={"rows": 2}),
            "disclosure_reason": Textarea(attrs={"rows": 2}),
            "field_check": Textarea(attrs={"rows": 3}),
            "late_reason": Textarea(attrs={"rows": 2}),
        }
        # 正文 keeps its first paragraph's 　　 indentation
        field_classes = {"issue_date": DateField, "decision_needed_by": DateField, "body": IndentedText}

    TEXT_LIMITS = {
        "body": TEXT_LIMIT,
        "field_check": TEXT_LIMIT,
        "urgency_reason": OPINION_LIMIT,
        "disclosure_reason": OPINION_LIMIT,
        "late_reason": OPINION_LIMIT,
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, limit in self.TEXT_LIMITS.items():
            if name in self.fields:
                limit_text(self.fields[name], limit)
        for field in self.fields.values():  # 标题, 来文字号: over the limit, the error names the field as the others do
            if isinstance(field, forms.CharField) and field.max_length:
                field.error_messages["max_length"] = too_long_message(field.label, field.max_length)
        for name, text in CHOICE_HELP.items():
            if name in self.fields:
                self.fields[name].help_text = text
        if "copies" in self.fields:
            limit_copies(self.fields["copies"])
        self.rule_required = {name for name in RULE_REQUIRED if name in self.fields}
        for name in self.rule_required:
            self.fields[name].widget.attrs["data-required-when"] = json.dumps(RULE_REQUIRED[name])

    def _current(self, name: str) -> str:
        """The value a condition reads: what was posted, else what is saved ("on"/"" for a checkbox)."""
        if self.is_bound:
            return self.data.get(self.add_prefix(name), "") or ""
        value = self.initial.get(name, getattr(self.instance, name, ""))
        if isinstance(value, bool):
            return "on" if value else ""
        return str(value or "")

    @property
    def starred(self) -> set[str]:
        """The fields required now, for the kind and the choices as they stand (the page updates it live)."""
        return {
            name
            for name in self.rule_required
            if all(self._current(other) in values for other, values in RULE_REQUIRED[name].items())
        }


class AttachmentForm(forms.Form):
    file = forms.FileField(label="文件", help_text=f"只接受 {ALLOWED_LABEL}")
    purpose = forms.ChoiceField(label="用途", choices=Attachment.Purpose.choices, initial=Attachment.Purpose.ATTACHMENT)

    def clean_file(self):
        f = self.cleaned_data["file"]
        detect_attachment(f, f.name)
        return f


class ConsultationRequestForm(forms.Form):
    units = ModelMultipleChoiceField(label="征求意见单位", queryset=consultable_units())
    limit_wd = forms.IntegerField(label="回复时限（工作日）", min_value=1, max_value=60, initial=5)

    def __init__(self, *args, submission=None, **kwargs):
        super().__init__(*args, **kwargs)
        if submission is not None:  # the requesting unit is not offered: it cannot consult itself
            self.fields["units"].queryset = consultable_units(submission)


class ConsultationReplyForm(forms.Form):
    reply = forms.ChoiceField(
        label="回复意见",
        choices=[
            (c.value, c.label) for c in ConsultationRequest.Reply if c != ConsultationRequest.Reply.DEEMED_NO_OBJECTION
        ],
        widget=forms.RadioSelect,
    )
    text = FreeText(label="意见内容/理由", required=False, rows=4)


class ReturnForm(forms.Form):
    reason = forms.ChoiceField(
        label="退回原因", choices=[c for c in ReturnReason.choices if c[0] != ReturnReason.LEADER_RETURN]
    )
    text = FreeText(label="退回说明")


class LeaderDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="批示",
        choices=[(c.value, c.label) for c in Instruction.Decision if c != Instruction.Decision.REVIEWED],
        widget=forms.RadioSelect,
    )
    opinion = FreeText(label="批示意见")
    to_post = forms.ModelChoiceField(
        label="转批领导", required=False, queryset=Post.objects.filter(kind__in=Post.LEADER_KINDS)
    )


class SubmissionForm(SubmissionDraftForm):
    """The clerk's drafting form: the draft fields plus touched units and the files that go with it."""

    touched_units = ModelMultipleChoiceField(
        label="涉及职权的相关单位（保存后征求意见）",
        queryset=consultable_units(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text="第六十条：涉及其他单位职权的，须书面征求其意见。",
    )
    files = MultipleFileField(label="附件", required=False, help_text=f"可多选；只接受 {ALLOWED_LABEL}，按文件内容校验")
    minutes = forms.FileField(label="集体讨论会议纪要", required=False, help_text="重要事项须附（第六十条）")

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


class ReplyForm(ConsultationReplyForm):
    consultation = forms.IntegerField(widget=forms.HiddenInput)


class ExtensionForm(forms.Form):
    """DOC-7 登记商定延期: the agreed day is later than the consultation's limit and no later than the working-day
    calendar can count (workdays.known_until) — 2099-12-31 is a typing slip, and counted it alerted the calendar
    administrators about every year up to it. Both are said on the date box, before the service is asked."""

    consultation = forms.IntegerField(label="征求意见", widget=forms.HiddenInput)
    new_due = DateField(label="商定的新截止日", widget=DateInput())
    note = FreeText(label="商定情况（时限及方式）", required=False, max_length=200, widget=forms.TextInput)

    def __init__(self, *args, submission: Submission | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.submission = submission
        self.last_day = wd.known_until(timezone.localdate())
        self.fields["new_due"].widget.attrs["max"] = self.last_day.isoformat()

    def clean_new_due(self):
        day = self.cleaned_data["new_due"]
        if day > self.last_day:
            raise forms.ValidationError(
                f"商定的新截止日不能晚于{self.last_day:%Y-%m-%d}：工作日历只到{self.last_day.year}年，"
                "回复时限按工作日计算（第六十条）。",
                code="beyond_calendar",
            )
        return day

    def clean(self):
        data = super().clean()
        day, pk = data.get("new_due"), data.get("consultation")
        if self.submission is None or day is None or pk is None:
            return data
        req = next((c for c in self.submission.consultations.all() if c.pk == pk), None)
        if req is None or req.state != ConsultationRequest.State.OPEN:
            return data
        if day == req.extended_due:  # the form posted again (a double click, Back and 登记): it stands so already
            self.add_error("new_due", f"已登记{req.unit.display_name}的回复时限延至{day:%Y-%m-%d}，无需重复登记。")
        elif day <= req.effective_due:
            self.add_error("new_due", f"商定的新截止日须晚于原截止日{req.effective_due:%Y-%m-%d}（第六十条）。")
        return data


class StatementForm(forms.Form):
    talks_note = FreeText(label="主要负责人沟通协商情况", rows=2)
    lead_reasons = FreeText(label="主办单位理据", rows=2)
    other_reasons = FreeText(label="相关单位理据", rows=2)
    proposal = FreeText(label="办理建议", rows=2)


class CountersignForm(forms.Form):
    statement = forms.IntegerField(widget=forms.HiddenInput)
    note = FreeText(label="会签意见", required=False, max_length=200, widget=forms.TextInput)


class SubmitForm(forms.Form):
    """报送: nothing to fill in, except the written reason when the submission goes more than 3 working days after
    its issue (第六十条: 无特殊情况3个工作日内报送). The reason belongs to the act of sending, so it is written here,
    not by taking the signed submission back to its drafting form."""

    late_reason = FreeText(label="逾期报送的特殊情况说明", required=False, rows=2)

    def __init__(self, *args, submission: Submission, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        if not is_late(submission, today):
            del self.fields["late_reason"]
            return
        field = self.fields["late_reason"]
        field.help_text = (
            f"印发日期{submission.issue_date:%Y-%m-%d}，应于{submit_by(submission):%Y-%m-%d}前报送；"
            "确有特殊情况的，请说明（第六十条）。"
        )
        if not self.is_bound and submission.late_reason:
            self.initial.setdefault("late_reason", submission.late_reason)


class SignForm(forms.Form):
    issue_date = DateField(label="印发日期", required=False, up_to_today=True, help_text="留空则为今天")
    opinion = FreeText(label="签发意见", required=False, rows=2)


class LeaderLabels:
    """A district leader's post named with who holds it today, or who acts for them: four posts are all 副区长."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._handlers = None

    def __deepcopy__(self, memo):
        field = super().__deepcopy__(memo)
        field._handlers = None  # each form reads who holds the posts on its own day
        return field

    def label_from_instance(self, post: Post) -> str:
        if self._handlers is None:  # once a form, when its choices are drawn (the queue's rows never draw them)
            self._handlers = handlers_for_posts(list(self.queryset), timezone.localdate())
        return post_with_holder(post, self._handlers.get(post.pk))


class LeaderChoiceField(LeaderLabels, forms.ModelChoiceField):
    """One district leader, named with who holds the post today (转批)."""


class LeaderMultipleChoiceField(LeaderLabels, ModelMultipleChoiceField):
    """Several district leaders, each named with who holds the post today (串并联分送)."""


class SendToLeadersForm(forms.Form):
    mode = forms.ChoiceField(
        label="方式",
        choices=[("serial", "串联（依次批示）"), ("parallel", "并联（同时批示）")],
        widget=forms.RadioSelect,
        initial="parallel",
    )
    posts = LeaderMultipleChoiceField(
        label="领导（串联按列表顺序）",
        queryset=Post.objects.filter(kind__in=Post.LEADER_KINDS).order_by("kind", "order", "id"),
        widget=forms.CheckboxSelectMultiple,
    )


class NotifyUnitsForm(forms.Form):
    units = ModelMultipleChoiceField(
        label="通知单位",
        queryset=Unit.objects.filter(active=True).exclude(kind__in=[Unit.Kind.GOVERNMENT, Unit.Kind.EXTERNAL]),
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    text = FreeText(label="通知内容", rows=2)


class CloseForm(forms.Form):
    result = FreeText(label="办理结果", required=False, rows=2, help_text="留空则记为批示结果")


class DecisionForm(LeaderDecisionForm):
    """批示 on the item page and in the queue: one form, the decision chosen by the button pressed. 转批 offers the
    other leaders by name (`deciding_posts`: the posts the deciding leader handles, which it cannot pass to)."""

    to_post = LeaderChoiceField(
        label="转批领导", required=False, queryset=Post.objects.filter(kind__in=Post.LEADER_KINDS)
    )

    def __init__(self, *args, deciding_posts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].initial = Instruction.Decision.APPROVE
        self.fields["to_post"].queryset = (
            self.fields["to_post"].queryset.exclude(pk__in=list(deciding_posts)).order_by("kind", "order", "id")
        )

    def clean(self):
        data = super().clean()
        if data.get("decision") == Instruction.Decision.PASS and not data.get("to_post"):
            self.add_error("to_post", "转其他领导核批时，请选择领导。")
        return data


class SubmissionChecklistForm(ChecklistForm):
    """DOC-8 on a unit's request for a normative document: the evidence may also be a file, uploaded with the step."""

    evidence_file = forms.FileField(label="证明材料", required=False, help_text=f"可选；只接受 {ALLOWED_LABEL}")

    def clean_evidence_file(self):
        f = self.cleaned_data.get("evidence_file")
        if f:
            detect_attachment(f, f.name)
        return f


class BriefingReturnForm(forms.Form):
    text = FreeText(label="退回说明", rows=2)
