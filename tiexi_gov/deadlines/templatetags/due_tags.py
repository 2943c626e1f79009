"""`{{ day|due }}` / `{{ day|due:"n月j日" }}`: a clock-computed date, with a 暂定 badge when provisional (CAL-2).

A builtin (settings.TEMPLATES OPTIONS builtins), so no template needs a `{% load %}` to show a due date right.
"""

from django import template

from tiexi_gov.deadlines.display import due_html, due_label

register = template.Library()


@register.filter(is_safe=True)
def due(day, fmt: str = "Y-m-d"):
    """The formatted date (or a Deadline row's due); a provisional one carries the 暂定 badge of 我的待办."""
    return due_html(day, fmt)


@register.filter
def due_plain(day, fmt: str = "Y-m-d") -> str:
    """The text form ("2027-01-04（暂定）") for attributes and <option> labels, where no badge can go."""
    return due_label(day, fmt)
