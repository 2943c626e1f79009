"""The public register (公开目录, PUB-2): what the government has published."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from documents.shared.choices import Disclosure


class PublicRegisterEntry(models.Model):
    """PUB-2 (第三十四条、第三十六条): the register of published items — documents marked public once issued,
    meeting decisions once the meetings app publishes them. Denormalized so browsing needs no joins; an item
    withdrawn later stays as a row but is never listed."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", "公文"
        MEETING_DECISION = "meeting_decision", "会议决定"
        PROPOSAL_RESULT = "proposal_result", "建议提案办理结果"

    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    source_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.PROTECT, related_name="+")
    source_id = models.CharField(max_length=40)
    title = models.CharField("标题", max_length=200)
    number = models.CharField("文号", max_length=60, blank=True)
    issuer_name = models.CharField("发布机关", max_length=100)
    published_on = models.DateField("发布日期")
    disclosure = models.CharField("公开属性", max_length=20, choices=Disclosure.choices)
    text = models.TextField("公开内容", blank=True)
    interpretation_title = models.CharField("解读标题", max_length=200, blank=True)
    interpretation_text = models.TextField("政策解读", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    withdrawn = models.BooleanField("已撤回", default=False)
    withdrawn_on = models.DateField("撤回日期", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "公开目录"
        verbose_name_plural = "公开目录"
        ordering = ["-published_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source_type", "source_id"], name="one_register_entry_per_source")
        ]
        indexes = [
            models.Index(fields=["-published_on", "-id"], condition=Q(withdrawn=False), name="register_listed_idx")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()
