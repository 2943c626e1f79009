"""Reads of the half-year reports (SUP-2): the office's view of a round, a unit's own rows, one report's page."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.http import Http404

from tiexi_gov.http import to_id

from . import permissions
from .models import HalfYearReport

Pending = HalfYearReport.State.PENDING


def half_year_list(user, *, today: dt.date, state: str = "", year: int | None = None, half: int | None = None):
    """The reports `user` may see (of one round when `year` and `half` are given), filtered by the state the office
    reads (待报送 / 逾期未报 / 已备案); lazy."""
    qs = permissions.visible_half_year_reports(user).select_related("unit")
    if year is not None and half is not None:
        qs = qs.filter(year=year, half=half)
    if state == "filed":
        qs = qs.filter(state=HalfYearReport.State.FILED)
    elif state == "overdue":
        qs = qs.filter(state=Pending, due__lt=today)
    elif state == "pending":
        qs = qs.filter(state=Pending, due__gte=today)
    return qs.order_by("-year", "-half", "unit__order", "unit_id")


def round_counts(user, *, year: int, half: int, today: dt.date) -> dict[str, int]:
    """One round's figures for the office: total, filed, overdue, pending (one query)."""
    counts = (
        permissions.visible_half_year_reports(user)
        .filter(year=year, half=half)
        .aggregate(
            total=Count("id"),
            filed=Count("id", filter=Q(state=HalfYearReport.State.FILED)),
            overdue=Count("id", filter=Q(state=Pending, due__lt=today)),
        )
    )
    counts["pending"] = counts["total"] - counts["filed"] - counts["overdue"]
    return counts


def half_year_report_or_404(user, pk) -> HalfYearReport:
    """A report for its page and files: its unit and the office; 404 for anyone else, whether or not it exists."""
    pk = to_id(pk) or 0
    report = permissions.visible_half_year_reports(user).select_related("unit", "filed_by").filter(pk=pk).first()
    if report is None or not permissions.can_open_half_year_report(user, report):
        raise Http404("没有找到该半年报告。")
    return report


def previous_counterpart(unit_id: int) -> str:
    """The counterpart department the unit named last time (the form's default)."""
    return (
        HalfYearReport.objects.filter(unit_id=unit_id, state=HalfYearReport.State.FILED)
        .exclude(counterpart="")
        .order_by("-year", "-half")
        .values_list("counterpart", flat=True)
        .first()
    ) or ""
