"""The in-app inbox. One row per message per recipient; `key` makes a message exactly-once.

E-mail state lives on the row (issue 13.1): a worker claims a message (`email_claimed_at`) before it talks to
SMTP and stamps `emailed_at` only once the server accepted it; `email_failed_at` / `email_error` tell the system
administrator what did not go out after the last retry.
"""

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, F, Q

# The inbox's order: unread first, newest first. `read_at IS NOT NULL` has no bound values, so PostgreSQL and SQLite
# match it to the expression index below and read a page in order instead of sorting all of a person's messages.
IS_READ = ExpressionWrapper(Q(read_at__isnull=False), output_field=BooleanField())
INBOX_ORDER = (IS_READ.asc(), F("created_at").desc(), F("id").desc())
UNREAD_BADGE_CAP = 99  # the badge counts at most this many and shows "99+" beyond: its cost never grows


class Message(models.Model):
    class Level(models.TextChoices):
        INFO = "info", "通知"
        REMINDER = "reminder", "催办"
        ESCALATION = "escalation", "督办"
        ALERT = "alert", "警示"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="收件人", on_delete=models.CASCADE, related_name="messages"
    )
    level = models.CharField("类别", max_length=20, choices=Level.choices, default=Level.INFO)
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    key = models.CharField(
        "去重键",
        max_length=200,
        null=True,
        blank=True,
        unique=True,
        help_text="同一键只发一次：提醒、督办不会重复",
    )
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    emailed_at = models.DateTimeField("邮件发送时间", null=True, blank=True, help_text="邮件服务器接收该邮件的时间")
    email_claimed_at = models.DateTimeField(
        "邮件发送占用时间", null=True, blank=True, help_text="正在发送：同一封邮件同一时间只由一个进程发送"
    )
    email_attempts = models.PositiveIntegerField("邮件发送次数", default=0)
    email_tried_at = models.DateTimeField("最近一次发送尝试", null=True, blank=True)
    email_error = models.TextField("邮件发送错误", blank=True)
    email_failed_at = models.DateTimeField(
        "邮件发送失败时间", null=True, blank=True, help_text="重试用尽仍未发出；系统会定时再次排队，发出后清空"
    )

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notify_unread_idx"),
            models.Index(F("recipient"), *INBOX_ORDER, name="notify_inbox_order_idx"),
            # The mail sweep and the administrator's "not sent" filter read only the few unsent rows.
            models.Index(
                fields=["created_at"], condition=models.Q(emailed_at__isnull=True), name="notify_unemailed_idx"
            ),
        ]

    def __str__(self) -> str:
        # Not the subject: the admin's mail console names rows by this, and a subject names the business (三员分立).
        return f"站内消息 {self.pk}"
