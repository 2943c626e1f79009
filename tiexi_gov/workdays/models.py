"""The office's corrections to the official calendar (CAL-2): edited in admin or imported from CSV; and the years
the portal had to count on weekdays alone, which wait in the calendar administrators' 我的待办 until entered."""

from django.conf import settings
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from tiexi_gov.fsm import object_permission


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


class ProvisionalYear(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """A year a deadline was counted in before its official holidays were entered (CAL-2).

    The inbox alert alone left the calendar administrators' 我的待办 empty while every deadline reaching that year was
    a guess; this row is the item their 待办 points at, until the year is entered (services.enter_year). Its state
    moves only through the transitions below, fired by `workdays.provisional` through the workflow kernel:

        waiting ──enter──▶ entered ──withdraw──▶ waiting   (the official mark taken back: a guess again)
    """

    class State(models.TextChoices):
        WAITING = "waiting", "待录入"
        ENTERED = "entered", "已录入"

    year = models.PositiveIntegerField("年份", unique=True)
    state = FSMField("状态", max_length=10, choices=State.choices, default=State.WAITING, protected=True)
    noticed_at = models.DateTimeField("首次按暂定计算", auto_now_add=True)

    class Meta:
        verbose_name = "暂定年度"
        verbose_name_plural = "暂定年度（待录入正式日历）"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}年工作日历"

    @transition(
        field=state,
        source=State.WAITING,
        target=State.ENTERED,
        permission=object_permission("tiexi_gov.workdays.permissions", "keeps_calendar"),
    )
    def enter(self):
        pass

    @transition(
        field=state,
        source=State.ENTERED,
        target=State.WAITING,
        permission=object_permission("tiexi_gov.workdays.permissions", "keeps_calendar"),
    )
    def withdraw(self):
        pass
