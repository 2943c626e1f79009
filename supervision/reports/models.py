"""The lead and cooperating units' reports (SUP-2), every unit's half-year report (SUP-2) and the rectification of
a problem found by supervision (SUP-3).

A `ProgressReport` is a row written by a step on its item (the lead unit's `report_progress`, a cooperating unit's
`report_part`). A `HalfYearReport` is an item of its own — one per unit and half-year, opened from its own page, with
its clock (a Deadline row, rule SUP-2) — so its state is a protected FSM field too. A `Rectification` hangs off its
item one-to-one.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from supervision.ledger.models import SupervisionItem
from tiexi_gov.fsm import object_permission
from tiexi_gov.org.models import Unit

__all__ = ["HalfYearReport", "ProgressReport", "Rectification"]


def _allowed(check_name: str):
    return object_permission("supervision.reports.permissions", check_name)


class ProgressReport(models.Model):
    """SUP-2: the lead unit's report on the item's cycle; a cooperating unit's report of its part."""

    item = models.ForeignKey(SupervisionItem, on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey(Unit, verbose_name="报告单位", on_delete=models.PROTECT, related_name="+")
    is_part = models.BooleanField("协办单位报告", default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报告人", on_delete=models.PROTECT, related_name="+"
    )
    reported_on = models.DateField("报告日期")
    percent = models.PositiveSmallIntegerField("完成进度（%）", validators=[MaxValueValidator(100)])
    done = models.TextField("已完成工作")
    problems = models.TextField("存在问题", blank=True)
    next_steps = models.TextField("下步打算", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "进展报告"
        verbose_name_plural = "进展报告"
        ordering = ["-reported_on", "-id"]
        indexes = [models.Index(fields=["item", "-reported_on"])]

    def __str__(self) -> str:
        return f"{self.unit} {self.reported_on} {self.percent}%"


class Rectification(models.Model):
    """SUP-3 (第四十九条、第四十三条): a problem found by supervision, fixed by a deadline, closed only with a
    long-term mechanism (长效机制); a major problem is reported to the government's leaders."""

    class Level(models.TextChoices):
        NATIONAL = "national", "国家"
        PROVINCIAL = "provincial", "省"
        CITY = "city", "市"
        DISTRICT = "district", "区"

    item = models.OneToOneField(SupervisionItem, on_delete=models.CASCADE, related_name="rectification")
    problem = models.TextField("发现问题")
    level = models.CharField("督查层级", max_length=20, choices=Level.choices)
    found_by = models.CharField("督查组/来源", max_length=200)
    measures = models.TextField("整改措施")
    mechanism = models.TextField("长效机制", blank=True)
    is_major = models.BooleanField("重大问题", default=False)
    reported_to_leaders_at = models.DateTimeField("报告区政府领导时间", null=True, blank=True)

    class Meta:
        verbose_name = "问题整改"
        verbose_name_plural = "问题整改"

    def __str__(self) -> str:
        return f"整改：{self.item}"


class HalfYearReport(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """SUP-2 (第四十九条): every unit reports at least every half year to its higher-level counterpart
    department (上级对口部门), with a copy filed with the office. One row per unit and half-year; its
    deadline is a Deadline row (rule SUP-2) owed by the unit."""

    class State(models.TextChoices):
        PENDING = "pending", "待报送"
        FILED = "filed", "已备案"

    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="half_year_reports")
    year = models.PositiveIntegerField("年度")
    half = models.PositiveSmallIntegerField("半年", choices=[(1, "上半年"), (2, "下半年")])
    due = models.DateField("报送截止")
    state = FSMField("状态", max_length=20, choices=State.choices, default=State.PENDING, protected=True)
    counterpart = models.CharField("上级对口部门", max_length=100, blank=True)
    sent_to_counterpart_on = models.DateField("报送上级对口部门日期", null=True, blank=True)
    summary = models.TextField("报告摘要", blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    filed_on = models.DateField("备案日期", null=True, blank=True)

    class Meta:
        verbose_name = "半年报告"
        verbose_name_plural = "半年报告"
        ordering = ["-year", "-half", "unit__order", "unit_id"]
        constraints = [models.UniqueConstraint(fields=["unit", "year", "half"], name="half_year_report_once")]
        indexes = [models.Index(fields=["state", "due"])]

    def __str__(self) -> str:
        return f"{self.unit.display_name} {self.year}年{self.get_half_display()}工作报告"

    @transition(field=state, source=State.PENDING, target=State.FILED, permission=_allowed("can_file_half_year"))
    def file(self):
        """The unit reports to its counterpart department and files a copy with the office."""

    @transition(field=state, source=State.PENDING, target=State.FILED, permission=_allowed("can_file_for_unit"))
    def file_for_unit(self):
        """The office files a copy it received on paper, in the unit's stead."""
