"""What an edit changed, in the words of the form, for the 办理记录: 「标题：旧 → 新」 for each field whose value
differs. Read before the new values are applied. Fields that did not change are not listed, and raw field names
never reach the record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import models

from tiexi_gov.forms import normalize_newlines

EMPTY = "（空）"
LIMIT = 60  # long texts are cut in the record's line; the object itself keeps the whole text


def shown(field: models.Field, value) -> str:
    """A value as the form shows it: the choice's label, the object's name, 是/否, an ISO date."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    text = " ".join(str(value).split())
    return text if len(text) <= LIMIT else text[: LIMIT - 1] + "…"


def _same(field: models.Field, old, new) -> bool:
    if field.is_relation:
        return getattr(old, "pk", old) == getattr(new, "pk", new)
    if isinstance(old, str) or isinstance(new, str):
        # a text saved with the CR LF line breaks a browser sends reads the same as the text posted back
        return normalize_newlines(old or "") == normalize_newlines(new or "")
    return old == new


def diff(obj: models.Model, fields: dict) -> list[str]:
    """One line per field of `fields` (name → new value) whose value differs from what `obj` holds now."""
    lines = []
    for name, new in fields.items():
        field = obj._meta.get_field(name)
        old = getattr(obj, name)
        if not _same(field, old, new):
            lines.append(f"{field.verbose_name}：{shown(field, old)} → {shown(field, new)}")
    return lines


def diff_related(obj: models.Model, name: str, new: Iterable[models.Model]) -> list[str]:
    """The line for a many-to-many field (units to countersign …) if its set of objects changes."""
    old = list(getattr(obj, name).all()) if obj.pk else []
    new = list(new)
    if {o.pk for o in old} == {o.pk for o in new}:
        return []
    field = obj._meta.get_field(name)

    def names(items):
        return "、".join(sorted(str(o) for o in items)) or EMPTY

    return [f"{field.verbose_name}：{names(old)} → {names(new)}"]


def summary(lines: list[str]) -> str:
    """The record's text: one change per line."""
    return "\n".join(lines)
