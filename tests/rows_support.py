"""Comparing a row drawn by Jinja2 (tiexi_gov.rowtemplates) with its reference drawn by Django's engine."""

import re

from django.template import Context, Template

# The one difference in what the two engines print: how they spell two escaped characters (the same text).
_SPELLINGS = {"&#34;": "&quot;", "&#39;": "&#x27;"}


def as_django_prints(html: str) -> str:
    """`html` with Jinja2's spelling of an escaped quote and apostrophe replaced by Django's, whitespace collapsed."""
    html = re.sub("|".join(_SPELLINGS), lambda m: _SPELLINGS[m.group(0)], html)
    return re.sub(r"\s+", " ", html).strip()


def reference(path, row) -> str:
    """The frozen Django template at `path` drawn for `row`, whitespace collapsed."""
    return re.sub(r"\s+", " ", Template(path.read_text(encoding="utf-8")).render(Context({"row": row}))).strip()
