"""The office's corrections to the official calendar (CAL-2): edited in admin or imported from CSV."""

from django.conf import settings
from django.db import models


class WorkdayOverride(models.Model):
    """One day whose status differs from (or is missing in) chinesecalendar's data."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日")
    reason = models.CharField("事由", max_length=100, help_text="如：国庆节、调休上班")
    source_notice = models.CharField("依据通知", max_length=200, blank=True, help_text="国务院办公厅通知文号")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "工作日调整"
        verbose_name_plural = "工作日调整"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_workday else '放假'} {self.reason}"


class CalendarYear(models.Model):
    """A year whose official holiday arrangement the office has entered (so it is no longer provisional)."""

    year = models.PositiveIntegerField("年份", primary_key=True)
    source_notice = models.CharField("依据通知", max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "已录入年度"
        verbose_name_plural = "已录入年度（正式日历）"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}年"
