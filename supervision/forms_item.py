"""The small forms of an item's page (交办, 签收, 报告进展, 报办结, 复查核验, 退回, 撤销, 整改, 建议提案…).

They parse and validate input only; `supervision.services` decides and writes. The irreversible ones (复查核验,
撤销, 退回整改, 不同意, 公开办理结果) carry a required `confirm` checkbox, checked on the server as well as by the
browser's confirm dialog.
"""

from __future__ import annotations

from django import forms

from documents.validators import ALLOWED_LABEL, detect_attachment
from tiexi_gov.forms import styled  # noqa: F401  (views call forms.styled)
from tiexi_gov.org.models import Unit

from .models import Proposal

DATE_INPUT = {"type": "date"}
CONFIRM_LABEL = "我已核对，确认执行（此操作不可撤回）"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by its bytes against the attachment allowlist (X-2)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", f"可多选；只接受 {ALLOWED_LABEL}，按文件内容校验")
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


class ConfirmMixin(forms.Form):
    """An irreversible action: the box must be ticked (server-side check, not only the browser's dialog)."""

    confirm = forms.BooleanField(
        label=CONFIRM_LABEL, required=True, error_messages={"required": "此操作不可撤回，请勾选确认后再提交。"}
    )


def _text(label: str, *, rows: int = 3, required: bool = True, max_length: int | None = None) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=max_length, widget=forms.Textarea(attrs={"rows": rows})
    )


class PlainForm(forms.Form):
    """An action without input (交办, 签收)."""


class ApproveForm(forms.Form):
    opinion = _text("审批意见", rows=2, required=False)


class RefuseForm(ConfirmMixin):
    opinion = _text("不同意的理由", rows=2)

    field_order = ["opinion", "confirm"]


class ReportForm(forms.Form):
    """SUP-2: percent done, what was done, problems, next steps, material."""

    percent = forms.IntegerField(label="完成进度（%）", min_value=0, max_value=100)
    done = _text("已完成工作", rows=4)
    problems = _text("存在问题", rows=2, required=False)
    next_steps = _text("下步打算", rows=2, required=False)
    files = MultipleFileField(label="报告材料")


class ClaimForm(forms.Form):
    """报办结 with evidence; a rectification item also states its long-term mechanism (SUP-3)."""

    evidence = _text("办结情况及佐证", rows=4)
    mechanism = _text("建立的长效机制", rows=3, required=False)
    files = MultipleFileField(label="佐证材料")

    def __init__(self, *args, rectification=None, **kwargs):
        super().__init__(*args, **kwargs)
        if rectification is None:
            del self.fields["mechanism"]
        else:
            self.fields["mechanism"].help_text = "整改事项须建立长效机制，否则不能办结（SUP-3）。"
            if not self.is_bound and rectification.mechanism:
                self.initial.setdefault("mechanism", rectification.mechanism)


class ReturnForm(ConfirmMixin):
    reason = _text("退回理由（复查核验发现的问题）", rows=3)

    field_order = ["reason", "confirm"]


class VerifyForm(ConfirmMixin):
    note = _text("复查核验意见", rows=3)

    field_order = ["note", "confirm"]


class CancelForm(ConfirmMixin):
    reason = forms.CharField(label="撤销原因", max_length=200)

    field_order = ["reason", "confirm"]


class RectificationForm(forms.Form):
    """SUP-3: measures, the long-term mechanism and the major-problem flag (flagging reports to the leaders)."""

    measures = _text("整改措施", rows=3)
    mechanism = _text("长效机制", rows=3, required=False)
    is_major = forms.BooleanField(label="重大问题（报告区政府领导）", required=False)

    def __init__(self, *args, rectification=None, **kwargs):
        super().__init__(*args, **kwargs)
        if rectification is not None and not self.is_bound:
            self.initial.update(
                measures=rectification.measures, mechanism=rectification.mechanism, is_major=rectification.is_major
            )
        if rectification is not None and rectification.is_major:
            # Already reported to the leaders: the flag stays (the report cannot be taken back).
            self.fields["is_major"].disabled = True
            self.fields["is_major"].initial = True


class JointForm(forms.Form):
    unit = forms.ModelChoiceField(
        label="联合督查单位",
        queryset=Unit.objects.filter(active=True)
        .exclude(kind__in=[Unit.Kind.GOVERNMENT, Unit.Kind.EXTERNAL])
        .order_by("order", "id"),
    )

    def __init__(self, *args, item=None, **kwargs):
        super().__init__(*args, **kwargs)
        if item is not None:
            taken = {item.supervising_unit_id, *(u.pk for u in item.joint_units.all())}
            self.fields["unit"].queryset = self.fields["unit"].queryset.exclude(pk__in=taken)


class ProposalReplyForm(forms.Form):
    """PUB-3: the reply to the deputy or member and, once given, their satisfaction."""

    reply = _text("答复内容", rows=4)
    replied_on = forms.DateField(
        label="答复日期", required=False, widget=forms.DateInput(attrs=DATE_INPUT), help_text="留空则为今天"
    )
    satisfaction = forms.ChoiceField(
        label="代表/委员满意度",
        required=False,
        choices=[("", "待反馈"), *Proposal.Satisfaction.choices],
    )

    def __init__(self, *args, proposal=None, **kwargs):
        super().__init__(*args, **kwargs)
        if proposal is not None and not self.is_bound and proposal.reply:
            self.initial.update(
                reply=proposal.reply, replied_on=proposal.replied_on, satisfaction=proposal.satisfaction
            )


class ProposalPublishForm(ConfirmMixin):
    summary = _text("公开的办理结果", rows=4)

    field_order = ["summary", "confirm"]

    def __init__(self, *args, proposal=None, **kwargs):
        super().__init__(*args, **kwargs)
        if proposal is not None and not self.is_bound and proposal.result_summary:
            self.initial["summary"] = proposal.result_summary
