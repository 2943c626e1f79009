"""The public register's pages."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from documents.register.models import PublicRegisterEntry
from tiexi_gov.pagecache.cache import cached_page

from . import selectors


@login_required
@cached_page
def public_register(request):
    """公开目录: documents marked public once issued and published meeting decisions; search, paginate."""

    query = (request.GET.get("q") or "").strip()[:100]
    kind = request.GET.get("kind") or ""
    kind = kind if kind in PublicRegisterEntry.Kind.values else ""
    page = selectors.register_page(request.user, query=query, kind=kind, page=request.GET.get("page") or 1)

    return render(
        request,
        "documents/register.html",
        {
            "page": page,
            "q": query,
            "kind": kind,
            "kinds": PublicRegisterEntry.Kind.choices,
            "page_query": urlencode({k: v for k, v in {"q": query, "kind": kind}.items() if v}),
        },
    )


@login_required
def public_register_entry(request, pk: int):

    entry = selectors.register_entry(request.user, pk)
    if entry is None:
        raise Http404
    return render(request, "documents/register_entry.html", {"entry": entry})
