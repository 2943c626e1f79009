"""Forms of the minutes page. They parse and validate input only; `minutes.services` (and, for 会议召开,
`meeting.services`) decide and write (a rule it refuses comes back as the form's error, with what the user typed
kept).

The irreversible actions (签发/审签, 会议召开, 指定知悉人员) carry a required `confirm` checkbox, checked on the server
as well as by the browser's confirm dialog.
"""

from __future__ import annotations

from django import forms

from tiexi_gov.forms import (  # noqa: F401  (views call forms.styled)
    OPINION_LIMIT,
    TEXT_LIMIT,
    DateField,
    DateInput,
    FreeText,
    ModelMultipleChoiceField,
    styled,
)
from tiexi_gov.org.models import Post, Unit, User

from ..meeting.models import TS, Topic
from ..meeting.permissions import participants
from .models import Decision

CONFIRM_LABEL = "我已核对，确认执行（此操作不可撤回）"


def _text(label: str, *, rows: int = 3, required: bool = True, max_length: int = OPINION_LIMIT) -> forms.CharField:
    return FreeText(label=label, required=required, max_length=max_length, rows=rows)


class ConfirmMixin(forms.Form):
    """An irreversible action: the box must be ticked (server-side check, not only the browser's dialog)."""

    confirm = forms.BooleanField(
        label=CONFIRM_LABEL, required=True, error_messages={"required": "此操作不可撤回，请勾选确认后再提交。"}
    )


class PlainForm(forms.Form):
    """An action without input (送审签)."""


# --- minutes -----------------------------------------------------------------------------------------------------


class HeldForm(ConfirmMixin):
    """The office records that the meeting took place (its topics become discussed)."""


class MinutesBodyForm(forms.Form):
    body = _text("纪要正文（导语：时间、地点、主持人、研究事项）", rows=5, required=False, max_length=TEXT_LIMIT)


class DecisionForm(forms.Form):
    """A decision per topic (MTG-10 documents to issue, SUP-1 work assigned, MTG-12 confidentiality)."""

    topic = forms.ModelChoiceField(
        label="议题", queryset=Topic.objects.none(), required=False, empty_label="（其他事项）"
    )
    kind = forms.ChoiceField(label="决定类型", choices=Decision.Kind.choices, initial=Decision.Kind.RECORD)
    text = _text("会议决定", rows=3, max_length=TEXT_LIMIT)
    # issue_document
    document_title = forms.CharField(label="拟印发文件标题", max_length=200, required=False)
    drafting_unit = forms.ModelChoiceField(label="起草单位", queryset=Unit.objects.none(), required=False)
    # assign_work
    lead_unit = forms.ModelChoiceField(label="牵头单位", queryset=Unit.objects.none(), required=False)
    co_units = ModelMultipleChoiceField(
        label="协办单位", queryset=Unit.objects.none(), required=False, widget=forms.SelectMultiple(attrs={"size": 4})
    )
    leader_post = forms.ModelChoiceField(label="责任领导", queryset=Post.objects.none(), required=False)
    due = DateField(label="完成时限", required=False, widget=DateInput())
    standard = _text("量化标准", rows=2, required=False)
    # MTG-12
    confidential = forms.BooleanField(label="依法需要保密，不予公开", required=False)
    confidential_reason = forms.CharField(label="不公开的依据和理由", max_length=300, required=False)

    def __init__(self, *args, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(active=True).exclude(kind=Unit.Kind.EXTERNAL).order_by("order", "id")
        if meeting is not None:
            self.fields["topic"].queryset = meeting.topics.filter(state__in=(TS.ACCEPTED, TS.DISCUSSED)).order_by(
                "order", "id"
            )
        for name in ("drafting_unit", "lead_unit", "co_units"):
            self.fields[name].queryset = units
            self.fields[name].label_from_instance = lambda u: u.display_name
        self.fields["leader_post"].queryset = Post.objects.filter(kind__in=Post.LEADER_KINDS).order_by("order", "id")
        self.fields["leader_post"].label_from_instance = lambda p: p.title

    def decision_fields(self) -> dict:
        d = self.cleaned_data
        return {
            "topic": d.get("topic"),
            "kind": d["kind"],
            "text": d["text"],
            "confidential": bool(d.get("confidential")),
            "confidential_reason": d.get("confidential_reason") or "",
            "document_title": d.get("document_title") or "",
            "drafting_unit": d.get("drafting_unit"),
            "lead_unit": d.get("lead_unit"),
            "co_units": list(d.get("co_units") or []),
            "leader_post": d.get("leader_post"),
            "due": d.get("due"),
            "standard": d.get("standard") or "",
        }


class WithdrawDecisionForm(forms.Form):
    decision = forms.IntegerField(widget=forms.HiddenInput)


class SignForm(ConfirmMixin):
    opinion = _text("审签意见", rows=2, required=False)

    field_order = ["opinion", "confirm"]


class SendBackForm(forms.Form):
    opinion = _text("退回修改意见", rows=3)


class ReaderForm(ConfirmMixin):
    """MTG-12 / X-2: the office names a reader of a confidential decision."""

    user = forms.ModelChoiceField(label="知悉人员", queryset=User.objects.none())

    field_order = ["user", "confirm"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (  # never an administrator's account (三员分立)
            participants().select_related("unit").order_by("unit__order", "unit_id", "username")
        )
        self.fields["user"].label_from_instance = lambda u: (
            f"{u.unit.display_name if u.unit else ''} {u.display_name}".strip()
        )
