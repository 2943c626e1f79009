"""Inbox messages in the admin, for support: view only; messages are written by notify.services."""

from django.contrib import admin

from .models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "level", "subject", "read_at", "emailed_at")
    list_filter = ("level",)
    search_fields = ("subject", "recipient__username", "recipient__full_name", "key")
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Message._meta.concrete_fields]
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
