"""Forms of the schedule pages. They parse and validate input only; `schedule.services` decides and writes.

Irreversible actions (generating the year, consenting to an ad hoc meeting, checking / approving the plan,
deciding an unplanned meeting) carry a required `confirm` box, checked on the server as well as by the
browser's dialog.
"""

from __future__ import annotations

from django import forms

from documents.submissions.forms import LeaderChoiceField
from tiexi_gov.forms import DateField, DateInput, Textarea, styled  # noqa: F401  (views call forms.styled)
from tiexi_gov.org.models import Post, Unit

from ..meeting.models import MeetingKind, Topic
from . import services
from .models import DistrictMeeting

CONFIRM_LABEL = "我已核对，确认提交（提交后不能撤回）"


class ConfirmMixin(forms.Form):
    confirm = forms.BooleanField(
        label=CONFIRM_LABEL, required=True, error_messages={"required": "此操作不可撤回，请勾选确认后再提交。"}
    )


class GenerateYearForm(ConfirmMixin):
    """MTG-2/3/4: the year's regular meetings (party group and executive monthly, plenary twice)."""

    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)

    field_order = ["year", "confirm"]


class MeetingNewForm(forms.Form):
    """安排会议: an ad hoc plenary / party group / executive meeting (the head's — the secretary's — consent
    follows, MTG-4), or a special-topic meeting chaired by the head or a deputy (MTG-7)."""

    kind = forms.ChoiceField(label="会议类别", choices=MeetingKind.choices, initial=MeetingKind.SPECIAL)
    date = DateField(label="会议日期", within_calendar=True)
    title = forms.CharField(
        label="会议名称", max_length=200, required=False, help_text="专题会议必填；其他会议留空则按届次自动命名"
    )
    reason = forms.CharField(
        label="召开事由", max_length=300, widget=Textarea(attrs={"rows": 2}), help_text="临时召开须说明事由"
    )
    chair_post = LeaderChoiceField(  # 副区长（赵国庆）: four deputies share the title
        label="主持人（专题会议）",
        queryset=Post.objects.filter(kind__in=Post.LEADER_KINDS).order_by("kind", "order", "id"),
        required=False,
        help_text="专题会议由区长或副区长主持（第五十六条）；其他会议按规则由区长（党组会议为党组书记）主持",
    )
    lead_unit = forms.ModelChoiceField(
        label="牵头部门（起草纪要）",
        queryset=Unit.objects.filter(active=True).exclude(kind__in=(Unit.Kind.GOVERNMENT, Unit.Kind.EXTERNAL)),
        required=False,
    )
    coordinates_topic = forms.IntegerField(
        label="协调的议题编号（可选）",
        required=False,
        min_value=1,
        help_text="多部门意见不一致的议题须先经分管领导主持专题会协调（第五十七条）",
    )

    def clean_coordinates_topic(self):
        pk = self.cleaned_data.get("coordinates_topic")
        if pk is None:
            return None
        topic = Topic.objects.select_related("unit", "meeting").filter(pk=pk).first()
        if topic is None:
            raise forms.ValidationError("没有找到该议题。")
        return topic

    def clean(self):
        data = super().clean()
        if data.get("kind") == MeetingKind.SPECIAL:
            for name, message in (
                ("title", "请填写专题会议名称。"),
                ("chair_post", "请选择主持会议的区领导（区长或副区长）。"),
                ("lead_unit", "请选择牵头部门（负责起草纪要，第五十六条）。"),
            ):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)
        elif data.get("kind"):
            # The chair of a plenary / party group / executive meeting follows from the rules, never a pick.
            data["chair_post"] = None
            data["lead_unit"] = None
            if data.get("coordinates_topic"):
                self.add_error("coordinates_topic", "只有专题会议可以协调议题。")
        return data

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "kind": d["kind"],
            "date": d["date"],
            "reason": d["reason"],
            "title": d.get("title") or "",
            "chair_post": d.get("chair_post"),
            "lead_unit": d.get("lead_unit"),
            "coordinates_topic": d.get("coordinates_topic"),
        }


class PostponeForm(forms.Form):
    to_date = DateField(label="改定日期", within_calendar=True)
    reason = forms.CharField(label="顺延原因", max_length=300, widget=Textarea(attrs={"rows": 2}))


class ConsentForm(ConfirmMixin):
    """MTG-4: '经区政府主要领导同意后可临时组织召开'."""


class PlanActionForm(ConfirmMixin):
    """The office director checks the plan; the head approves it (MTG-11)."""


class DistrictMeetingForm(forms.Form):
    """MTG-11: a district-wide meeting for the year's plan, or — once the plan is past drafting — an unplanned
    one that the responsible deputy and then the head approve."""

    name = forms.CharField(
        label="会议名称", max_length=200, help_text="区政府召开：铁西区…会议；以区政府名义：全区…会议"
    )
    sponsorship = forms.ChoiceField(
        label="召开方式", choices=DistrictMeeting.Sponsorship.choices, widget=forms.RadioSelect
    )
    unit = forms.ModelChoiceField(label="承办部门", queryset=Unit.objects.none())
    month = forms.TypedChoiceField(
        label="计划月份",
        choices=[("", "—")] + [(m, f"{m}月") for m in range(1, 13)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    invites_township_heads = forms.BooleanField(label="邀请乡、街负责人参加", required=False)
    reason = forms.CharField(label="临时召开事由", max_length=300, required=False, widget=Textarea(attrs={"rows": 2}))

    def __init__(self, *args, units, unplanned: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.unplanned = unplanned
        if unplanned:
            self.fields["reason"].required = True
            self.fields["reason"].help_text = "计划外会议须经分管副区长审批后报区长审定（第五十九条）"
        else:
            self.fields["reason"].label = "备注（事由）"

    def clean(self):
        data = super().clean()
        name, sponsorship = data.get("name"), data.get("sponsorship")
        if name and sponsorship:
            problem = services.naming_violation(name, sponsorship)
            if problem:
                self.add_error("name", problem)
        return data

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "name": d["name"],
            "sponsorship": d["sponsorship"],
            "unit": d["unit"],
            "month": d.get("month"),
            "invites_township_heads": bool(d.get("invites_township_heads")),
            "reason": d.get("reason") or "",
        }


class DistrictDecisionForm(ConfirmMixin):
    opinion = forms.CharField(label="意见", max_length=300, required=False, widget=Textarea(attrs={"rows": 2}))

    field_order = ["opinion", "confirm"]
