"""The API's JSON parser: JSON may escape a lone surrogate ("\\ud800"), which json.loads accepts but no text holds —
the database cannot encode it (a 500 on saving) and a .docx cannot either. Refused as unreadable JSON (400),
before anything reads it."""

from __future__ import annotations

import re

from rest_framework import parsers
from rest_framework.exceptions import ParseError

SURROGATE = re.compile("[\ud800-\udfff]")


def _has_surrogate(value) -> bool:
    if isinstance(value, str):
        return bool(SURROGATE.search(value))
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(v) for v in value)
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if _has_surrogate(data):
            raise ParseError("JSON 中含有无法编码的字符（单独的代理项）。")
        return data
