"""SUP-4 (第五十条): the outcomes of supervision — praise, incentive, criticism or accountability the office proposes
from a conclusion and a district leader decides. An outcome is an item of its own (its page, its approver's queue).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from supervision.ledger.models import SupervisionItem
from tiexi_gov.fsm import object_permission
from tiexi_gov.org.models import Post, Unit

__all__ = ["Outcome"]


def _allowed(check_name: str):
    return object_permission("supervision.outcomes.permissions", check_name)


class Outcome(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """SUP-4 (第五十条): from a conclusion the office proposes praise, incentive, criticism or accountability;
    a district leader decides; an approved outcome stays on the unit's record."""

    class OutcomeKind(models.TextChoices):
        PRAISE = "praise", "表扬"
        INCENTIVE = "incentive", "激励"
        CRITICISM = "criticism", "批评"
        ACCOUNTABILITY = "accountability", "追责"

    class State(models.TextChoices):
        PROPOSED = "proposed", "待领导审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "不予批准"

    item = models.ForeignKey(SupervisionItem, on_delete=models.PROTECT, related_name="outcomes")
    unit = models.ForeignKey(
        Unit, verbose_name="对象单位", on_delete=models.PROTECT, related_name="supervision_outcomes"
    )
    kind = models.CharField("结果运用", max_length=20, choices=OutcomeKind.choices)
    grounds = models.TextField("事实与依据")
    approver_post = models.ForeignKey(
        Post,
        verbose_name="审批领导",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind__in": Post.LEADER_KINDS},
    )
    state = FSMField("状态", default=State.PROPOSED, choices=State.choices, protected=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_on = models.DateField("提出日期")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField("审批日期", null=True, blank=True)
    decision_opinion = models.TextField("审批意见", blank=True)

    class Meta:
        verbose_name = "结果运用"
        verbose_name_plural = "结果运用"
        ordering = ["-proposed_on", "-id"]
        indexes = [models.Index(fields=["unit", "state"]), models.Index(fields=["approver_post", "state"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.unit}（{self.item.number}）"

    @transition(field=state, source=State.PROPOSED, target=State.APPROVED, permission=_allowed("can_decide_outcome"))
    def approve(self):
        pass

    @transition(field=state, source=State.PROPOSED, target=State.REJECTED, permission=_allowed("can_decide_outcome"))
    def reject(self):
        pass
