"""Helpers for list pages that draw many rows (issue 14.2): the row's words are made once in Python, so the template
prints them instead of calling filters, `get_…_display` and `{% url %}` fifty times a page.

Each helper gives exactly what the template filter or tag it replaces would print, at a fraction of the cost.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from django.urls import reverse
from django.utils.text import Truncator

_SENTINEL = 918273645  # an id no page shows: its digits are replaced by each row's id


def clip(text: str, limit: int) -> str:
    """`|truncatechars:limit`: a text that fits is returned as it is without walking it character by character;
    a longer one is cut by Django's own Truncator (its ellipsis is the active language's: "..." in Chinese)."""
    if len(text) <= limit:
        return unicodedata.normalize("NFC", text)
    return Truncator(text).chars(limit)


def url_for_each(name: str, *more) -> Callable[[int], str]:
    """`{% url name pk *more %}` for many rows: one reverse() a page, then string formatting per row."""
    before, _, after = reverse(name, args=[_SENTINEL, *more]).partition(str(_SENTINEL))
    return lambda pk: f"{before}{int(pk)}{after}"


class TemplateRow:
    """A row object that answers `row["name"]`, the lookup Django's templates try first for every `{{ row.name }}`.

    A plain object or dataclass refuses it with a TypeError that the template engine catches before it falls back to
    getattr: one raised exception per variable per row, the biggest single cost of drawing a full page of rows
    (issue 14.2). Missing names still raise KeyError, so the template's fallbacks and `string_if_invalid` behave as
    before."""

    __slots__ = ()

    def __getitem__(self, name):
        try:
            return getattr(self, name)
        except (AttributeError, TypeError):
            raise KeyError(name) from None
