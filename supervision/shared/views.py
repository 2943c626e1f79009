"""View helpers shared by the supervision flows' list pages."""

from __future__ import annotations


def page_links(request, page, param: str = "page") -> dict:
    """Previous/next links that keep the page's filters."""

    def url(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return f"?{query.urlencode()}"

    return {
        "previous": url(page.previous_page_number()) if page.has_previous() else "",
        "next": url(page.next_page_number()) if page.has_next() else "",
    }
