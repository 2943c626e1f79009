"""The append-only record of every state change (X-1).

PostgreSQL refuses UPDATE and DELETE on this table (trigger in migration 0003) and the runtime database role may
only INSERT and SELECT (`manage.py audit grant_runtime`); the model also refuses them in Python so that SQLite on a
laptop behaves the same from the ORM. Every row carries an SM3 hash chained to the previous row (issue 12.3,
`chain.py`): whatever ORM path inserts events (save, create, bulk_create), they are chained under the chain lock.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove history."""


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("审计记录只能追加，不能修改。")

    def delete(self):
        raise AppendOnlyError("审计记录只能追加，不能删除。")

    def bulk_create(self, objs, *args, **kwargs):
        from .chain import link

        objs = list(objs)
        if not objs:
            return objs
        with transaction.atomic(using=self.db, savepoint=False):
            link(objs)
            return super().bulk_create(objs, *args, **kwargs)

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
    # Set when the event is chained (under the chain lock), so time order follows chain order; the hash covers it.
    at = models.DateTimeField("时间", default=timezone.now, editable=False, db_index=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    prev_hash = models.CharField("前序哈希", max_length=64, blank=True, default="", editable=False)
    hash = models.CharField("哈希（SM3）", max_length=64, blank=True, default="", editable=False)

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
        from .chain import link

        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            link([self])
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("审计记录只能追加，不能删除。")


class ChainAnchor(models.Model):
    """Where the chain resumes after a purge of events past retention (written only by `audit purge`, which runs
    under the owner database role; the runtime role may only read this table). The purge itself is an event in the
    chain, whose opinion repeats the anchor, so the anchor is covered by the chain too."""

    last_id = models.BigIntegerField("最后清除的记录 id")
    last_hash = models.CharField("其哈希", max_length=64)
    last_at = models.DateTimeField("其时间")
    purged_count = models.BigIntegerField("累计清除条数")
    created_at = models.DateTimeField("清除时间", default=timezone.now)

    class Meta:
        verbose_name = "审计链清除锚点"
        verbose_name_plural = "审计链清除锚点"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"清除至 id={self.last_id}（{self.purged_count} 条）"
