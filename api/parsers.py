"""The API's JSON parser: JSON may escape a lone surrogate ("\\ud800"), which json.loads accepts but no text holds —
the database cannot encode it (a 500 on saving) and a .docx cannot either. Refused as unreadable JSON (400),
before anything reads it.

No request body of the API nests deeper than a list in an object; a body nested thousands of levels deep ("[[[[…")
made json.loads run out of stack (RecursionError, a 500 before the view ran). Such a body is refused as unreadable
too, and the walk that looks for surrogates keeps its own stack, so no depth the decoder accepts can overflow it."""

from __future__ import annotations

import re

from rest_framework import parsers
from rest_framework.exceptions import ParseError

SURROGATE = re.compile("[\ud800-\udfff]")
MAX_DEPTH = 32  # far more than any body of the API needs (an object of lists of values: 2)
TOO_DEEP = "JSON 嵌套层次过深，无法处理。"


def _has_surrogate(value) -> bool:
    """Whether a lone surrogate hides anywhere in `value` (a value, a list item, a key); ParseError when `value`
    nests deeper than MAX_DEPTH. Iterative: a deep value cannot exhaust Python's stack here."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if SURROGATE.search(item):
                return True
            continue
        if not isinstance(item, (dict, list)):
            continue
        if depth >= MAX_DEPTH:
            raise ParseError(TOO_DEEP)
        if isinstance(item, dict):
            stack.extend((k, depth + 1) for k in item)
            stack.extend((v, depth + 1) for v in item.values())
        else:
            stack.extend((v, depth + 1) for v in item)
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(TOO_DEEP) from exc
        if _has_surrogate(data):
            raise ParseError("JSON 中含有无法编码的字符（单独的代理项）。")
        return data
