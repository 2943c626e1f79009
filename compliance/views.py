"""The rule compliance board (规则执行情况, issue 15.5): read-only pages; permission first (compliance.access)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone

from tiexi_gov.deadlines.selectors import rows_for as deadline_rows

from . import export, links, selectors
from .access import scope_or_404

ITEMS_PAGE_SIZE = 50


@login_required
def board(request):
    today = timezone.localdate()
    scope = scope_or_404(request.user, today)
    year = selectors.year_from(request.GET.get("year"), today)
    tables = selectors.clock_tables(scope, year, today)
    return render(
        request,
        "compliance/board.html",
        {
            "today": today,
            "year": year,
            "years": list(range(today.year, selectors.FIRST_YEAR - 1, -1)),
            "scope": scope,
            "by_unit": tables[selectors.BY_UNIT],
            "by_leader": tables.get(selectors.BY_LEADER),
            "categories": selectors.CATEGORIES,
            "efficiency": selectors.efficiency(scope, year, today),
        },
    )


@login_required
def items(request):
    """The clocks behind one cell of the board."""
    today = timezone.localdate()
    scope = scope_or_404(request.user, today)
    year = selectors.year_from(request.GET.get("year"), today)
    cell = selectors.cell_from(request.GET)
    if cell is None:
        raise Http404("没有找到该统计项。")
    if not scope.sees_all and (
        cell.by == selectors.BY_LEADER or (cell.by == selectors.BY_UNIT and cell.key != scope.unit_id)
    ):
        raise Http404("没有找到该统计项。")
    page = Paginator(selectors.cell_items(scope, year, today, cell), ITEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = deadline_rows(page.object_list, today)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "compliance/items.html",
        {
            "today": today,
            "year": year,
            "cell": cell,
            "heading": selectors.cell_label(cell, year, today),
            "page": page,
            "rows": rows,
            "linked": links.openable(request.user, page.object_list),  # only where the item's page would open
            "filter_query": query.urlencode(),
        },
    )


@login_required
def export_xlsx(request):
    today = timezone.localdate()
    scope = scope_or_404(request.user, today)
    year = selectors.year_from(request.GET.get("year"), today)
    out = export.write_xlsx(scope=scope, year=year, today=today)
    return FileResponse(out, as_attachment=True, filename=f"规则执行情况_{year}.xlsx", content_type=export.CONTENT_TYPE)
