"""The schedule flow's tables (MTG-3, MTG-4, MTG-11): postponements of meetings, the year's plan of district-wide
meetings and its unplanned meetings (the responsible deputy, then the head), and the .ics feed's secret."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from tiexi_gov.fsm import object_permission
from tiexi_gov.org.models import Unit

from ..meeting.models import Meeting

__all__ = ["CalendarToken", "DistrictMeeting", "MeetingPlan", "Postponement"]


def _allowed(check_name: str):
    """An object-only transition permission, asked of `meetings.schedule.permissions` (X-2)."""
    return object_permission("meetings.schedule.permissions", check_name)


class Postponement(models.Model):
    """MTG-3/MTG-4: a regular meeting moved; decided by the secretary (party group) or the head (executive)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="postponements")
    from_date = models.DateField("原定日期")
    to_date = models.DateField("改定日期")
    reason = models.CharField("原因", max_length=300)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_as = models.CharField("审定身份", max_length=120, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "会议顺延"
        verbose_name_plural = "会议顺延"
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.meeting.title}：{self.from_date}→{self.to_date}"


class MeetingPlan(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """MTG-11 (第五十九条): the year's plan of district-wide meetings — listed by the office, checked by the office
    director, approved by the head."""

    class State(models.TextChoices):
        DRAFTING = "drafting", "办公室编制中"
        CHECKED = "checked", "主任已核（待区长审定）"
        APPROVED = "approved", "区长已审定"

    year = models.PositiveIntegerField("年度", unique=True)
    state = FSMField("状态", default=State.DRAFTING, choices=State.choices, protected=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "全区性会议计划"
        verbose_name_plural = "全区性会议计划"

    def __str__(self) -> str:
        return f"{self.year}年全区性会议计划"

    @transition(field=state, source=State.DRAFTING, target=State.CHECKED, permission=_allowed("can_check_plan"))
    def check_plan(self):
        pass

    @transition(field=state, source=State.CHECKED, target=State.APPROVED, permission=_allowed("can_approve_plan"))
    def approve(self):
        pass

    @transition(field=state, source=State.CHECKED, target=State.DRAFTING, permission=_allowed("can_approve_plan"))
    def send_back(self):
        pass


class DistrictMeeting(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """MTG-11: a district-wide meeting — held by the government ("铁西区…会议", office logistics), in the
    government's name ("全区…会议", the department's logistics), or a department's own-system meeting."""

    class Sponsorship(models.TextChoices):
        BY_GOVERNMENT = "by_government", "区政府召开（铁西区…会议）"
        IN_GOVERNMENT_NAME = "in_government_name", "以区政府名义召开（全区…会议）"
        OWN_SYSTEM = "own_system", "部门召开本系统全区性会议"

    class State(models.TextChoices):
        PLANNED = "planned", "已列入计划"
        AWAITING_DEPUTY = "awaiting_deputy", "计划外：待分管副区长审批"
        AWAITING_HEAD = "awaiting_head", "计划外：待区长审定"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "未批准"

    plan = models.ForeignKey(MeetingPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="meetings")
    year = models.PositiveIntegerField("年度")
    name = models.CharField("会议名称", max_length=200)
    sponsorship = models.CharField("召开方式", max_length=30, choices=Sponsorship.choices)
    unit = models.ForeignKey(Unit, verbose_name="承办部门", on_delete=models.PROTECT, related_name="district_meetings")
    month = models.PositiveSmallIntegerField("计划月份", null=True, blank=True)
    invites_township_heads = models.BooleanField("邀请乡、街负责人参加", default=False)
    planned = models.BooleanField("列入年度计划", default=True)
    reason = models.CharField("临时召开事由", max_length=300, blank=True)
    # MTG-11: the limit of 第五十九条 an unplanned meeting goes beyond (原则上 only), shown to those who decide.
    beyond_principle = models.CharField("超出原则的情形", max_length=200, blank=True)
    state = FSMField("状态", default=State.PLANNED, choices=State.choices, protected=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "全区性会议"
        verbose_name_plural = "全区性会议"
        ordering = ["year", "month", "id"]
        indexes = [models.Index(fields=["unit", "year", "sponsorship"])]

    def __str__(self) -> str:
        return self.name

    @transition(
        field=state,
        source=State.AWAITING_DEPUTY,
        target=State.AWAITING_HEAD,
        permission=_allowed("can_approve_as_deputy"),
    )
    def deputy_approve(self):
        pass

    @transition(
        field=state, source=State.AWAITING_HEAD, target=State.APPROVED, permission=_allowed("can_approve_as_head")
    )
    def head_approve(self):
        pass

    @transition(
        field=state,
        source=(State.AWAITING_DEPUTY, State.AWAITING_HEAD),
        target=State.REJECTED,
        permission=_allowed("can_reject_unplanned"),
    )
    def reject(self):
        pass


class CalendarToken(models.Model):
    """A secret per user for their .ics feed (a phone calendar cannot log in); revocable by regenerating."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_calendar")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "会议日历订阅"
        verbose_name_plural = "会议日历订阅"

    def __str__(self) -> str:
        return f"{self.user} 日历订阅"
