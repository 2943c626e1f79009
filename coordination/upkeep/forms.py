"""Forms of the upkeep pages: leader changes (CRD-3), review rounds (CRD-4), annual targets (CRD-5).

They parse and validate input only; `coordination.upkeep.services` decides and writes. Irreversible acts (an adjustment,
a decision that becomes an application, filing the targets, closing a round, sending a target to the ledger)
carry a required `confirm` checkbox checked on the server.
"""

from __future__ import annotations

from django import forms

from tiexi_gov.forms import (  # noqa: F401  (views call forms.styled)
    TEXT_LIMIT,
    DateField,
    DateInput,
    FreeText,
    ModelMultipleChoiceField,
    styled,
)
from tiexi_gov.org.models import Post

from ..models import AbolishGround, Adjustment, Body, ReviewEntry, Target

CONFIRM_LABEL = "我已核对，确认执行（此操作不可撤回）"


class ConfirmMixin(forms.Form):
    confirm = forms.BooleanField(
        label=CONFIRM_LABEL, required=True, error_messages={"required": "此操作不可撤回，请勾选确认后再提交。"}
    )


# --- CRD-3 ----------------------------------------------------------------------------------------------------


def seat_posts():
    """Posts a seat may move to: district leaders and units' main heads and deputies."""
    kinds = (*Post.LEADER_KINDS, Post.Kind.UNIT_HEAD, Post.Kind.UNIT_DEPUTY, Post.Kind.OFFICE_DIRECTOR)
    return Post.objects.filter(kind__in=kinds).select_related("unit").order_by("order", "id")


class AdjustForm(ConfirmMixin):
    """CRD-3: one adjustment of the bodies a changed post heads (the bodies are ticked on the page)."""

    post = forms.ModelChoiceField(label="变动职务", queryset=Post.objects.all(), widget=forms.HiddenInput)
    bodies = ModelMultipleChoiceField(
        label="涉及机构",
        queryset=Body.objects.filter(status=Body.Status.ACTIVE),
        error_messages={"required": "请勾选要调整的议事协调机构。"},
    )
    kind = forms.ChoiceField(label="调整方式", choices=Adjustment.Kind.choices)
    document_number = forms.CharField(label="调整文件文号", max_length=80)
    new_post = forms.ModelChoiceField(
        label="改由职务担任",
        queryset=seat_posts(),
        required=False,
        help_text="分工调整后改由其他职务担任时选择；留空表示仍由该职务担任、由新任职人接任",
    )
    note = FreeText(label="说明", required=False, rows=2)


class MembersFiledForm(ConfirmMixin):
    """CRD-3: the body's office files its own document on member changes with the government office."""

    body = forms.ModelChoiceField(label="机构", queryset=Body.objects.filter(status=Body.Status.ACTIVE))
    document_number = forms.CharField(label="成员调整文件文号", max_length=80)
    note = FreeText(label="调整情况", rows=2)

    def __init__(self, *args, bodies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if bodies is not None:
            self.fields["body"].queryset = Body.objects.filter(pk__in=[b.pk for b in bodies])


# --- CRD-4 ----------------------------------------------------------------------------------------------------


class OpenRoundForm(forms.Form):
    title = forms.CharField(label="清理评估名称", max_length=120)


class DecideForm(forms.Form):
    """CRD-4: the office's decision on one body of the round."""

    decision = forms.ChoiceField(
        label="评估结论",
        choices=[c for c in ReviewEntry.Decision.choices if c[0] != ReviewEntry.Decision.PENDING],
        widget=forms.RadioSelect,
    )
    grounds = forms.MultipleChoiceField(
        label="认定的撤并依据", choices=AbolishGround.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    merge_into = forms.ModelChoiceField(
        label="并入机构", queryset=Body.objects.filter(status=Body.Status.ACTIVE), required=False
    )
    note = FreeText(label="评估意见", required=False, rows=2)
    confirm = forms.BooleanField(label="结论为合并或撤销的，将生成撤并申请（第六十四条）", required=False)

    def clean(self):
        data = super().clean()
        if data.get("decision") in (ReviewEntry.Decision.MERGE, ReviewEntry.Decision.ABOLISH) and not data.get(
            "confirm"
        ):
            self.add_error("confirm", "建议合并或撤销将生成撤并申请，请勾选确认。")
        return data


class CloseRoundForm(ConfirmMixin):
    pass


# --- CRD-5 ----------------------------------------------------------------------------------------------------


class OpenTargetsForm(forms.Form):
    due = DateField(label="报送截止日期", required=False, widget=DateInput(), help_text="留空则按工作日数计算")
    workdays = forms.IntegerField(
        label="1月1日后工作日数", required=False, min_value=1, max_value=120, help_text="默认15个工作日"
    )

    def clean(self):
        data = super().clean()
        if data.get("due") and data.get("workdays"):
            raise forms.ValidationError("报送截止日期和工作日数只填一项。")
        return data


class FileTargetsForm(ConfirmMixin):
    """CRD-5: the body's office files its year's targets after reporting them to the body's head."""

    items = FreeText(label="年度工作目标和任务", max_length=TEXT_LIMIT, rows=6, help_text="每行一项")
    reported_to_head_on = DateField(
        label="向机构主要负责人汇报日期",
        widget=DateInput(),
        error_messages={"required": "须先向机构主要负责人汇报，并填写汇报日期（第六十八条）。"},
    )

    def clean_items(self):
        lines = [line.strip() for line in self.cleaned_data["items"].splitlines()]
        lines = [line for line in lines if line]
        if not lines:
            raise forms.ValidationError("请填写至少一项年度工作目标或任务。")
        if any(len(line) > 1000 for line in lines):
            raise forms.ValidationError("每项目标不超过1000字。")
        if len(lines) > MAX_TARGETS:  # the office's check form has two fields a target: it must still fit one POST
            raise forms.ValidationError(
                f"年度目标最多{MAX_TARGETS}项（现为{len(lines)}项），请合并相近的目标或分项归并后报送。"
            )
        return lines


YES_NO = [("yes", "已完成"), ("no", "未完成")]
# The check form posts a done flag and a note per target beside a few fields of its own; Django refuses a POST
# of more than DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000) fields, which would lose everything the office typed.
MAX_TARGETS = 200


class ReviewTargetsForm(forms.Form):
    """CRD-5: completion per target (done yes/no and a note) and the office's overall opinion."""

    review_note = FreeText(label="督导意见", required=False, rows=2)

    def __init__(self, *args, items: list[Target], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for t in items:
            initial = None if t.done is None else ("yes" if t.done else "no")
            self.fields[f"done_{t.pk}"] = forms.ChoiceField(
                label=t.text[:60],
                choices=YES_NO,
                widget=forms.RadioSelect,
                initial=initial,
                error_messages={"required": "请选择是否完成。"},
            )
            self.fields[f"note_{t.pk}"] = forms.CharField(
                label="完成情况", required=False, initial=t.note, max_length=2000
            )

    def rows(self):
        return [(t, self[f"done_{t.pk}"], self[f"note_{t.pk}"]) for t in self.items]

    def results(self) -> dict[int, tuple[bool, str]]:
        d = self.cleaned_data
        return {t.pk: (d[f"done_{t.pk}"] == "yes", d.get(f"note_{t.pk}", "")) for t in self.items}


class FollowUpForm(ConfirmMixin):
    """CRD-5: send an unfinished target to the supervision ledger."""

    target = forms.IntegerField(widget=forms.HiddenInput)
    due = DateField(label="督办完成时限", widget=DateInput())
