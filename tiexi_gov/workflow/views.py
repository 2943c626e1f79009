"""我的待办: every action waiting on the user, grouped by area, most urgent first."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from tiexi_gov.pagecache.cache import cached_page

from . import selectors
from .models import Area

AREA_PAGE_SIZE = 50


@login_required
@cached_page
def queue(request):
    today = timezone.localdate()
    area = request.GET.get("area", "")
    if area in Area.values:  # one area in full, paged
        page = Paginator(selectors.open_tasks_for(request.user, today).filter(area=area), AREA_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        rows = selectors.rows_for(page.object_list, request.user, today)
        return render(
            request,
            "workflow/queue_area.html",
            {
                "today": today,
                "area": Area(area),
                "page": page,
                "rows": rows,
                "total": page.paginator.count,
                "area_query": urlencode({"area": area}),  # the page links stay in the area
            },
        )
    sections = selectors.queue(request.user, today)
    total = sum(s.total for s in sections)
    request.open_task_count = total  # the navbar shows the same number without a second query
    return render(request, "workflow/queue.html", {"today": today, "sections": sections, "total": total})
