"""API tokens (issue 15.1): a system calls the API as one named person, with a token the security administrator
issued for that person or the person made himself. Only the token's SHA-256 is stored; the token itself is shown
once, to its user only: when he makes it, or when he collects (领取) one the security administrator issued — an
administrator who saw it could read as that person (三员分立)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="使用人", on_delete=models.PROTECT, related_name="api_tokens"
    )
    name = models.CharField("用途", max_length=100, help_text="调用系统或用途，例如“统计报表系统”")
    prefix = models.CharField("前缀", max_length=12, help_text="令牌的前几位，便于核对，不足以使用")
    # Empty (NULL) until the user collects a token the security administrator issued: no token matches it yet.
    digest = models.CharField("摘要（SHA-256）", max_length=64, unique=True, null=True, blank=True)
    read_only = models.BooleanField("只读", default=False, help_text="只读令牌只能查询，不能办理任何事项")
    expires_at = models.DateTimeField("有效期至", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="吊销人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user"], condition=Q(revoked_at__isnull=True), name="apitoken_live_user_idx")]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…，{self.user}）"

    @property
    def pending(self) -> bool:
        """Issued by the security administrator, not yet collected by its user: it has no token yet."""
        return self.digest is None

    def usable(self, now=None) -> bool:
        now = now or timezone.now()
        return not self.pending and self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    @property
    def status_label(self) -> str:
        if self.revoked_at is not None:
            return "已吊销"
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return "已过期"
        if self.pending:
            return "待使用人领取"
        return "有效"
