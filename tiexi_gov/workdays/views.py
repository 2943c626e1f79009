"""The calendar admin's page: the years' status and the CSV import of a State Council notice (CAL-2)."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from . import calendar
from .forms import ImportForm
from .models import CalendarYear, WorkdayOverride
from .permissions import may_edit_calendar
from .services import CalendarImportError, import_overrides_csv


def _require_calendar_admin(user):
    if not may_edit_calendar(user):
        raise Http404


def _year_rows(today: dt.date):
    entered = {e.year: e for e in CalendarYear.objects.select_related("entered_by")}
    counts = dict(
        WorkdayOverride.objects.annotate(y=ExtractYear("date"))
        .values("y")
        .annotate(n=Count("id"))
        .values_list("y", "n")
    )
    years = sorted(set(range(today.year - 2, today.year + 3)) | set(entered) | set(counts))
    return [
        {
            "year": y,
            "covered": y in calendar.COVERED_YEARS,
            "entered": entered.get(y),
            "overrides": counts.get(y, 0),
            "provisional": y not in calendar.COVERED_YEARS and y not in entered,
        }
        for y in years
    ]


@login_required
def import_calendar(request):
    _require_calendar_admin(request.user)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = import_overrides_csv(
                    file=form.cleaned_data["file"],
                    source_notice=form.cleaned_data["source_notice"],
                    actor=request.user,
                    mark_years_official=form.cleaned_data["mark_official"],
                )
            except CalendarImportError as exc:
                form.add_error("file", f"导入失败，未写入任何数据。{exc}")
            else:
                messages.success(request, result.summary())
                return redirect("workdays:import")
    else:
        form = ImportForm()
    return render(
        request,
        "workdays/import.html",
        {"form": form, "years": _year_rows(timezone.localdate())},
        status=400 if form.errors else 200,
    )
