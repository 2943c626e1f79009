"""The minutes flow's tables (MTG-3, MTG-6, MTG-7, MTG-10, MTG-12): the minutes of a held meeting, the steps of
their signing chain, and the decisions recorded per topic (what each starts once the minutes are signed).

A signature that leaves others to sign is a self-loop (`sign_step`); the last one is `finish`. The conditions
make exactly one of them available while the minutes are being signed, to the handlers of the next step's post.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from tiexi_gov.fsm import object_permission
from tiexi_gov.org.models import Post, Unit

from ..meeting.models import Meeting, Topic

__all__ = ["Decision", "Minutes", "MinutesStep"]


def _allowed(check_name: str):
    """An object-only transition permission, asked of `meetings.minutes.permissions` (X-2)."""
    return object_permission("meetings.minutes.permissions", check_name)


def _more_than_one_step_left(minutes: Minutes) -> bool:
    return minutes.unsigned_count() > 1


def _last_step_left(minutes: Minutes) -> bool:
    return minutes.unsigned_count() == 1


class Minutes(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """会议纪要: drafted after the meeting, then signed step by step along its kind's chain (MTG-3, MTG-6, MTG-7)."""

    class State(models.TextChoices):
        DRAFTING = "drafting", "起草中"
        SIGNING = "signing", "审签中"
        SIGNED = "signed", "已签发"

    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="minutes")
    number = models.CharField("纪要编号", max_length=60, blank=True)
    body = models.TextField("纪要正文（导语）", blank=True)
    state = FSMField("状态", default=State.DRAFTING, choices=State.choices, protected=True)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    signed_at = models.DateTimeField("签发时间", null=True, blank=True)

    class Meta:
        verbose_name = "会议纪要"
        verbose_name_plural = "会议纪要"

    def __str__(self) -> str:
        return f"{self.meeting.title}纪要"

    def unsigned_count(self) -> int:
        return self.steps.filter(signed_at__isnull=True).count()

    @transition(field=state, source=State.DRAFTING, target=State.SIGNING, permission=_allowed("can_draft_minutes"))
    def send_for_signing(self):
        pass

    @transition(field=state, source=State.SIGNING, target=State.DRAFTING, permission=_allowed("can_sign_step"))
    def send_back(self):
        pass

    @transition(
        field=state,
        source=State.SIGNING,
        target=None,
        conditions=[_more_than_one_step_left],
        permission=_allowed("can_sign_step"),
    )
    def sign_step(self):
        """One signature of the chain that leaves others to sign (MTG-3, MTG-6, MTG-7)."""

    @transition(
        field=state,
        source=State.SIGNING,
        target=State.SIGNED,
        conditions=[_last_step_left],
        permission=_allowed("can_sign_step"),
    )
    def finish(self):
        """The last signature of the chain: the minutes are signed and the decisions take effect."""


class MinutesStep(models.Model):
    """One signature in a minutes chain, in order, by the right post (its handler that day)."""

    class Step(models.TextChoices):
        OFFICE_DEPUTY_REVIEW = "office_deputy_review", "办公室分管副主任审核"
        OFFICE_DIRECTOR_REVIEW = "office_director_review", "办公室主任审核"
        JUDICIAL_FORWARD = "judicial_forward", "分管司法工作的副区长批转合法性审查"
        LEGALITY_REVIEW = "legality_review", "司法局合法性审查"
        UNIT_COUNTERSIGN = "unit_countersign", "参会部门会签"
        CHAIR_APPROVE = "chair_approve", "主持会议的区领导审定"
        SECRETARY_SIGN = "secretary_sign", "党组书记签发"
        HEAD_SIGN = "head_sign", "区长签发"

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveIntegerField("顺序")
    step = models.CharField("环节", max_length=30, choices=Step.choices)
    post = models.ForeignKey(Post, verbose_name="签署职务", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        Unit, verbose_name="会签部门", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    capacity = models.CharField("身份", max_length=120, blank=True)
    opinion = models.TextField("意见", blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "纪要审签环节"
        verbose_name_plural = "纪要审签环节"
        ordering = ["minutes", "order", "id"]
        indexes = [models.Index(fields=["post"], condition=Q(signed_at__isnull=True), name="minutes_step_open_idx")]

    def __str__(self) -> str:
        return f"{self.get_step_display()}（{self.post}）"


class Decision(models.Model):
    """A decision recorded per topic in the minutes. It starts clocks: a document to issue (MTG-10, 7 WD) or work
    assigned (a supervision item); plenary and executive decisions are published unless confidential (MTG-12)."""

    class Kind(models.TextChoices):
        RECORD = "record", "原则通过/知悉"
        ISSUE_DOCUMENT = "issue_document", "决定印发文件"
        ASSIGN_WORK = "assign_work", "部署工作（交办督办）"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions")
    order = models.PositiveIntegerField("顺序", default=1)
    kind = models.CharField("决定类型", max_length=20, choices=Kind.choices, default=Kind.RECORD)
    text = models.TextField("会议决定")
    confidential = models.BooleanField("依法需要保密（不公开）", default=False)
    confidential_reason = models.CharField("不公开的依据和理由", max_length=300, blank=True)
    # issue_document
    document_title = models.CharField("拟印发文件标题", max_length=200, blank=True)
    drafting_unit = models.ForeignKey(
        Unit, verbose_name="起草单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outgoing = models.OneToOneField(
        "documents.OutgoingDocument",
        verbose_name="发文",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_decision",
    )
    # assign_work
    lead_unit = models.ForeignKey(
        Unit, verbose_name="牵头单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    co_units = models.ManyToManyField(Unit, verbose_name="协办单位", blank=True, related_name="+")
    leader_post = models.ForeignKey(
        Post, verbose_name="责任领导", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due = models.DateField("完成时限", null=True, blank=True)
    standard = models.TextField("量化标准", blank=True)
    published_on = models.DateField("公开日期", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "会议决定"
        verbose_name_plural = "会议决定"
        ordering = ["meeting", "order", "id"]
        permissions = [("read_decision", "可查阅保密会议决定")]

    def __str__(self) -> str:
        # Shown wherever the decision is named (a supervision item's source, the audit record's subject): a
        # confidential decision is named by its number, never by its words (MTG-12, X-2).
        if self.confidential:
            return f"{self.meeting.title}决定（第{self.order}项，依法保密）"
        text = " ".join(self.text.split())
        return f"{self.meeting.title}决定：{text[:40]}"
