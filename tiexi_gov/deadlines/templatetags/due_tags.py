"""`{{ day|due }}` / `{{ day|due:"n月j日" }}`: a clock-computed date, with a 暂定 badge when provisional (CAL-2).

A builtin (settings.TEMPLATES OPTIONS builtins), so no template needs a `{% load %}` to show a due date right.
"""

from django import template
from django.utils.html import format_html

from tiexi_gov.deadlines.display import (
    PROVISIONAL_TEXT,
    PROVISIONAL_TITLE,
    as_due,
    due_label,
    format_day,
    is_provisional,
)

register = template.Library()


@register.filter(is_safe=True)
def due(day, fmt: str = "Y-m-d"):
    """The formatted date (or a Deadline row's due); a provisional one carries the 暂定 badge of 我的待办."""
    day = as_due(day)
    if day is None or day == "":
        return ""
    text = format_day(day, fmt)
    if not is_provisional(day):
        return text
    return format_html(
        '{}<span class="badge text-bg-light border ms-1 align-middle" title="{}" data-testid="provisional">{}</span>',
        text,
        PROVISIONAL_TITLE,
        PROVISIONAL_TEXT,
    )


@register.filter
def due_plain(day, fmt: str = "Y-m-d") -> str:
    """The text form ("2027-01-04（暂定）") for attributes and <option> labels, where no badge can go."""
    return due_label(day, fmt)
