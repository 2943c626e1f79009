"""Chinese word segmentation with jieba (issue 15.2): one lazily loaded tokenizer per process, its cache kept
under VAR_DIR (never in /tmp or the working directory), and the query / index text both segmented the same way."""

from __future__ import annotations

import logging
import re
import threading

from django.conf import settings

_lock = threading.Lock()
_tokenizer = None

# Runs of letters and digits (CJK included): what PostgreSQL's parser keeps as a word; "_" is a separator there too.
WORD = re.compile(r"[^\W_]+")
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")
MAX_QUERY = 100
MAX_TERMS = 16
MAX_BODY = 20_000


def tokenizer():
    """The process's jieba Tokenizer, built on first use: loading the dictionary takes a second or more, so no
    request or migration pays for it unless it segments text. The cache file goes to VAR_DIR."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba

                logging.getLogger("jieba").setLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
                tk.tmp_dir = str(settings.VAR_DIR)
                tk.cache_file = str(settings.VAR_DIR / "jieba.cache")
                tk.initialize()
                _tokenizer = tk
    return _tokenizer


def words(text: str) -> list[str]:
    """jieba's search-mode words of `text` (a long word also yields its parts), reduced to letter/digit runs."""
    if not text:
        return []
    out: list[str] = []
    for token in tokenizer().cut_for_search(text):
        out.extend(WORD.findall(token))
    return out


def bigrams(text: str) -> list[str]:
    """Every two adjacent Chinese characters of `text`, run by run, so that any 2–3 characters of a title or number
    are found even where jieba cut the words differently (the query side joins them with <->, a phrase)."""
    out: list[str] = []
    for run in CJK_RUN.findall(text or ""):
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


def index_text(title: str, number: str, body: str) -> str:
    """The space-joined tokens stored as a `simple` tsvector: jieba words of everything, then the bigrams of the
    title and the number."""
    parts = words(title) + words(number) + words((body or "")[:MAX_BODY])
    return " ".join(parts + bigrams(f"{title} {number}"))


def clean_query(raw: str) -> str:
    """What the user typed, made safe to search: control characters gone, whitespace collapsed, at most 100
    characters."""
    text = "".join(ch if ch.isprintable() else " " for ch in (raw or ""))
    return " ".join(text.split())[:MAX_QUERY]


def _lexeme(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def tsquery(query: str) -> str:
    """A to_tsquery('simple', …) string for `query`: (all of jieba's words) OR (every Chinese run as a phrase of
    its bigrams, with the other words). Empty when nothing searchable is left (only punctuation, say)."""
    ws = list(dict.fromkeys(words(query)))[:MAX_TERMS]
    if not ws:
        return ""
    word_part = " & ".join(_lexeme(w) for w in ws)
    runs = CJK_RUN.findall(query)
    if not runs:
        return word_part
    phrases = []
    for run in runs[:MAX_TERMS]:
        grams = [run[i : i + 2] for i in range(len(run) - 1)][:MAX_TERMS]
        phrases.append("(" + " <-> ".join(_lexeme(g) for g in grams) + ")")
    rest = WORD.findall(CJK_RUN.sub(" ", query))[:MAX_TERMS]
    gram_part = " & ".join(phrases + [_lexeme(w) for w in rest])
    return f"({word_part}) | ({gram_part})"


def highlight_terms(query: str) -> list[str]:
    """The strings to mark in a result: the query's words and Chinese runs, longest first; single characters only
    when the query is one character."""
    terms = set(words(query)) | set(CJK_RUN.findall(query)) | set(WORD.findall(query))
    keep = [t for t in terms if len(t) > 1] or list(terms)
    return sorted(keep, key=lambda t: (-len(t), t))[: MAX_TERMS * 2]
