"""`{% rows list "area/_row.jinja" %}`: the rows of a long list drawn by Jinja2, the rest of the page by Django.

A list page draws one small row template tens of times. Django's engine walks every `{{ row.x }}` and `{% if %}`
node of every row (about 45 µs a row of 我的待办); Jinja2 compiles the template to Python once (under 15 µs), so a
page's time grows less with its rows (issue 14.2). Only row fragments go through Jinja2, and only those that print
words the row object made in Python (tiexi_gov.listing) and need nothing of Django's (`{% csrf_token %}`, messages,
forms): the leaders' queue and the inbox rows, which carry a form, stay Django templates.

Autoescaping is on, and a string Django marked safe (a badge made in Python) is kept as it is. Jinja2 spells an
escaped quote `&#34;` and an apostrophe `&#39;` where Django writes `&quot;` and `&#x27;`: the same text. A misspelt
field raises (StrictUndefined) instead of printing nothing.
"""

from __future__ import annotations

import functools

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe
from jinja2 import Environment, FileSystemLoader, StrictUndefined

register = template.Library()


@functools.cache
def environment() -> Environment:
    dirs = [str(d) for engine in settings.TEMPLATES for d in engine.get("DIRS", [])]
    return Environment(
        loader=FileSystemLoader(dirs),
        autoescape=True,
        undefined=StrictUndefined,  # a misspelt field fails the page's tests instead of printing nothing
        auto_reload=settings.DEBUG,
        trim_blocks=False,
        keep_trailing_newline=True,
    )


@functools.cache
def _loop(template_name: str):
    """One template per row template that draws a whole list: one render call a list, not one a row."""
    return environment().from_string(f"{{% for row in rows %}}{{% include {template_name!r} %}}{{% endfor %}}")


@register.simple_tag
def rows(items, template_name: str):
    """Each of `items` drawn by the Jinja2 template `template_name` (with the item as `row`), joined."""
    return mark_safe(_loop(template_name).render(rows=items))
