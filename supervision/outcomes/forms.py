"""Forms of the outcomes (SUP-4). They parse and validate input only; `services` decides and writes."""

from __future__ import annotations

from django import forms

from supervision.shared.forms import UnitChoiceField
from tiexi_gov.forms import TEXT_LIMIT, FreeText, styled  # noqa: F401  (views call forms.styled)
from tiexi_gov.org.models import Post, Unit

from .models import Outcome


class PostChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Post) -> str:
        return obj.title


class OutcomeForm(forms.Form):
    kind = forms.ChoiceField(label="结果运用", choices=Outcome.OutcomeKind.choices, widget=forms.RadioSelect)
    unit = UnitChoiceField(label="对象单位", queryset=Unit.objects.none())
    grounds = FreeText(label="事实与依据", max_length=TEXT_LIMIT, rows=5, help_text="写明复查核验结论或超期事实。")
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
    opinion = FreeText(label="审批意见", required=False, help_text="不予批准须写明理由。")
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
