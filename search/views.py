"""全站搜索 (issue 15.2): one page of hits the user may open."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import segment, selectors
from .sources import KIND_CHOICES


@login_required
def results(request):
    query = segment.clean_query(request.GET.get("q", ""))
    kind = request.GET.get("kind") or ""
    kind = kind if kind in dict(KIND_CHOICES) else ""
    page = selectors.search_page(request.user, query, kind=kind, page=request.GET.get("page") or 1)
    return render(
        request,
        "search/results.html",
        {
            "q": query,
            "kind": kind,
            "kinds": KIND_CHOICES,
            "page": page,
            "hits": page.object_list if page is not None else [],
            "page_query": urlencode({k: v for k, v in {"q": query, "kind": kind}.items() if v}),
            "kind_query": urlencode({"q": query}),
        },
    )
