"""The director's reports: the dashboard (issue 4, point 8), the annual assessment page and .xlsx (SUP-6) and the
situation bulletin .docx (情况通报, SUP-4).

Views only parse input, ask the ledger's `permissions` and read `figures`; they write nothing. The
dashboard and the assessment are for the office and the district leaders (each sees figures built on the items
they may see); the bulletin is the office's. Everyone else gets 404.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.http import content_disposition_header

from tiexi_gov.deadlines.display import due_html
from tiexi_gov.listing import TemplateRow, url_for_each
from tiexi_gov.org.models import Unit
from tiexi_gov.pagecache.cache import cached_page

from . import figures, permissions
from .assessment_xlsx import render_assessment
from .bulletin_docx import BulletinLayout, BulletinRow, BulletinSection, render_bulletin
from .models import SupervisionItem
from .views_ledger import LIGHT_BADGES  # the ledger's badge for each light: the dashboard lists the same items

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MIN_YEAR, MAX_YEAR = 2000, 2100
DEFAULT_OFFICE_NAME = "铁西区人民政府办公室"


def _require_reports(request, day: dt.date) -> None:
    if not permissions.can_view_reports(request.user, day):
        raise Http404("没有找到该页面。")


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _office_name() -> str:
    office = Unit.objects.filter(kind=Unit.Kind.OFFICE).order_by("order", "id").first()
    return office.name if office else DEFAULT_OFFICE_NAME


def _month(day: dt.date) -> tuple[dt.date, dt.date]:
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


@dataclass(frozen=True)
class ItemRow(TemplateRow):
    """An item listed under a dashboard figure, its words made once in Python and drawn by Jinja2 (issue 14.2): the
    two lists hold up to thirty items each, and Django's engine took about 0.1 ms an item."""

    item: SupervisionItem
    url: str
    number: str
    task: str  # the item's short_task
    lead_unit: str
    due: str  # Y-m-d
    report_late_workdays: int  # 0 unless its progress report is overdue (the missing-reports list)
    report_due: str  # the `due` filter's HTML (n月j日, and the 暂定 badge) of the report's date, when it is overdue
    light: str  # "" where the list shows no light (the missing-reports list)
    light_label: str
    light_badge: str


def item_rows(items) -> list[ItemRow]:
    item_url = url_for_each("supervision:item")
    rows = []
    for item in items:
        light = getattr(item, "light", "") or ""
        late = getattr(item, "report_late_workdays", 0) or 0
        rows.append(
            ItemRow(
                item,
                url=item_url(item.pk),
                number=item.number,
                task=item.short_task,
                lead_unit=item.lead_unit.display_name,
                due=item.due.isoformat() if item.due else "",
                report_late_workdays=late,
                report_due=due_html(item.next_report_due, "n月j日") if late else "",
                light=light,
                light_label=getattr(item, "light_label", ""),
                light_badge=LIGHT_BADGES[light] if light else "",
            )
        )
    return rows


@login_required
@cached_page
def dashboard(request):
    """督查督办看板: counts by light and state, on-time rate and overdue by lead unit, due this week, missing
    reports; every number links to the ledger rows behind it."""
    day = timezone.localdate()
    _require_reports(request, day)
    start, end = _month(day)
    d = figures.dashboard(request.user, day)
    return render(
        request,
        "supervision/dashboard.html",
        {
            "d": d,
            "week_rows": item_rows(d.week_items),
            "missing_rows": item_rows(d.missing_items),
            "today": day,
            "may_bulletin": permissions.can_issue_bulletin(request.user),
            "month_start": start,
            "month_end": end,
        },
    )


def _year(value, default: int) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default
    return year if MIN_YEAR <= year <= MAX_YEAR else default


@login_required
def assessment(request):
    """年度考核 (SUP-6): per unit, items, closed on time / late, overdue, rectifications and outcomes."""
    day = timezone.localdate()
    _require_reports(request, day)
    year = _year(request.GET.get("year"), day.year)
    return render(
        request,
        "supervision/assessment.html",
        {
            "a": figures.assessment(request.user, year, day),
            "columns": figures.ASSESSMENT_COLUMNS,
            "outcome_kinds": figures.OUTCOME_KINDS,
            "today": day,
        },
    )


@login_required
def assessment_xlsx(request, year: int):
    day = timezone.localdate()
    _require_reports(request, day)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404("年度超出范围。")
    data = figures.assessment(request.user, year, day)
    title = f"{year}年度督查督办工作考核情况表"
    return _download(render_assessment(data, title=title), XLSX, f"{title}.xlsx")


def _period(request, day: dt.date) -> tuple[dt.date, dt.date]:
    start, end = _month(day)
    try:
        start = parse_date(request.GET.get("from") or "") or start
        end = parse_date(request.GET.get("to") or "") or end
    except ValueError:  # a well-formed but impossible date (2026-02-30)
        start, end = _month(day)
    return (start, end) if start <= end else (end, start)


def _issue_number(request, start: dt.date) -> int:
    """第N期: the office may number its bulletins (?no=N); by default the month of the period (monthly)."""
    try:
        n = int(request.GET.get("no") or start.month)
    except ValueError:
        n = start.month
    return n if 0 < n < 1000 else start.month


@login_required
def bulletin_docx(request):
    """督查情况通报 (SUP-4): overdue and late items by lead unit for a period (default this month), as .docx."""
    if not permissions.can_issue_bulletin(request.user):
        raise Http404("没有找到该页面。")
    day = timezone.localdate()
    start, end = _period(request, day)
    data = figures.bulletin(request.user, start, end, day)
    office = _office_name()
    no = _issue_number(request, start)
    title = f"{office}督查情况通报（{start.year}年第{no}期）"
    span = f"{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日"
    summary = (
        f"{span}，区政府办公室对全区督查事项办理情况进行了跟踪督办。截至{day.year}年{day.month}月{day.day}日，"
        f"超期未办结事项{data.overdue_count}件，本期逾期办结事项{data.late_count}件，涉及{len(data.groups)}个单位。"
        "现将有关情况通报如下："
    )
    sections = tuple(
        BulletinSection(
            heading=f"{g.unit.name}（超期未办结{len(g.overdue)}件，逾期办结{len(g.late)}件）",
            rows=tuple(
                BulletinRow(line.item.number, line.item.task, f"{line.item.due:%Y-%m-%d}", line.status)
                for line in g.lines
            ),
        )
        for g in data.groups
    )
    closing = (
        "请上述单位主要负责人切实履行第一责任人职责，对超期未办结事项逐项分析原因、明确措施和时限，"
        "尽快办结并报区政府办公室复查核验；逾期办结情况纳入年度督查考核。"
        if data.groups
        else ""
    )
    layout = BulletinLayout(title=title, summary=summary, sections=sections, issuer=office, date=day, closing=closing)
    return _download(render_bulletin(layout), DOCX, f"督查情况通报（{start.year}年第{no}期）.docx")
