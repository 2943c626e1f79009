"""The office's deadline board (时限看板). The personal queue (我的待办) is tiexi_gov.workflow's: it lists tasks."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from compliance.links import openable

from . import rules, selectors

BOARD_SECTION_LIMIT = 200  # today / this week are short lists; beyond this the page says "more"
OVERDUE_PAGE_SIZE = 50


def _limited(qs, today):
    items = list(qs[: BOARD_SECTION_LIMIT + 1])
    return selectors.rows_for(items[:BOARD_SECTION_LIMIT], today), len(items) > BOARD_SECTION_LIMIT


@login_required
def board(request):
    if not selectors.may_see_board(request.user):
        raise Http404
    today = timezone.localdate()
    filters = selectors.board_filters(request.GET)
    due_today, today_more = _limited(selectors.board_due_today(filters, today), today)
    this_week, week_more = _limited(selectors.board_due_this_week(filters, today), today)
    overdue_page = Paginator(selectors.board_overdue(filters, today), OVERDUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    overdue = selectors.rows_for(overdue_page.object_list, today)
    # A row links to its item only where that page would open for this viewer (a unit's draft under consultation,
    # a unit's 发文稿: the office sees the clock, not the paper), never to a 404.
    linked = openable(request.user, [row.deadline for row in (*due_today, *this_week, *overdue)])
    due_today, this_week, overdue = selectors.name_holders(due_today, this_week, overdue, day=today)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "deadlines/board.html",
        {
            "today": today,
            "week_end": selectors.week_end(today),
            "filters": filters,
            "units": selectors.board_units(),
            "rule_choices": rules.choices(),
            "due_today": due_today,
            "today_more": today_more,
            "this_week": this_week,
            "week_more": week_more,
            "overdue_page": overdue_page,
            "overdue": overdue,
            "linked": linked,
            "filter_query": query.urlencode(),
        },
    )
