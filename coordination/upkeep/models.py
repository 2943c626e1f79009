"""Upkeep of the bodies: leader changes (CRD-3), review rounds (CRD-4), annual targets (CRD-5)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from tiexi_gov.fsm import object_permission
from tiexi_gov.org.models import Post

from ..register.models import Application, Body


def _allowed(check_name: str):
    """An object-only transition permission, asked of `coordination.upkeep.permissions` (X-2)."""
    return object_permission("coordination.upkeep.permissions", check_name)


class Adjustment(models.Model):
    """CRD-3 (第六十六条): an adjustment after a leader change — one body or a batch. In a batch the government
    office's document covers only the head/leader changes; member changes are issued by each body's office and
    filed with the government office. A body headed by a department head adjusts itself and files."""

    class Kind(models.TextChoices):
        BATCH = "batch", "集中调整（区政府办公室发文）"
        SINGLE = "single", "单独调整"
        SELF = "self", "机构办公室自行发文调整（部门负责人任主要负责人）"
        MEMBERS_FILED = "members_filed", "成员调整（机构办公室发文，报办公室备案）"

    kind = models.CharField("方式", max_length=20, choices=Kind.choices)
    post = models.ForeignKey(
        Post, verbose_name="变动职务", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    previous_holder = models.CharField("原任职人", max_length=60, blank=True)
    new_holder = models.CharField("现任职人", max_length=60, blank=True)
    bodies = models.ManyToManyField(Body, verbose_name="涉及机构", related_name="adjustments")
    document_number = models.CharField("调整文件文号", max_length=80, blank=True)
    note = models.TextField("说明", blank=True)
    informed_deputy_post = models.ForeignKey(
        Post, verbose_name="报阅分管区领导", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on = models.DateField("调整日期")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "机构调整记录"
        verbose_name_plural = "机构调整记录"
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.on}）"


class ReviewRound(models.Model):
    """CRD-4 (第六十七条): a periodic review of every body by the office."""

    title = models.CharField("名称", max_length=120)
    opened_on = models.DateField("开始日期")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_on = models.DateField("结束日期", null=True, blank=True)

    class Meta:
        verbose_name = "清理评估"
        verbose_name_plural = "清理评估"
        ordering = ["-opened_on", "-id"]

    def __str__(self) -> str:
        return self.title


class ReviewEntry(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """One body assessed in a round: the grounds the portal suggests and the office's decision. A pending entry
    waits on the office (CRD-4); a merge or abolish decision feeds an application (CRD-1) and stands; a decision to
    keep may be changed while the round is open."""

    class Decision(models.TextChoices):
        PENDING = "pending", "待评估"
        KEEP = "keep", "保留"
        MERGE = "merge", "建议合并"
        ABOLISH = "abolish", "建议撤销"

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="entries")
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="review_entries")
    suggestions = models.JSONField("系统提示", default=list, blank=True)
    grounds = models.JSONField("认定的撤并依据", default=list, blank=True)
    decision = FSMField("评估结论", max_length=20, choices=Decision.choices, default=Decision.PENDING, protected=True)
    merge_into = models.ForeignKey(Body, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField("评估意见", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "清理评估记录"
        verbose_name_plural = "清理评估记录"
        ordering = ["round", "body__name"]
        constraints = [models.UniqueConstraint(fields=["round", "body"], name="one_entry_per_body_per_round")]

    def __str__(self) -> str:
        return f"{self.round}：{self.body}"

    # --- transitions: only coordination.upkeep.services calls these ---------------------------------------------

    def round_is_open(self) -> bool:
        return not ReviewRound.objects.filter(pk=self.round_id, closed_on__isnull=False).exists()

    def not_fed(self) -> bool:
        """A decision that became an application (CRD-1) stands."""
        return not Application.objects.filter(review_id=self.pk).exists()

    @transition(
        field=decision,
        source=[Decision.PENDING, Decision.KEEP],
        target=Decision.KEEP,
        permission=_allowed("can_decide_entry"),
        conditions=[round_is_open, not_fed],
    )
    def decide_keep(self):
        """CRD-4: the office keeps the body."""

    @transition(
        field=decision,
        source=[Decision.PENDING, Decision.KEEP],
        target=Decision.MERGE,
        permission=_allowed("can_decide_entry"),
        conditions=[round_is_open, not_fed],
    )
    def decide_merge(self):
        """CRD-4: the office proposes to merge the body into another (feeds a merge application)."""

    @transition(
        field=decision,
        source=[Decision.PENDING, Decision.KEEP],
        target=Decision.ABOLISH,
        permission=_allowed("can_decide_entry"),
        conditions=[round_is_open, not_fed],
    )
    def decide_abolish(self):
        """CRD-4: the office proposes to abolish the body (feeds an abolish application)."""


class AnnualTargets(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """CRD-5 (第六十八条): a body's targets for the year, reported to its head and filed with the government
    office by a deadline the office sets (a Deadline row, reminded); reviewed before year end."""

    class State(models.TextChoices):
        PENDING = "pending", "待报送"
        FILED = "filed", "已备案"
        REVIEWED = "reviewed", "已督导检查"

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="annual_targets")
    year = models.PositiveIntegerField("年度")
    due = models.DateField("报送截止")
    state = FSMField("状态", max_length=20, choices=State.choices, default=State.PENDING, protected=True)
    reported_to_head_on = models.DateField("向机构主要负责人汇报日期", null=True, blank=True)
    filed_on = models.DateField("报办公室备案日期", null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_on = models.DateField("督导检查日期", null=True, blank=True)
    review_note = models.TextField("督导意见", blank=True)

    class Meta:
        verbose_name = "年度目标"
        verbose_name_plural = "年度目标"
        ordering = ["-year", "body__name"]
        constraints = [models.UniqueConstraint(fields=["body", "year"], name="one_target_set_per_body_year")]
        indexes = [models.Index(fields=["year", "state"])]

    def __str__(self) -> str:
        return f"{self.body} {self.year}年度目标"

    # --- transitions: only coordination.upkeep.services calls these ---------------------------------------------

    @transition(field=state, source=State.PENDING, target=State.FILED, permission=_allowed("can_file_targets"))
    def file_with_office(self):
        """CRD-5: the body's office files the year's targets, after reporting them to the body's head."""

    @transition(field=state, source=State.FILED, target=State.REVIEWED, permission=_allowed("can_check_targets"))
    def check_completion(self):
        """CRD-5: before year end the office checks completion target by target."""

    @transition(field=state, source=State.REVIEWED, target=State.REVIEWED, permission=_allowed("can_check_targets"))
    def recheck_completion(self):
        """The office corrects its completion check (an alternative, never a step of its own)."""


class Target(models.Model):
    """One target of a body's year, with its completion as checked before year end."""

    targets = models.ForeignKey(AnnualTargets, on_delete=models.CASCADE, related_name="items")
    text = models.TextField("目标任务")
    done = models.BooleanField("已完成", null=True, blank=True)
    note = models.TextField("完成情况", blank=True)
    follow_up = models.ForeignKey(
        "supervision.SupervisionItem",
        verbose_name="督办事项",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "目标任务"
        verbose_name_plural = "目标任务"
        ordering = ["targets", "id"]

    def __str__(self) -> str:
        return self.text[:40]


__all__ = ["Adjustment", "AnnualTargets", "ReviewEntry", "ReviewRound", "Target"]
