"""传阅 / 阅知 (issue 15.4): a circulation (传阅单) of one item to named recipients, and one receipt per recipient.

A circulation sends exactly one of four things: an issued or signed 发文, its policy interpretation (第三十八条), a
coordination body's adjustment (第六十六条: "报区政府分管领导阅知") or an approved briefing (简报, 第六十三条). A
receipt is owed by a leader's post (whoever handles the post that day: its holder or the person acting, 第十五条) or
by a unit (its clerks and heads). Its state moves only through its FSM transitions, fired by the workflow kernel:

    unread ──read──▶ read ──annotate──▶ annotated
       └──────────annotate──────────────▲
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from tiexi_gov.fsm import object_permission


def _allowed(check_name: str):
    """An object-only transition permission, asked of `circulation.permissions` (X-2)."""
    return object_permission("circulation.permissions", check_name)


class Kind(models.TextChoices):
    OUTGOING = "outgoing", "发文"
    INTERPRETATION = "interpretation", "政策解读"
    ADJUSTMENT = "adjustment", "机构调整"
    BRIEFING = "briefing", "简报"


class Mode(models.TextChoices):
    NOTICE = "notice", "阅知"
    CIRCULATE = "circulate", "传阅"


SOURCE_FIELDS = {
    Kind.OUTGOING: "outgoing",
    Kind.INTERPRETATION: "interpretation",
    Kind.ADJUSTMENT: "adjustment",
    Kind.BRIEFING: "briefing",
}


def _one_source() -> Q:
    """Exactly the source field of the circulation's kind is set."""
    condition = Q()
    for kind, name in SOURCE_FIELDS.items():
        others = {f"{other}__isnull": True for other in SOURCE_FIELDS.values() if other != name}
        condition |= Q(kind=kind, **{f"{name}__isnull": False}, **others)
    return condition


class Circulation(models.Model):
    """传阅单: what was sent, by whom, when, with which note, and after how many working days the unread are
    reminded (the setting on the day it was sent)."""

    kind = models.CharField("传阅内容", max_length=20, choices=Kind.choices)
    mode = models.CharField("方式", max_length=20, choices=Mode.choices, default=Mode.CIRCULATE)
    outgoing = models.ForeignKey(
        "documents.OutgoingDocument",
        verbose_name="发文",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    interpretation = models.ForeignKey(
        "documents.PolicyInterpretation",
        verbose_name="政策解读",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    adjustment = models.ForeignKey(
        "coordination.Adjustment",
        verbose_name="机构调整",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    briefing = models.ForeignKey(
        "documents.BriefingApproval",
        verbose_name="简报",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField("标题", max_length=300, help_text="送出时的标题")
    note = models.TextField("附言", blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="送阅人", on_delete=models.PROTECT, related_name="circulations_sent"
    )
    sent_capacity = models.CharField("送阅身份", max_length=60)
    sent_at = models.DateTimeField("送阅时间")
    sent_on = models.DateField("送阅日期")
    remind_after = models.PositiveSmallIntegerField("未阅提醒工作日数")

    class Meta:
        verbose_name = "传阅单"
        verbose_name_plural = "传阅单"
        ordering = ["-sent_at", "-id"]
        constraints = [models.CheckConstraint(condition=_one_source(), name="circulation_exactly_one_source")]
        indexes = [
            models.Index(fields=["sent_by", "-sent_at"], name="circulation_sender_idx"),
            models.Index(fields=["-sent_at", "-id"], name="circulation_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"【{self.get_mode_display()}】{self.title}"

    @property
    def source(self):
        return getattr(self, SOURCE_FIELDS[Kind(self.kind)])


class ReceiptState(models.TextChoices):
    UNREAD = "unread", "未读"
    READ = "read", "已读"
    ANNOTATED = "annotated", "已阅并批注"


RS = ReceiptState
UNREAD = Q(state=RS.UNREAD)


class Receipt(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """One recipient of a circulation: a leader's post or a unit (its clerks and heads), with its reading."""

    circulation = models.ForeignKey(Circulation, on_delete=models.CASCADE, related_name="receipts")
    post = models.ForeignKey(
        "org.Post", verbose_name="领导职务", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name="单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_on = models.DateField("送阅日期", help_text="同传阅单：未阅提醒据此按工作日计算")
    state = FSMField("状态", max_length=20, choices=ReceiptState.choices, default=RS.UNREAD, protected=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="阅读人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    read_capacity = models.CharField("阅读身份", max_length=120, blank=True)
    annotation = models.TextField("批注", blank=True)
    annotated_capacity = models.CharField("批注身份", max_length=120, blank=True)
    annotated_at = models.DateTimeField("批注时间", null=True, blank=True)
    annotated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批注人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reminded_at = models.DateTimeField("提醒时间", null=True, blank=True)
    last_handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="最近经办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    last_handled_at = models.DateTimeField("最近经办时间", null=True, blank=True)

    class Meta:
        verbose_name = "阅件"
        verbose_name_plural = "阅件"
        ordering = ["circulation", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(post__isnull=False, unit__isnull=True) | Q(post__isnull=True, unit__isnull=False),
                name="receipt_post_or_unit",
            ),
            models.UniqueConstraint(
                fields=["circulation", "post"], condition=Q(post__isnull=False), name="receipt_once_per_post"
            ),
            models.UniqueConstraint(
                fields=["circulation", "unit"], condition=Q(unit__isnull=False), name="receipt_once_per_unit"
            ),
        ]
        indexes = [
            # the sweep: unread and not yet reminded, by the day they were sent
            models.Index(
                fields=["sent_on"], condition=UNREAD & Q(reminded_at__isnull=True), name="receipt_to_remind_idx"
            ),
            # the office's 逾期未阅 list: reminded and still unread
            models.Index(
                fields=["reminded_at"], condition=UNREAD & Q(reminded_at__isnull=False), name="receipt_overdue_idx"
            ),
            # 我收到的: by recipient
            models.Index(fields=["post", "state"], condition=Q(post__isnull=False), name="receipt_post_idx"),
            models.Index(fields=["unit", "state"], condition=Q(unit__isnull=False), name="receipt_unit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.circulation}（{self.recipient_name}）"

    @property
    def recipient_name(self) -> str:
        if self.post_id:
            return self.post.title
        return self.unit.display_name if self.unit_id else ""

    # --- transitions: only circulation.services fires these, through the workflow kernel ----------------------

    @transition(field=state, source=RS.UNREAD, target=RS.READ, permission=_allowed("is_recipient"))
    def read(self):
        pass

    @transition(field=state, source=[RS.UNREAD, RS.READ], target=RS.ANNOTATED, permission=_allowed("is_recipient"))
    def annotate(self):
        pass
