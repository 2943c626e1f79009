"""One clock for every rule (X-3): a Deadline row per running clock.

Rows are created and closed only by `deadlines.services`, inside the transaction of the transition
that starts or stops the clock. The sweep finds its work through the two partial indexes below, so
its cost follows the number of due rows, not the number of open ones.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from . import rules

RUNNING = Q(closed_at__isnull=True)


class DeadlineQuerySet(models.QuerySet):
    def running(self):
        """Still owed: open, or missed and not yet closed (overdue work someone must still finish)."""
        return self.filter(closed_at__isnull=True, state__in=(Deadline.State.OPEN, Deadline.State.MISSED))


class Deadline(models.Model):
    """A running clock. `state` says whether it was kept; `closed_at` says whether it still runs.

    open   + closed_at empty: running, not yet due (or due and not yet swept);
    missed + closed_at empty: overdue and escalated, still owed (shown as "超期 N 个工作日");
    met / missed / cancelled + closed_at set: finished.
    """

    class State(models.TextChoices):
        OPEN = "open", "进行中"
        MET = "met", "按期完成"
        MISSED = "missed", "已超期"
        SETTLED = "settled", "逾期按规则办结"
        CANCELLED = "cancelled", "已撤销"

    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.CharField(max_length=64)
    subject = GenericForeignKey("subject_type", "subject_id")
    subject_repr = models.CharField("事项", max_length=300)
    url = models.CharField("链接", max_length=300, blank=True)

    rule_id = models.CharField("规则", max_length=20, db_index=True)
    title = models.CharField("时限内容", max_length=200)
    counted_from = models.DateField("起算日")
    workdays = models.PositiveIntegerField("工作日数", null=True, blank=True, help_text="留空表示固定日期")
    due = models.DateField("截止日")
    remind_on = models.DateField("提醒日", help_text="截止日前一个工作日")
    provisional = models.BooleanField("暂定", default=False, help_text="所在年度尚无正式日历")

    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="责任人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deadlines",
    )
    owner_post = models.ForeignKey(
        "org.Post",
        verbose_name="责任职务",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deadlines",
    )
    owner_unit = models.ForeignKey(
        "org.Unit",
        verbose_name="责任单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deadlines",
    )

    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    reminded_at = models.DateTimeField("提醒时间", null=True, blank=True)
    escalated_at = models.DateTimeField("督办时间", null=True, blank=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    close_note = models.CharField("关闭说明", max_length=200, blank=True)
    # A limit agreed anew (第六十条, DOC-7 商定延期): the clock opened in place of the one it replaces, which is
    # cancelled. Set only by deadlines.services.extend_deadline; the compliance board counts these as 延期.
    extended_from = models.ForeignKey(
        "self",
        verbose_name="延期前时限",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # the partial index below: only extended clocks carry it
    )

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        verbose_name = "时限"
        verbose_name_plural = "时限"
        ordering = ["due", "id"]
        indexes = [
            models.Index(fields=["due"], condition=Q(state="open"), name="deadline_open_due_idx"),
            models.Index(
                fields=["remind_on"],
                condition=Q(state="open", reminded_at__isnull=True),
                name="deadline_to_remind_idx",
            ),
            models.Index(fields=["subject_type", "subject_id"]),
            # Queue and board read the running rows (open, or missed and still owed).
            models.Index(fields=["owner_user", "due"], condition=RUNNING, name="deadline_run_user_idx"),
            models.Index(fields=["owner_post", "due"], condition=RUNNING, name="deadline_run_post_idx"),
            models.Index(fields=["owner_unit", "due"], condition=RUNNING, name="deadline_run_unit_idx"),
            models.Index(fields=["due"], condition=RUNNING, name="deadline_run_due_idx"),
            models.Index(fields=["provisional"], condition=Q(provisional=True), name="deadline_provisional_idx"),
            # The compliance board's year filter (clocks counted from a day in the year).
            models.Index(fields=["counted_from"], name="deadline_counted_from_idx"),
            models.Index(
                fields=["extended_from"], condition=Q(extended_from__isnull=False), name="deadline_extended_from_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{rules.plain(self.rule_id)} {self.title}（{self.due}）"
