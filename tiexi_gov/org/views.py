"""Org pages: the leaders' division of work (领导分工) and a unit's page. Read-only; the office edits in admin."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from tiexi_gov.forms import FIRST_DAY, LAST_DAY

from .access import get_unit_or_404, visible_unit_ids, visible_units
from .panels import unit_panels
from .selectors import division_of_work, unit_overview, units_grouped_by_kind


def _day(request) -> tuple[dt.date, bool]:
    """The day asked for in ?day=YYYY-MM-DD (to look at a past division of work), else today."""
    today = timezone.localdate()
    raw = request.GET.get("day", "")
    try:
        day = dt.date.fromisoformat(raw) if raw else today
    except ValueError:
        day = today
    if not FIRST_DAY <= day <= LAST_DAY:  # year 9999: no working day can be counted from it; a typing slip
        day = today
    return day, day == today


@login_required
def directory(request):
    day, is_today = _day(request)
    division = division_of_work(day)
    visible = visible_unit_ids(request.user, day)

    def linked(units):
        return [(u, visible is None or u.pk in visible) for u in units]

    leaders = [(entry, linked(entry.units)) for entry in division.leaders]
    my_units = units_grouped_by_kind(visible_units(request.user, day).filter(active=True).order_by("order", "id"))
    return render(
        request,
        "org/directory.html",
        {
            "day": day,
            "is_today": is_today,
            "leaders": leaders,
            "office": division.office,
            "unassigned": linked(division.unassigned),
            "unit_groups": my_units,
        },
    )


@login_required
def unit_detail(request, code):
    day, is_today = _day(request)
    unit = get_unit_or_404(request.user, code, day)
    return render(
        request,
        "org/unit_detail.html",
        {
            "day": day,
            "is_today": is_today,
            "unit": unit,
            "o": unit_overview(unit, day),
            "panels": unit_panels(request.user, unit, day),
        },
    )
