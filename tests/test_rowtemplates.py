"""`{% rows %}` (tiexi_gov.rowtemplates): long lists' rows drawn by Jinja2 inside Django pages (issue 14.2)."""

from dataclasses import dataclass

import pytest
from django.template import Context, Template
from django.utils.safestring import mark_safe
from jinja2 import UndefinedError

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
    rowtemplates.environment.cache_clear()
    rowtemplates._loop.cache_clear()
    yield "t/_row.jinja"
    rowtemplates.environment.cache_clear()
    rowtemplates._loop.cache_clear()


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
