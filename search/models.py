"""The search index (issue 15.2): one row per searchable object, its text and its jieba-segmented tsvector."""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models


class SearchEntry(models.Model):
    """A search document: written by search.services.index_object in the transaction that saved the object.
    It holds text only; who may open the object is always asked of the object's own app at query time, so a stale
    row can never show an object to someone who would get 404 for it."""

    kind = models.CharField("类别", max_length=20)
    object_id = models.BigIntegerField()
    unit = models.ForeignKey(
        "org.Unit", verbose_name="单位", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField("标题", max_length=300)
    number = models.CharField("编号", max_length=200, blank=True)
    body = models.TextField("正文", blank=True)
    # A `simple`-config tsvector on PostgreSQL (GIN index, migration 0001); NULL on SQLite, which searches with
    # icontains instead.
    vector = SearchVectorField(null=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "搜索索引"
        verbose_name_plural = "搜索索引"
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_one_per_object")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} {self.title}"
