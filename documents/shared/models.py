"""DOC-8's checklist of legal procedures, shared by a normative 发文 and a unit's request for one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from documents.outgoing.models import OutgoingAttachment, OutgoingDocument
from documents.submissions.models import Attachment, Submission


class NormativeStep(models.TextChoices):
    """DOC-8 (第六十条): the procedures a normative document shows before it is submitted for issuance."""

    PUBLIC_PARTICIPATION = "public_participation", "公众参与"
    EXPERT_ARGUMENTATION = "expert_argumentation", "专家论证"
    RISK_ASSESSMENT = "risk_assessment", "风险评估"
    LEGALITY_REVIEW = "legality_review", "合法性审查（起草单位法制机构）"
    COLLECTIVE_DISCUSSION = "collective_discussion", "集体讨论"
    FAIR_COMPETITION = "fair_competition", "公平竞争审查"
    INTERPRETATION = "interpretation", "政策解读材料"
    OPINION_PLAN = "opinion_plan", "舆情应对方案"


BASE_NORMATIVE_STEPS = (
    NormativeStep.PUBLIC_PARTICIPATION,
    NormativeStep.EXPERT_ARGUMENTATION,
    NormativeStep.RISK_ASSESSMENT,
    NormativeStep.LEGALITY_REVIEW,
    NormativeStep.COLLECTIVE_DISCUSSION,
)


class NormativeChecklistItem(models.Model):
    """One DOC-8 step: done with its evidence, or skipped with the stated reason. It belongs to exactly one
    normative 发文 (flow B) or one unit's request that the government issue a normative document (flow A);
    both are checked by the same rules (services.required_normative_steps / normative_violations)."""

    class Status(models.TextChoices):
        DONE = "done", "已履行"
        SKIPPED = "skipped", "不履行（说明理由）"

    document = models.ForeignKey(
        OutgoingDocument,
        verbose_name="发文",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="checklist",
    )
    submission = models.ForeignKey(
        Submission,
        verbose_name="上报公文",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="checklist",
    )
    step = models.CharField("程序", max_length=30, choices=NormativeStep.choices)
    status = models.CharField("履行情况", max_length=20, choices=Status.choices)
    evidence = models.TextField("履行情况及依据", blank=True)
    evidence_file = models.ForeignKey(
        OutgoingAttachment, verbose_name="证明材料", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evidence_attachment = models.ForeignKey(
        Attachment,
        verbose_name="证明材料（上报公文附件）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    skip_reason = models.TextField("不履行的具体理由", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="填报人", on_delete=models.PROTECT)
    recorded_at = models.DateTimeField("填报时间", auto_now=True)

    class Meta:
        verbose_name = "规范性文件程序"
        verbose_name_plural = "规范性文件程序"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["document", "step"], name="one_checklist_row_per_step"),
            models.UniqueConstraint(fields=["submission", "step"], name="one_submission_checklist_row_per_step"),
            models.CheckConstraint(
                condition=Q(document__isnull=False, submission__isnull=True)
                | Q(document__isnull=True, submission__isnull=False),
                name="checklist_row_of_exactly_one_document",
            ),
            # The evidence file is a file of the row's own parent kind.
            models.CheckConstraint(
                condition=Q(evidence_file__isnull=True) | Q(document__isnull=False),
                name="checklist_outgoing_evidence_only_on_outgoing",
            ),
            models.CheckConstraint(
                condition=Q(evidence_attachment__isnull=True) | Q(submission__isnull=False),
                name="checklist_submission_evidence_only_on_submission",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_step_display()}：{self.get_status_display()}"

    @property
    def evidence_upload(self):
        """The evidence file, whichever parent the row belongs to."""
        return self.evidence_file if self.document_id else self.evidence_attachment
