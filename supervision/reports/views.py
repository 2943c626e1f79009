"""Every unit's half-year report (SUP-2, 第四十九条): to its higher-level counterpart department, with a copy filed
with the office. The office sees one round for every unit and opens rounds; a unit sees and files its own.

Views only parse input, ask `permissions`, call one service and report its message.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from supervision.ledger.permissions import can_manage
from supervision.shared.downloads import file_response
from supervision.shared.errors import SupervisionError
from supervision.shared.views import page_links
from tiexi_gov.deadlines.selectors import due_text
from tiexi_gov.http import to_int

from . import forms, permissions, selectors, services
from .models import HalfYearReport

HALF_YEAR_PAGE_SIZE = 50


def last_ended_half(day: dt.date) -> tuple[int, int]:
    """The half-year that ended most recently before `day` (the one whose reports are owed now)."""
    return (day.year - 1, 2) if day.month <= 6 else (day.year, 1)


def _half_state(report: HalfYearReport, today: dt.date) -> tuple[str, str, str]:
    """(state key, label, tone) as the office reads it: 待报送 / 逾期未报 / 已备案."""
    if report.state == HalfYearReport.State.FILED:
        return "filed", "已备案", "success"
    if report.due < today:
        return "overdue", "逾期未报", "danger"
    return "pending", "待报送", "warning"


@dataclass(frozen=True)
class HalfYearRow:
    report: HalfYearReport
    state: str
    state_label: str
    tone: str
    due_text: str
    may_file: bool
    may_open: bool  # the filed report's page: its unit and the office; its leaders read the list only


def may_file(user, report: HalfYearReport) -> bool:
    """The unit's clerks and heads file it; the office may file a copy it received on paper."""
    return permissions.can_file_half_year(user, report) or permissions.can_file_for_unit(user, report)


def _half_rows(user, reports, today: dt.date) -> list[HalfYearRow]:
    rows = []
    for r in reports:
        key, label, tone = _half_state(r, today)
        rows.append(
            HalfYearRow(
                report=r,
                state=key,
                state_label=label,
                tone=tone,
                due_text="" if key == "filed" else due_text(r.due, today)[0],
                may_file=key != "filed" and may_file(user, r),
                may_open=key == "filed" and permissions.can_open_half_year_report(user, r),
            )
        )
    return rows


@login_required
def half_year(request):
    """半年报告: the office sees one round (year, half) for every unit and opens rounds; a unit its own rows."""
    today = timezone.localdate()
    office = can_manage(request.user)
    open_form = None
    if request.method == "POST":
        if not office or request.POST.get("action") != "open":
            raise Http404
        open_form = forms.HalfYearRoundForm(request.POST)
        if open_form.is_valid():
            d = open_form.cleaned_data
            try:
                created = services.open_half_year_round(
                    actor=request.user, year=d["year"], half=d["half"], due=d["due"]
                )
            except SupervisionError as exc:
                messages.error(request, exc.message)
            else:
                half_label = "上半年" if d["half"] == 1 else "下半年"
                if created:
                    messages.success(request, f"已布置{d['year']}年{half_label}工作报告：{created}个单位。")
                else:
                    messages.info(request, f"{d['year']}年{half_label}工作报告已布置，没有新增单位。")
                return redirect(f"{reverse('supervision:half_year')}?year={d['year']}&half={d['half']}")
    default_year, default_half = last_ended_half(today)
    year = to_int(request.GET.get("year"), low=2000, high=2100) or default_year
    half = to_int(request.GET.get("half"), low=1, high=2)
    half = half if half in (1, 2) else default_half
    state = request.GET.get("state", "")
    if office:  # the office reads one round for every unit; a unit reads its own rows of every round
        counts = selectors.round_counts(request.user, year=year, half=half, today=today)
        qs = selectors.half_year_list(request.user, today=today, state=state, year=year, half=half)
    else:
        counts = None
        qs = selectors.half_year_list(request.user, today=today, state=state)
    page = Paginator(qs, HALF_YEAR_PAGE_SIZE).get_page(request.GET.get("page"))
    if office and open_form is None:
        open_form = forms.HalfYearRoundForm(initial={"year": default_year, "half": default_half})
    return render(
        request,
        "supervision/half_year.html",
        {
            "office": office,
            "year": year,
            "half": half,
            "half_label": "上半年" if half == 1 else "下半年",
            "state": state,
            "states": forms.HALF_YEAR_STATES,
            "counts": counts,
            "page": page,
            "rows": _half_rows(request.user, page.object_list, today),
            "links": page_links(request, page),
            "open_form": forms.styled(open_form) if open_form is not None else None,
            "years": range(today.year, today.year - 5, -1),
        },
    )


@login_required
def half_year_download(request, pk: int, file_id: int):
    """A filed half-year report's file, for whoever may see the report (the unit, its leaders, the office)."""
    report = selectors.half_year_report_or_404(request.user, pk)
    return file_response(report.files.filter(pk=file_id).first())


@login_required
def half_year_file(request, pk: int):
    """The unit files its half-year report: sent to its counterpart department, a copy with the office."""
    report = selectors.half_year_report_or_404(request.user, pk)
    today = timezone.localdate()
    if report.state == HalfYearReport.State.FILED or not may_file(request.user, report):
        if request.method == "POST":
            messages.error(
                request,
                "该半年报告已备案。" if report.state == HalfYearReport.State.FILED else "只能报送本单位的半年报告。",
            )
        return render(
            request,
            "supervision/_public_half_year_file.html",
            {"report": report, "files": report.files.all(), "state": _half_state(report, today), "form": None},
        )
    previous = selectors.previous_counterpart(report.unit_id)
    form = forms.HalfYearFileForm(request.POST or None, request.FILES or None, initial={"counterpart": previous})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.file_half_year_report(
                actor=request.user,
                report=report,
                summary=d["summary"],
                counterpart=d["counterpart"],
                sent_on=d["sent_on"],
                files=d["files"],
            )
        except SupervisionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{report}已报送{d['counterpart']}并在区政府办公室备案。")
            return redirect(f"{reverse('supervision:half_year')}?year={report.year}&half={report.half}")
    return render(
        request,
        "supervision/_public_half_year_file.html",
        {
            "report": report,
            "form": forms.styled(form),
            "state": _half_state(report, today),
            "due_text": due_text(report.due, today)[0],
        },
    )
