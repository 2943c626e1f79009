"""The append-only record of every state change (X-1).

PostgreSQL refuses UPDATE and DELETE on this table (trigger in migration 0002); the model also
refuses them in Python so that SQLite on a laptop behaves the same from the ORM.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove history."""


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("审计记录只能追加，不能修改。")

    def delete(self):
        raise AppendOnlyError("审计记录只能追加，不能删除。")

    def for_object(self, obj):
        return self.filter(
            subject_type=ContentType.objects.get_for_model(obj, for_concrete_model=False), subject_id=str(obj.pk)
        )


class Event(models.Model):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    capacity = models.CharField("身份", max_length=120, blank=True, help_text="本职或“代…”")
    acting_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="代理谁",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField("操作", max_length=60)
    action_label = models.CharField("操作名称", max_length=60, blank=True)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.CharField(max_length=64)
    subject = GenericForeignKey("subject_type", "subject_id")
    subject_repr = models.CharField("对象", max_length=300, blank=True)
    from_state = models.CharField("原状态", max_length=60, blank=True)
    to_state = models.CharField("新状态", max_length=60, blank=True)
    opinion = models.TextField("意见/批示", blank=True)
    rule_id = models.CharField("依据规则", max_length=20, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "at"])]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {self.actor} {self.action_label or self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("审计记录只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("审计记录只能追加，不能删除。")
