"""Leaders' and unit heads' leave and travel (第七十五条 LEAVE-1..3) and the acting it sets up (LEAVE-4)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from tiexi_gov.fsm import object_permission
from tiexi_gov.org.models import ActingArrangement, Post


def _allowed(check_name: str):
    """An object-only transition permission, asked of `coordination.absence.permissions` (X-2)."""
    return object_permission("coordination.absence.permissions", check_name)


class AbsenceRequest(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """LEAVE-1..3 (第七十五条): a leader's or a unit main head's leave or travel. Approval activates the acting
    arrangement for the dates (LEAVE-4: the queue reroutes); the return report closes it."""

    class Kind(models.TextChoices):
        HEAD = "head", "区长外出（报市委、市政府）"
        DEPUTY = "deputy", "副区长外出（向区长请假）"
        UNIT_HEAD = "unit_head", "单位主要负责人外出"

    class State(models.TextChoices):
        REQUESTED = "requested", "待审批"
        APPROVED = "approved", "已批准（外出中或待外出）"
        REJECTED = "rejected", "未批准"
        RETURNED = "returned", "已返回销假"
        CANCELLED = "cancelled", "已撤回"

    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="请假人", on_delete=models.PROTECT, related_name="absence_requests"
    )
    post = models.ForeignKey(Post, verbose_name="职务", on_delete=models.PROTECT, related_name="absence_requests")
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    place = models.CharField("外出地点", max_length=120)
    purpose = models.CharField("事由", max_length=200)
    contact = models.CharField("联系方式", max_length=60)
    acting_post = models.ForeignKey(
        Post, verbose_name="代理人职务", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    national_or_provincial_meeting = models.BooleanField("参加全国性或全省性会议", default=False)
    reported_to_city_on = models.DateField("报告市委、市政府日期", null=True, blank=True)
    approver_post = models.ForeignKey(
        Post, verbose_name="审批人职务", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = FSMField("状态", default=State.REQUESTED, choices=State.choices, protected=True)
    arrangement = models.OneToOneField(
        ActingArrangement, null=True, blank=True, on_delete=models.PROTECT, related_name="absence_request"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_opinion = models.CharField("审批意见", max_length=200, blank=True)
    filed_with_office_at = models.DateTimeField("报办公室备案时间", null=True, blank=True)
    returned_on = models.DateField("返回日期", null=True, blank=True)
    return_report = models.TextField("返回报告", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "外出请假"
        verbose_name_plural = "外出请假"
        ordering = ["-start", "-id"]
        indexes = [models.Index(fields=["state", "start"]), models.Index(fields=["approver_post", "state"])]

    def __str__(self) -> str:
        return f"{self.person}外出（{self.start}～{self.end}）"

    # --- transitions: only coordination.absence.services calls these -------------------------------------------

    @transition(field=state, source=State.REQUESTED, target=State.APPROVED, permission=_allowed("can_decide_absence"))
    def approve(self):
        """LEAVE-2/LEAVE-3: the approver's approval (LEAVE-1: the head's report stands at once, by the system)."""

    @transition(field=state, source=State.REQUESTED, target=State.REJECTED, permission=_allowed("can_decide_absence"))
    def reject(self):
        """The approver's refusal, with an opinion (the alternative to approving)."""

    @transition(field=state, source=State.APPROVED, target=State.RETURNED, permission=_allowed("can_report_return"))
    def report_return(self):
        """Back at work: the requester reports the return (LEAVE-3), which ends the acting (LEAVE-4)."""

    @transition(field=state, source=State.APPROVED, target=State.RETURNED, permission=_allowed("can_report_return_for"))
    def report_return_for(self):
        """The office records the return on the requester's behalf (an alternative, never the office's task)."""

    @transition(
        field=state,
        source=(State.REQUESTED, State.APPROVED),
        target=State.CANCELLED,
        permission=_allowed("can_cancel"),
    )
    def cancel(self):
        """The requester (or the office) withdraws a request, or an approved absence that has not started."""


__all__ = ["AbsenceRequest"]
