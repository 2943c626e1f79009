"""What the password policy remembers about an account: when its password was last set, whether its holder must
change it before doing anything else, and the hashes of its last passwords (never the passwords)."""

from django.conf import settings
from django.db import models


class PasswordState(models.Model):
    """One row per account, made the first time the policy meets it (first login or first password change)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="人员", on_delete=models.CASCADE, related_name="password_state"
    )
    changed_at = models.DateTimeField("密码设置时间")
    must_change = models.BooleanField("下次登录须修改密码", default=False)

    class Meta:
        verbose_name = "密码状态"
        verbose_name_plural = "密码状态"

    def __str__(self) -> str:
        return f"{self.user}：{self.changed_at:%Y-%m-%d}"


class PasswordHistory(models.Model):
    """The hash of a password an account has had, newest last; the validator refuses the last N again."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="人员", on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField("密码摘要", max_length=128)
    created_at = models.DateTimeField("设置时间", auto_now_add=True)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"
