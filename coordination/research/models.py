"""District leaders' grassroots research (第七十九条, RES-1): the days and the key topics with their reports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from tiexi_gov.fsm import object_permission


def _allowed(check_name: str):
    """An object-only transition permission, asked of `coordination.research.permissions` (X-2)."""
    return object_permission("coordination.research.permissions", check_name)


class ResearchDay(models.Model):
    """RES-1 (第七十九条): a day a district leader spent on grassroots research."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="区政府领导", on_delete=models.PROTECT, related_name="research_days"
    )
    day = models.DateField("日期")
    place = models.CharField("调研地点", max_length=120)
    subject = models.CharField("调研内容", max_length=200)
    topic = models.ForeignKey("ResearchTopic", null=True, blank=True, on_delete=models.SET_NULL, related_name="days")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "调研日"
        verbose_name_plural = "调研日"
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["person", "day"], name="one_research_day_per_person_day")]

    def __str__(self) -> str:
        return f"{self.person} {self.day} {self.place}"


class ResearchTopic(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """RES-1: one of a leader's 1-2 key research topics of the year, and its report: a topic waits on its leader
    until the report is filed ("每个课题…撰写调研报告")."""

    class State(models.TextChoices):
        OPEN = "open", "待提交调研报告"
        REPORTED = "reported", "已提交调研报告"

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="区政府领导", on_delete=models.PROTECT, related_name="research_topics"
    )
    year = models.PositiveIntegerField("年度")
    title = models.CharField("重点调研课题", max_length=200)
    report = models.TextField("调研报告", blank=True)
    report_filed_on = models.DateField("报告提交日期", null=True, blank=True)
    state = FSMField("状态", max_length=20, choices=State.choices, default=State.OPEN, protected=True)

    class Meta:
        verbose_name = "重点调研课题"
        verbose_name_plural = "重点调研课题"
        ordering = ["-year", "id"]

    def __str__(self) -> str:
        return self.title

    # --- transitions: only coordination.research.services calls these -----------------------------------------

    @transition(field=state, source=State.OPEN, target=State.REPORTED, permission=_allowed("can_file_report"))
    def file_report(self):
        """The leader files the topic's research report (RES-1)."""

    @transition(field=state, source=State.OPEN, target=State.REPORTED, permission=_allowed("can_file_report_for"))
    def file_report_for(self):
        """The office files the report on the leader's behalf (an alternative, never the office's task)."""


__all__ = ["ResearchDay", "ResearchTopic"]
