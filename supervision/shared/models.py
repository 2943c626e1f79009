"""Rows shared by every flow of the supervision app."""

from __future__ import annotations

from django.db import models

__all__ = ["Counter"]


class Counter(models.Model):
    """Yearly number series (督办编号, 咨询编号), locked with SELECT … FOR UPDATE while a number is taken."""

    key = models.CharField(max_length=40, primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "编号计数"
        verbose_name_plural = "编号计数"

    def __str__(self) -> str:
        return f"{self.key}: {self.last}"
