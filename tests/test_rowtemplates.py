"""`{% rows %}` (tiexi_gov.rowtemplates): long lists' rows drawn by Jinja2 inside Django pages (issue 14.2)."""

import os
from dataclasses import dataclass

import pytest
from django.template import Context, Template
from django.utils.safestring import mark_safe
from jinja2 import TemplateSyntaxError, UndefinedError

from tiexi_gov import rowtemplates
from tiexi_gov.listing import TemplateRow


@dataclass(frozen=True)
class _Row(TemplateRow):
    title: str
    badge: str = ""


@pytest.fixture
def row_template(tmp_path, settings):
    """A row template in a template directory of the settings, and an environment that reads it."""
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "_row.jinja").write_text(
        '<li title="{{ row.title }}">{{ row.title }}{% if row.badge %} {{ row.badge }}{% endif %}</li>',
        encoding="utf-8",
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    rowtemplates.forget()
    yield "t/_row.jinja"
    rowtemplates.forget()


def test_x_14_rows_are_escaped_and_a_safe_string_stays_as_it_is(row_template):
    rows = [_Row("<script>\"x\" & 'y'"), _Row("乙", badge=mark_safe('<span class="badge">暂定</span>'))]
    html = Template("<ul>{% rows rows name %}</ul>").render(Context({"rows": rows, "name": row_template}))
    assert "<script>" not in html
    assert '<li title="&lt;script&gt;&#34;x&#34; &amp; &#39;y&#39;">' in html
    assert '<li title="乙">乙 <span class="badge">暂定</span></li>' in html  # a badge made in Python is not escaped
    assert html.startswith("<ul><li") and html.endswith("</li></ul>")


def test_x_14_rows_of_an_empty_list_print_nothing(row_template):
    assert Template("[{% rows rows name %}]").render(Context({"rows": [], "name": row_template})) == "[]"


def test_x_14_a_misspelt_row_field_fails_instead_of_printing_nothing(row_template, tmp_path):
    (tmp_path / "t" / "_bad.jinja").write_text("<li>{{ row.titel }}</li>", encoding="utf-8")
    with pytest.raises(UndefinedError):
        Template("{% rows rows name %}").render(Context({"rows": [_Row("甲")], "name": "t/_bad.jinja"}))


def test_x_14_a_list_is_drawn_without_loading_the_row_template_per_row(row_template, monkeypatch):
    """The row's source is the loop's body: an `{% include %}` would look the template up and build a new context
    for every row (issue 14.2)."""
    rows = [_Row(f"第{i}件") for i in range(30)]
    draw = Template("{% rows rows name %}")
    draw.render(Context({"rows": rows[:1], "name": row_template}))  # compiled once
    env = rowtemplates.environment()
    looked_up = []
    real = env.get_template
    monkeypatch.setattr(env, "get_template", lambda *a, **k: looked_up.append(a) or real(*a, **k))
    html = draw.render(Context({"rows": rows, "name": row_template}))
    assert html.count("<li ") == 30 and '<li title="第29件">第29件</li>' in html
    assert looked_up == []


@pytest.mark.parametrize(
    "body",
    [
        "{% macro cell(x) %}{{ x }}{% endmacro %}<li>{{ cell(row.title) }}</li>",
        "<li>{{ loop.index }} {{ row.title }}</li>",
        '{% extends "t/_row.jinja" %}',
        '{% import "t/_row.jinja" as other %}<li>{{ row.title }}</li>',
    ],
)
def test_x_14_a_row_template_that_would_change_meaning_inside_a_loop_is_refused(row_template, tmp_path, body):
    (tmp_path / "t" / "_odd.jinja").write_text(body, encoding="utf-8")
    with pytest.raises(TemplateSyntaxError, match="row template"):
        Template("{% rows rows name %}").render(Context({"rows": [_Row("甲")], "name": "t/_odd.jinja"}))


def test_x_14_under_debug_a_changed_row_template_is_drawn_anew(row_template, tmp_path, settings):
    settings.DEBUG = True
    rowtemplates.forget()  # the environment reloads templates when DEBUG is on
    draw = Template("{% rows rows name %}")
    assert draw.render(Context({"rows": [_Row("甲")], "name": row_template})) == '<li title="甲">甲</li>'
    path = tmp_path / "t" / "_row.jinja"
    path.write_text("<p>{{ row.title }}</p>", encoding="utf-8")
    later = path.stat().st_mtime + 5
    os.utime(path, (later, later))
    assert draw.render(Context({"rows": [_Row("甲")], "name": row_template})) == "<p>甲</p>"
