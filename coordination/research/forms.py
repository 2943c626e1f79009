"""Forms of the research page (RES-1). Forms only parse; `coordination.research.services` checks the rules."""

from __future__ import annotations

from django import forms

from tiexi_gov.forms import (
    TEXT_LIMIT,
    DateField,
    DateInput,
    FreeText,
    styled,  # noqa: F401  (views call forms.styled)
)
from tiexi_gov.org.models import User

from ..models import ResearchTopic

# --- research (RES-1) -------------------------------------------------------------------------------------


def _person_field(people: list[User]):
    return forms.TypedChoiceField(
        label="区政府领导", coerce=int, choices=[("", "请选择"), *[(p.pk, p.display_name) for p in people]]
    )


class ResearchDayForm(forms.Form):
    person = forms.TypedChoiceField(label="区政府领导", coerce=int)
    day = DateField(label="调研日期", widget=DateInput())
    place = forms.CharField(label="调研地点", max_length=120, help_text="乡、街道、村、社区、企业等")
    subject = forms.CharField(label="调研内容", max_length=200)
    topic = forms.TypedChoiceField(label="所属重点课题", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, people: list[User], topics: list[ResearchTopic], **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {p.pk: p for p in people}
        self.topics = {t.pk: t for t in topics}
        self.fields["person"] = _person_field(people)
        if len(people) == 1:
            self.fields["person"].initial = people[0].pk
            self.fields["person"].widget = forms.HiddenInput()
        many = len(people) > 1
        self.fields["topic"].choices = [("", "（不属于重点课题）")] + [
            (t.pk, f"{t.person.display_name}：{t.title}" if many else t.title) for t in topics
        ]

    def clean(self):
        data = super().clean()
        data["person_obj"] = self.people.get(data.get("person"))
        data["topic_obj"] = self.topics.get(data.get("topic")) if data.get("topic") else None
        return data


class ResearchTopicForm(forms.Form):
    person = forms.TypedChoiceField(label="区政府领导", coerce=int)
    title = forms.CharField(label="重点调研课题", max_length=200)

    def __init__(self, *args, people: list[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {p.pk: p for p in people}
        self.fields["person"] = _person_field(people)
        if len(people) == 1:
            self.fields["person"].initial = people[0].pk
            self.fields["person"].widget = forms.HiddenInput()

    def clean(self):
        data = super().clean()
        data["person_obj"] = self.people.get(data.get("person"))
        return data


class ResearchReportForm(forms.Form):
    topic = forms.TypedChoiceField(label="课题", coerce=int)
    report = FreeText(label="调研报告", max_length=TEXT_LIMIT, rows=6)

    def __init__(self, *args, topics: list[ResearchTopic], **kwargs):
        super().__init__(*args, **kwargs)
        self.topics = {t.pk: t for t in topics}
        self.fields["topic"].choices = [
            ("", "请选择课题"),
            *[(t.pk, f"{t.person.display_name}：{t.title}") for t in topics],
        ]

    def clean(self):
        data = super().clean()
        data["topic_obj"] = self.topics.get(data.get("topic"))
        return data
