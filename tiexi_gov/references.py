"""One way to compare references and names typed by people (文号, 来源依据, 机构名称, 发文代字): issue 13.4.

People type the same reference with full- or half-width characters (（１２） / (12)), with stray spaces (铁西政发
〔2026〕 3号), and with any of the brackets in use for a year (〔〕, [], 【】, ()). Comparing the raw text lets a
duplicate through, so every uniqueness rule compares `normalise_reference(text)`, stored in a key column beside the
text the user typed (the text is shown as typed; the key carries the database constraint).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalise_reference"]

# After NFKC (which already folds （）［］｛｝﹝﹞ to their ASCII or 〔〕 forms) every opening bracket is 〔, every
# closing one 〕: 铁西政发[2026]3号, 铁西政发【2026】3号 and 铁西政发〔2026〕3号 are one reference.
_OPEN = "([{【〔〖〘〚⦅「『<《〈"
_CLOSE = ")]}】〕〗〙〛⦆」』>》〉"
_BRACKETS = str.maketrans(_OPEN + _CLOSE, "〔" * len(_OPEN) + "〕" * len(_CLOSE))
_SPACE = re.compile(r"\s+", re.UNICODE)
# Zero-width characters a copy from a web page or Word leaves in the text.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def normalise_reference(text: str | None) -> str:
    """The comparison key of a reference or a name: NFKC (full-width → half-width), no whitespace or invisible
    characters, every bracket pair as 〔〕, Latin letters case-folded. '' for an empty text."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", str(text)).translate(_INVISIBLE)
    return _SPACE.sub("", text).translate(_BRACKETS).casefold()
