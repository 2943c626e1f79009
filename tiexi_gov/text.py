"""Typed text as it is kept: the ends trimmed, the indentation of official text kept.

Chinese official text (公文) starts each paragraph with two full-width spaces (　　, U+3000). Python's `str.strip()`
and Django's `CharField(strip=True)` take them for whitespace and drop the first paragraph's indentation. A long text
a person writes (a body, an opinion, a report, a decision, minutes) is trimmed by `strip_text` instead: blank lines
before it and any whitespace after it go, as do ASCII spaces and tabs before its first line; the full-width spaces
that indent its first line stay. A text of whitespace alone is empty. Short fields (titles, numbers, names) keep the
ordinary `strip()`."""

from __future__ import annotations

ASCII_BLANKS = " \t\r\f\v"


def strip_text(value: str | None) -> str:
    text = (value or "").rstrip()
    if not text:
        return ""
    lines = text.split("\n")
    while lines and not lines[0].strip():  # blank lines before the text (of any whitespace)
        lines.pop(0)
    lines[0] = lines[0].lstrip(ASCII_BLANKS)
    return "\n".join(lines)
