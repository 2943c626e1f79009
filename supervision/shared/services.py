"""Writes shared by the supervision flows: the yearly number series and the one way a required text is read."""

from __future__ import annotations

from tiexi_gov.text import strip_text
from tiexi_gov.workflow.errors import ActionRefused

from .models import Counter


def next_number(key: str) -> int:
    """The next number of a yearly series (督办编号, 咨询编号); the counter row is locked until the transaction ends."""
    Counter.objects.bulk_create([Counter(key=key, last=0)], ignore_conflicts=True)
    counter = Counter.objects.select_for_update().get(key=key)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def required(value: str, label: str, *, keep_indent: bool = False) -> str:
    """The text trimmed, or the refusal 请填写…. `keep_indent`: a long text written as official text keeps its first
    paragraph's 　　 indentation (`tiexi_gov.text.strip_text`); short fields (names, titles) are trimmed whole."""
    value = strip_text(value) if keep_indent else (value or "").strip()
    if not value:
        raise ActionRefused(f"请填写{label}。")
    return value
