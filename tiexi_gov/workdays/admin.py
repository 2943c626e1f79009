"""Calendar reference data in admin (CAL-2): the office enters a year's holidays and make-up days here.

Saves and deletes go through services.py so each edit is audited and the caches/recompute follow.
"""

from django.contrib import admin
from django.db import models

from tiexi_gov.forms import FIRST_DAY, LAST_DAY, admin_date_overrides

from . import services
from .models import CalendarYear, WorkdayOverride

_WEEKDAYS = "一二三四五六日"


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(admin.ModelAdmin):
    formfield_overrides = admin_date_overrides()
    list_display = ["date", "weekday", "is_workday", "reason", "source_notice", "updated_at"]
    list_filter = ["is_workday", ("date", admin.DateFieldListFilter), "source_notice"]
    search_fields = ["reason", "source_notice", "date"]
    date_hierarchy = "date"
    ordering = ["-date"]
    list_per_page = 100
    change_list_template = "workdays/admin_change_list.html"

    @admin.display(description="星期")
    def weekday(self, obj):
        return f"周{_WEEKDAYS[obj.date.weekday()]}" if obj.date else ""

    def save_model(self, request, obj, form, change):
        services.save_override(
            actor=request.user,
            date=obj.date,
            is_workday=obj.is_workday,
            reason=obj.reason,
            source_notice=obj.source_notice,
            instance=obj,
        )

    def delete_model(self, request, obj):
        services.delete_override(actor=request.user, override=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.delete_override(actor=request.user, override=obj)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    # A year within the dates every form takes: year 0 or 99999 would be marked official (CAL-2) for nothing.
    formfield_overrides = {models.PositiveIntegerField: {"min_value": FIRST_DAY.year, "max_value": LAST_DAY.year}}
    list_display = ["year", "source_notice", "entered_by", "entered_at"]
    search_fields = ["year", "source_notice"]
    readonly_fields = ["entered_by", "entered_at"]
    change_list_template = "workdays/admin_change_list.html"

    def get_readonly_fields(self, request, obj=None):
        # The year is the key: changing it would silently make another year official.
        return [*self.readonly_fields, "year"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        entry = services.enter_year(actor=request.user, year=obj.year, source_notice=obj.source_notice)
        obj.pk, obj.entered_by, obj.entered_at = entry.pk, entry.entered_by, entry.entered_at

    def delete_model(self, request, obj):
        services.remove_year(actor=request.user, year=obj.year)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.remove_year(actor=request.user, year=obj.year)
