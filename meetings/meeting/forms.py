"""Forms of one meeting's pages: topic intake (MTG-5), the topic's actions (proposer, MTG-8 checklist, agreement,
decision, move, withdraw, papers), the agenda, and attendance and leave (MTG-9). They parse and validate input
only; `meeting.services` decides and writes. Irreversible actions carry a required `confirm` box, checked on the
server as well as by the browser's dialog.
"""

from __future__ import annotations

from django import forms

from tiexi_gov.forms import (  # noqa: F401  (views call forms.styled)
    OPINION_LIMIT,
    TEXT_LIMIT,
    FreeText,
    ModelMultipleChoiceField,
    styled,
)
from tiexi_gov.org.models import Unit, User
from tiexi_gov.uploads import ALLOWED_LABEL, detect_attachment

from .models import INTAKE_KINDS, TOPIC_MINUTES_MAX, TOPIC_MINUTES_MIN, Meeting, MeetingKind
from .permissions import participants

CONFIRM_LABEL = "我已核对，确认执行（此操作不可撤回）"


def _text(
    label: str, *, rows: int = 3, required: bool = True, max_length: int = OPINION_LIMIT, help_text: str = ""
) -> forms.CharField:
    return FreeText(label=label, required=required, max_length=max_length, help_text=help_text, rows=rows)


class ConfirmMixin(forms.Form):
    """An irreversible action: the box must be ticked (server-side check, not only the browser's dialog)."""

    confirm = forms.BooleanField(
        label=CONFIRM_LABEL, required=True, error_messages={"required": "此操作不可撤回，请勾选确认后再提交。"}
    )


class PlainForm(forms.Form):
    """An action without input (报区长审定)."""


class SubmissionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        number = f"{obj.unit_doc_number} " if obj.unit_doc_number else ""
        return f"{obj.unit.display_name}：{number}{obj.title}（{obj.submitted_on}报送）"


class TopicForm(forms.Form):
    """MTG-5: a topic rests on the unit's formal request 提请会议研究, already filed with the office."""

    unit = forms.ModelChoiceField(label="汇报单位", queryset=Unit.objects.none(), empty_label=None)
    submission = SubmissionChoiceField(
        label="提请会议研究的请示",
        queryset=None,
        required=False,
        help_text="须为本单位已报送区政府办公室、注明“提请区政府会议研究”的请示（第五十五条）。",
    )
    title = forms.CharField(label="议题名称", max_length=200)
    summary = _text("主要内容和意见建议", rows=4, required=False, max_length=TEXT_LIMIT)
    related_units = ModelMultipleChoiceField(
        label="涉及部门",
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="涉及其他部门职权的议题，列明相关部门。",
    )
    units_disagree = forms.BooleanField(
        label="部门意见不一致（须先由分管区领导召开专题会协调，第五十七条）", required=False
    )
    reporter = forms.CharField(
        label="汇报人", max_length=50, required=False, help_text="一般为汇报单位主要负责同志，如“张三（局长）”。"
    )
    duration_minutes = forms.IntegerField(
        label="汇报时长（分钟）",
        required=False,
        min_value=TOPIC_MINUTES_MIN,
        max_value=TOPIC_MINUTES_MAX,
        error_messages={
            "invalid": "汇报时长请填写分钟数（整数）。",
            "min_value": f"汇报时长至少{TOPIC_MINUTES_MIN}分钟。",
            "max_value": f"汇报时长不能超过{TOPIC_MINUTES_MAX}分钟。",
        },
    )

    field_order = ["unit", "submission", "title", "reporter", "duration_minutes", "summary"]

    def __init__(self, *args, meeting: Meeting, units, requests, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["submission"].queryset = requests
        self.fields["related_units"].queryset = Unit.objects.filter(active=True).order_by("order", "id")
        if meeting.kind in INTAKE_KINDS:
            self.fields["submission"].required = True
            self.fields["submission"].empty_label = "请选择请示"
        elif meeting.kind == MeetingKind.PARTY_GROUP:
            self.fields["submission"].help_text = "党组会议议题由党组书记或党组成员提出，可不附请示（第五十四条）。"
        else:
            self.fields["submission"].help_text = "专题会议议题可不附请示。"

    def clean(self):
        data = super().clean()
        if data.get("units_disagree") and not data.get("related_units"):
            self.add_error("related_units", "部门意见不一致的议题须列明涉及的部门。")
        return data

    def service_kwargs(self) -> dict:
        """propose_topic's arguments from the cleaned form: the page and the API propose the same topic."""
        d = self.cleaned_data
        return {
            "unit": d["unit"],
            "title": d["title"],
            "submission": d.get("submission"),
            "summary": d["summary"],
            "related_units": list(d["related_units"]),
            "units_disagree": d["units_disagree"],
            "reporter": d["reporter"],
            "duration_minutes": d["duration_minutes"],
        }


class ProposerForm(forms.Form):
    note = _text(
        "协调审核意见",
        required=False,
        help_text="分管副区长、办公室主任（或党组成员）提出的，须写明协调审核意见（第五十五条、第五十四条）。",
    )


class ChecklistForm(forms.Form):
    """MTG-8 (第五十七条): the office's gate before a topic goes on the agenda."""

    significance = forms.BooleanField(label="属法定要求或涉及全局工作", required=False)
    substance = forms.BooleanField(label="有实质内容和明确意见", required=False)
    procedure = forms.BooleanField(label="程序履行完整", required=False)


class AgreementForm(forms.Form):
    agreement = _text(
        "专题会协调形成的一致意见",
        rows=4,
        max_length=TEXT_LIMIT,
        help_text="摘自协调专题会已签发的纪要（第五十七条）。",
    )


class DecideForm(ConfirmMixin):
    decision = forms.ChoiceField(label="确定意见", widget=forms.RadioSelect)
    reason = _text("理由（不予上会须填写）", rows=2, required=False, max_length=300)

    field_order = ["decision", "reason", "confirm"]

    def __init__(self, *args, may_accept: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("accept", "列入议程"), ("refuse", "不予上会")]
        self.fields["decision"].choices = choices if may_accept else choices[1:]
        if not may_accept:
            self.fields["decision"].initial = "refuse"

    def clean(self):
        data = super().clean()
        if data.get("decision") == "refuse" and not (data.get("reason") or "").strip():
            self.add_error("reason", "不予上会须说明理由。")
        return data


class MoveForm(forms.Form):
    target = forms.ModelChoiceField(label="改报会议", queryset=Meeting.objects.none(), empty_label=None)

    def __init__(self, *args, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        if targets is not None:
            self.fields["target"].queryset = targets


class WithdrawForm(ConfirmMixin):
    reason = forms.CharField(label="撤回原因", max_length=300)

    field_order = ["reason", "confirm"]


class PaperForm(forms.Form):
    title = forms.CharField(label="材料名称", max_length=200)
    file = forms.FileField(label="文件", help_text=f"只接受 {ALLOWED_LABEL}")

    def clean_file(self):
        f = self.cleaned_data["file"]
        detect_attachment(f, f.name)
        return f


class PaperSignForm(ConfirmMixin):
    """MTG-5: the unit's main head checks / the leader in charge reviews one paper."""

    paper = forms.IntegerField(widget=forms.HiddenInput)


class SendBackForm(forms.Form):
    reason = _text("退回原因", rows=2, max_length=300)


class ApproveAgendaForm(ConfirmMixin):
    """MTG-5: once approved, the agenda is frozen and the papers go to the attendees."""


# --- attendance and leave (MTG-9) ------------------------------------------------------------------------------


class SpecialAttendeeForm(forms.Form):
    """专题会议: the chair names who attends, the office records it (第五十六条). Administrators' accounts are not
    offered (三员分立), wherever the org chart files them."""

    person = forms.ModelChoiceField(label="参会人员", queryset=User.objects.none())

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        invited = meeting.invitations.values("person_id")
        people = (
            participants(User.objects.filter(unit__isnull=False))
            .exclude(pk__in=invited)
            .select_related("unit")
            .order_by("unit__order", "unit_id", "username")
        )
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda u: f"{u.unit.display_name} {u.display_name}"


class LeaveForm(forms.Form):
    """请假报备: 事由, the substitute (a unit's main head sends another leader of the unit), opinions on the topics."""

    reason = forms.CharField(label="请假事由", max_length=300)
    substitute = forms.ModelChoiceField(
        label="代为参会的本单位负责人",
        queryset=User.objects.none(),
        required=False,
        help_text="单位主要负责人请假的，经主持人同意后报办公室备案，并安排本单位其他负责人参加（第五十八条）。",
    )
    opinions = _text("对议题的意见建议（会前提出）", rows=2, required=False)

    def __init__(self, *args, substitutes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if substitutes is None:
            del self.fields["substitute"]
        else:
            self.fields["substitute"].queryset = substitutes
            self.fields["substitute"].label_from_instance = lambda u: u.display_name


class LeaveDecisionForm(forms.Form):
    opinion = _text("审批意见", rows=2, required=False)


class LeaveRejectForm(ConfirmMixin):
    opinion = _text("不准假的理由", rows=2)

    field_order = ["opinion", "confirm"]
