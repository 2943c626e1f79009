"""The API's JSON parser: JSON may escape a lone surrogate ("\\ud800"), which json.loads accepts but no text holds —
the database cannot encode it (a 500 on saving) and a .docx cannot either. Refused (400) as the pages refuse text
that is not UTF-8 (tiexi_gov.http.ENCODING_MESSAGE), before anything reads it; so are raw bytes that are not UTF-8.

No request body of the API nests deeper than a list in an object; a body nested thousands of levels deep ("[[[[…")
made json.loads run out of stack (RecursionError, a 500 before the view ran). Such a body is refused as unreadable
too, and the walk that looks for surrogates keeps its own stack, so no depth the decoder accepts can overflow it."""

from __future__ import annotations

import io
import re

from rest_framework import parsers
from rest_framework.exceptions import ParseError

from tiexi_gov.http import ENCODING_MESSAGE

# The pages' words (ENCODING_MESSAGE), naming the JSON body: an escaped lone surrogate is in no one's typed text.
JSON_MESSAGE = ENCODING_MESSAGE.replace("提交的内容", "提交的 JSON 内容", 1)

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


class NotText(ParseError):
    """A body whose text is not UTF-8: said as the pages say it (tiexi_gov.http), not as unreadable JSON."""

    worded = True  # api.exceptions keeps this detail instead of its general words

    def __init__(self):
        super().__init__(JSON_MESSAGE)


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read()  # json.load below read it whole as well
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            raise NotText from None  # bytes that are not UTF-8 (an encoded lone surrogate, a cut-off character)
        try:
            data = super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(TOO_DEEP) from exc
        if _has_surrogate(data):
            raise NotText
        return data
