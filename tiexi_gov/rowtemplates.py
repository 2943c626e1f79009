"""`{% rows list "area/_row.jinja" %}`: the rows of a long list drawn by Jinja2, the rest of the page by Django.

A list page draws one small row template tens of times. Django's engine walks every `{{ row.x }}` and `{% if %}`
node of every row (about 45 µs a row of 我的待办); Jinja2 compiles the row, inlined as the body of the list's loop,
to Python once (about 9 µs a row), so a page's time grows less with its rows (issue 14.2). Only row fragments go
through Jinja2, and only those that print words the row object made in Python (tiexi_gov.listing) and need nothing
of Django's but the page's CSRF token (passed in: the leaders' queue rows carry a form). A row drawn alone after an
htmx action, with its messages and a bound form, stays a Django template, and a test keeps the two alike.

Autoescaping is on, and a string Django marked safe (a badge made in Python) is kept as it is. Jinja2 spells an
escaped quote `&#34;` and an apostrophe `&#39;` where Django writes `&quot;` and `&#x27;`: the same text. A misspelt
field raises (StrictUndefined) instead of printing nothing.
"""

from __future__ import annotations

import functools

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, TemplateSyntaxError, nodes

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


# The row source inlined into a loop, compiled once per row template (reloaded when changed under DEBUG).
_loops: dict[str, Template] = {}


def _loop(template_name: str) -> Template:
    """One template per row template that draws a whole list: one render call a list, not one a row. The row's
    source is the loop's body, not an `{% include %}`: an include builds a new context for every row, which took as
    long as drawing the row (issue 14.2)."""
    env = environment()
    compiled = _loops.get(template_name)
    if compiled is None or (env.auto_reload and not compiled.is_up_to_date):
        source, filename, uptodate = env.loader.get_source(env, template_name)
        _refuse_what_a_loop_body_changes(env, source, template_name)
        code = env.compile("{% for row in rows %}" + source + "{% endfor %}", template_name, filename)
        compiled = _loops[template_name] = env.template_class.from_code(env, code, env.make_globals(None), uptodate)
    return compiled


def forget() -> None:
    """Drop the compiled environment and loops (a test that changes the template directories)."""
    environment.cache_clear()
    _loops.clear()


def _refuse_what_a_loop_body_changes(env: Environment, source: str, template_name: str) -> None:
    """A row template is a fragment: inherited blocks, macros and imports would change meaning inside a loop, and
    `loop` would be the list's loop, not an undefined name as in an include."""
    tree = env.parse(source)
    if any(tree.find_all((nodes.Extends, nodes.Block, nodes.Macro, nodes.Import, nodes.FromImport))) or any(
        n.name == "loop" for n in tree.find_all(nodes.Name)
    ):
        raise TemplateSyntaxError("a row template may not use extends, block, macro, import or loop", 1, template_name)


@register.simple_tag
def rows(items, template_name: str, csrf_token=None):
    """Each of `items` drawn by the Jinja2 template `template_name` (with the item as `row`), joined. A row that
    carries a form gets the page's `csrf_token` (what Django's {% csrf_token %} prints as its value)."""
    extra = {} if csrf_token is None else {"csrf_token": str(csrf_token)}
    return mark_safe(_loop(template_name).render(rows=items, **extra))
