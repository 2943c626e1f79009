"""Inbox messages in the admin: view only (messages are written by notify.services).

It is also the system administrator's mail console (issue 13.1): the 邮件状态 column and filter show what went out,
what is still queued and what failed after the last retry, with the server's error. The system administrator may
view it without the model permission (a technical role: 三员 keep the system running, not the business), and so it
shows delivery only — who, when, which kind, whether the mail went — never what a message says or links to: a
message's subject names the business (【征求意见】住建局：关于…的请示) that the administrator may not open."""

from django.contrib import admin
from django.db.models import Q

from tiexi_gov.org.roles import Role, role_names

from .models import Message


def _email_status(message: Message) -> str:
    if message.emailed_at:
        return "已发送"
    if not message.recipient.email:
        return "无邮箱"
    if message.email_failed_at:
        return "发送失败"
    return "待发送"


class EmailStatusFilter(admin.SimpleListFilter):
    title = "邮件状态"
    parameter_name = "email_status"
    conditions = {
        "sent": ("已发送", Q(emailed_at__isnull=False)),
        "pending": ("待发送", Q(emailed_at__isnull=True, email_failed_at__isnull=True) & ~Q(recipient__email="")),
        "failed": ("发送失败", Q(emailed_at__isnull=True, email_failed_at__isnull=False) & ~Q(recipient__email="")),
        "no_address": ("无邮箱", Q(emailed_at__isnull=True, recipient__email="")),
    }

    def lookups(self, request, model_admin):
        return [(value, label) for value, (label, _q) in self.conditions.items()]

    def queryset(self, request, queryset):
        if self.value() in self.conditions:
            return queryset.filter(self.conditions[self.value()][1])
        return queryset


def _is_system_admin(user) -> bool:
    return user.is_active and user.is_staff and str(Role.SYSTEM_ADMIN) in role_names(user)


BUSINESS_FIELDS = ("subject", "body", "url", "key")  # what a message says: not the mail console's to read


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "recipient",
        "level",
        "read_at",
        "email_status",
        "emailed_at",
        "email_attempts",
        "email_failed_at",
        "last_email_error",
    )
    list_filter = (EmailStatusFilter, "level")
    search_fields = ("recipient__username", "recipient__full_name")
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"
    exclude = BUSINESS_FIELDS
    readonly_fields = [f.name for f in Message._meta.concrete_fields if f.name not in BUSINESS_FIELDS]
    actions = None

    @admin.display(description="邮件状态")
    def email_status(self, obj):
        return _email_status(obj)

    @admin.display(description="最近一次邮件错误")
    def last_email_error(self, obj):
        error = obj.email_error
        return f"{error[:120]}…" if len(error) > 120 else error or "—"

    def has_module_permission(self, request):
        return _is_system_admin(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return _is_system_admin(request.user) or super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
