"""Reads of the search (issue 15.2): ranked hits the user may open, highlighted, a page at a time.

PostgreSQL: the query's jieba words (and the bigram phrases of its Chinese runs) against the `simple` tsvector, GIN
index, ranked by ts_rank. SQLite (`make run`): every whitespace-separated term icontains title, number or text.
Either way the apps' own visibility decides (search.sources.visibility_q) inside the same SQL, so a page costs
the count, the rows and the few queries the visibility needs (roles, posts held today), however many hits."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.db.models import Count, F, Q, Window
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from . import segment
from .models import SearchEntry
from .sources import BY_KIND, url_of, visibility_q

PER_PAGE = 20
MAX_PAGE = 1000
SNIPPET = 120
LIST_FIELDS = ("id", "kind", "object_id", "title", "number", "body", "unit__name", "unit__short_name")


@dataclass(frozen=True)
class Hit:
    kind: str
    label: str
    url: str
    title: SafeString
    number: SafeString
    snippet: SafeString
    unit_name: str


def _pattern(terms: list[str]) -> re.Pattern | None:
    if not terms:
        return None
    return re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)


def highlight(text: str, pattern: re.Pattern | None) -> SafeString:
    """`text` HTML-escaped, the matches wrapped in <mark>: every piece, matched or not, goes through escape()."""
    text = text or ""
    if pattern is None:
        return escape(text)
    out, pos = [], 0
    for m in pattern.finditer(text):
        if m.end() == m.start():
            continue
        out.append(escape(text[pos : m.start()]))
        out.append(f"<mark>{escape(m.group(0))}</mark>")
        pos = m.end()
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))  # only escape()d pieces and our own <mark> tags


def snippet(body: str, pattern: re.Pattern | None, width: int = SNIPPET) -> SafeString:
    """A window of the text around its first match (its start if none), highlighted."""
    body = " ".join((body or "").split())
    start = 0
    if pattern is not None and (m := pattern.search(body)):
        start = max(0, m.start() - width // 4)
    piece = body[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(body) else ""
    return mark_safe(prefix + highlight(piece, pattern) + suffix)  # highlight() escaped it


def _matches(query: str) -> Q | None:
    if connection.vendor == "postgresql":
        ts = segment.tsquery(query)
        return Q(vector=SearchQuery(ts, search_type="raw", config="simple")) if ts else None
    terms = [t for t in query.split() if segment.WORD.search(t)]
    if not terms:
        return None
    q = Q()
    for term in terms[: segment.MAX_TERMS]:
        q &= Q(title__icontains=term) | Q(number__icontains=term) | Q(body__icontains=term)
    return q


def search_entries(user, query: str, *, kind: str = ""):
    """The visible entries matching `query`, best first; none for an empty or unsearchable query."""
    query = segment.clean_query(query)
    match = _matches(query) if query else None
    visible = visibility_q(user, [kind] if kind else None) if match is not None else None
    if match is None or visible is None:
        return SearchEntry.objects.none()
    qs = SearchEntry.objects.filter(match).filter(visible).select_related("unit").only(*LIST_FIELDS)
    if connection.vendor == "postgresql":
        ts = SearchQuery(segment.tsquery(query), search_type="raw", config="simple")
        return qs.annotate(rank=SearchRank(F("vector"), ts)).order_by("-rank", "-id")
    return qs.order_by("-updated_at", "-id")


class _Total:
    """What Paginator needs of a result whose size the page's own query already told (COUNT(*) OVER ())."""

    def __init__(self, total: int):
        self.total = total

    def count(self) -> int:
        return self.total


def _page_number(raw) -> int:
    try:
        return min(max(int(str(raw)), 1), MAX_PAGE)
    except (TypeError, ValueError):
        return 1


def _fetch(qs, number: int, per_page: int) -> tuple[list, int]:
    """The rows of page `number` and the size of the whole result, in one query (the ranking has to visit every
    match anyway, so counting them in the same pass is free; a separate COUNT would build and run it twice)."""
    start = (number - 1) * per_page
    rows = list(qs.annotate(full_count=Window(Count("*")))[start : start + per_page])
    return rows, (rows[0].full_count if rows else 0)


def search_page(user, query: str, *, kind: str = "", page=1, per_page: int = PER_PAGE) -> Page | None:
    """One page of hits (Hit rows in page.object_list), or None when there was nothing to search for. A page past
    the end shows the last one (as Paginator.get_page does)."""
    query = segment.clean_query(query)
    if not query:
        return None
    number = _page_number(page)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The apps' visibility subqueries make the planner's cost estimate large enough to switch on JIT
            # compilation, which costs seconds and saves nothing on a query that reads a few hundred index rows.
            with connection.cursor() as cur:
                cur.execute("SET LOCAL jit = off")
        qs = search_entries(user, query, kind=kind)
        entries, total = _fetch(qs, number, per_page)
        if not entries and number > 1:
            total = qs.count()
            number = max(1, -(-total // per_page))
            entries, total = _fetch(qs, number, per_page) if total else ([], 0)
    result = Page(entries, number, Paginator(_Total(total), per_page))
    pattern = _pattern(segment.highlight_terms(query))
    result.object_list = [
        Hit(
            kind=e.kind,
            label=BY_KIND[e.kind].label,
            url=url_of(e.kind, e.object_id),
            title=highlight(e.title, pattern),
            number=highlight(e.number, pattern),
            snippet=snippet(e.body, pattern),
            unit_name=(e.unit.short_name or e.unit.name) if e.unit_id else "",
        )
        for e in entries
    ]
    return result
