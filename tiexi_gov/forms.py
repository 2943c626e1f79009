"""Form helpers every area shares (the project has no form-rendering library).

Every free-text box has a limit that fits what it holds (issue 11): an opinion, a reason or a note
`OPINION_LIMIT`, a body, a report or a progress text `TEXT_LIMIT`. The browser stops typing at the limit and the
form says it by the field's name (批示意见不能超过2000字). Every date lies between `FIRST_DAY` and `LAST_DAY`: a
date outside is a typing slip, and the working-day clocks could not count to it."""

import datetime as dt

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import timezone

from .http import to_id
from .text import strip_text

OPINION_LIMIT = 2_000  # an opinion, instruction, reason, note, reply
TEXT_LIMIT = 20_000  # a document's body, a report, a progress or completion text, a body's functions

FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)


def too_long_message(label, limit: int) -> str:
    """The form error of a text over its limit; `%(show_value)d` is the length typed."""
    return f"{label or '内容'}不能超过{limit}字（现为%(show_value)d字）。"


class Textarea(forms.Textarea):
    """Django's text area, reading its text with the line breaks it was typed with. A browser sends every line break
    of a text area as CR LF (the HTML standard's form encoding), whatever the text held when the page showed it: read
    as sent, a text posted back untouched would differ from the saved one in every line break, and an edit page
    would record "修改" of a text nobody changed. Every text area of the portal is this one."""

    def value_from_datadict(self, data, files, name):
        value = super().value_from_datadict(data, files, name)
        return normalize_newlines(value) if isinstance(value, str) else value


def normalize_newlines(text: str) -> str:
    """CR LF and a lone CR as LF: a text's line breaks as stored, whichever way they were sent."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


class IndentedText(forms.CharField):
    """A long text written as official text (a body, an opinion, a report, a decision, minutes): its ends trimmed by
    `tiexi_gov.text.strip_text`, which keeps the full-width spaces (　　) that indent its first paragraph — Django's
    `strip=True` would drop them. A text of whitespace alone is empty, so a required one is refused as empty
    (该字段是必填项). Also the form field of a model's TextField (`field_classes = {"body": IndentedText}`)."""

    def __init__(self, **kwargs):
        kwargs["strip"] = False
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        value = strip_text(value)
        return value if value else self.empty_value


class FreeText(IndentedText):
    """Text a person types, never unlimited: `max_length` defaults to OPINION_LIMIT; a textarea unless a widget is
    given. The error names the field by its label at the time of the check (a form may relabel it). A text area keeps
    its first paragraph's 　　 indentation (`IndentedText`); a one-line box is trimmed as any other."""

    def __init__(self, *, max_length: int = OPINION_LIMIT, rows: int = 3, **kwargs):
        kwargs.setdefault("widget", Textarea(attrs={"rows": rows}))
        super().__init__(max_length=max_length, **kwargs)
        self.keeps_indent = isinstance(self.widget, forms.Textarea)

    def to_python(self, value):
        if self.keeps_indent:
            value = super().to_python(value)
        else:
            value = forms.CharField.to_python(self, value)
            value = value.strip() if isinstance(value, str) else value
        if self.max_length is not None and len(value) > self.max_length:
            message = too_long_message(self.label, self.max_length)
            raise forms.ValidationError(message, code="max_length", params={"show_value": len(value)})
        return value


def limit_text(field: forms.CharField, limit: int) -> forms.CharField:
    """Give a form field made from a model's TextField (which has no length) its limit, as FreeText has it."""
    field.max_length = limit
    field.validators.append(MaxLengthValidator(limit))
    field.widget.attrs["maxlength"] = str(limit)
    field.error_messages["max_length"] = too_long_message(field.label, limit)
    return field


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, but a value that is not a row id ("abc", -1, a number beyond any database column) is a form error
    before any query: SQLite cannot even compare a number beyond 64 bits and would raise OverflowError."""

    def _check_values(self, value):
        if (self.to_field_name or "pk") == "pk":
            for pk in value:
                if to_id(pk) is None:
                    raise forms.ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                    )
        return super()._check_values(value)


class DateInput(forms.DateInput):
    """A browser date picker that shows the saved date: `<input type=date>` accepts only ISO dates, and the
    localised format (zh-hans renders 2026/12/05) would leave the box empty and an edit would erase the date."""

    input_type = "date"

    def __init__(self, attrs=None, format=None, *, up_to_today: bool = False, within_calendar: bool = False):
        super().__init__(attrs=attrs, format=format or "%Y-%m-%d")
        self.up_to_today = up_to_today
        self.within_calendar = within_calendar

    def get_context(self, name, value, attrs):
        """A date that cannot be later than today offers no later day in the picker (`max`, today as drawn); one
        that must stay within the working-day calendar stops at its last day."""
        context = super().get_context(name, value, attrs)
        if self.up_to_today:
            context["widget"]["attrs"]["max"] = timezone.localdate().isoformat()
        elif self.within_calendar:
            context["widget"]["attrs"]["max"] = calendar_last_day().isoformat()
        return context


def calendar_last_day() -> dt.date:
    """The last day the working-day calendar can count to (workdays.known_until: next year's end at least)."""
    from tiexi_gov.workdays.calendar import known_until  # the calendar's models load after the forms module

    return known_until(timezone.localdate())


class DateField(forms.DateField):
    """A date between FIRST_DAY and LAST_DAY, picked with DateInput; 2026-02-30 or abc is a form error too."""

    widget = DateInput
    default_error_messages = {"invalid": "请输入有效的日期（如 2026-12-05）。"}

    def __init__(self, *, up_to_today: bool = False, within_calendar: bool = False, **kwargs):
        """`up_to_today`: a day something already happened (收到, 报送, 征求意见): the picker stops at today and a
        later day is a form error, not only the service's refusal after the whole form was filled in.
        `within_calendar`: a day still to come that the working-day calendar must know (a meeting's date): 2099 is a
        typing slip, and the picker and the form stop at the calendar's last day."""
        self.up_to_today = up_to_today
        self.within_calendar = within_calendar
        if up_to_today or within_calendar:
            kwargs["widget"] = DateInput(up_to_today=up_to_today, within_calendar=within_calendar)
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value and not FIRST_DAY <= value <= LAST_DAY:
            raise forms.ValidationError(
                f"{self.label or '日期'}须在{FIRST_DAY.year}年至{LAST_DAY.year}年之间。", code="out_of_range"
            )
        if value and self.up_to_today and value > timezone.localdate():
            raise forms.ValidationError(f"{self.label or '日期'}不能晚于今天。", code="after_today")
        if value and self.within_calendar and value > (last := calendar_last_day()):
            raise forms.ValidationError(
                f"{self.label or '日期'}不能晚于{last:%Y-%m-%d}：工作日历只排到{last.year}年。", code="beyond_calendar"
            )


def typed_text(form) -> list[tuple[str, str]]:
    """(label, text) of what the user wrote in a form's text areas: kept on screen when the step it was for is
    refused because someone else took it, so nothing typed is lost with the button."""
    return [
        (field.label, field.value())
        for field in form
        if isinstance(field.field.widget, forms.Textarea) and str(field.value() or "").strip()
    ]


def styled(form):
    """Bootstrap classes on a form's widgets, `is-invalid` on the fields with errors; returns the form."""
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


def admin_date_overrides() -> dict:
    """`formfield_overrides` for a ModelAdmin: its dates within FIRST_DAY–LAST_DAY as every page's form has them;
    year 9999 typed in the console would stop the working-day counts and the admin's date drill-down."""
    from django.contrib.admin.widgets import AdminDateWidget
    from django.db import models

    return {models.DateField: {"form_class": DateField, "widget": AdminDateWidget}}
