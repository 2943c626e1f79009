"""Audit events in the admin: read-only, and only for 审计管理员 and superusers (三员分立, X-1/X-2)."""

from django.contrib import admin

from tiexi_gov.org.roles import Role, has_role

from .models import Event


def _is_auditor(request) -> bool:
    user = request.user
    return user.is_active and (user.is_superuser or has_role(user, Role.AUDIT_ADMIN))


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = (
        "at",
        "actor",
        "capacity",
        "action_label",
        "subject_repr",
        "from_state",
        "to_state",
        "rule_id",
        "ip",
    )
    list_filter = ("action", "rule_id", "subject_type")
    search_fields = ("subject_repr", "opinion", "actor__username", "actor__full_name", "action", "action_label")
    date_hierarchy = "at"
    list_select_related = ("actor", "acting_for", "subject_type")
    readonly_fields = [f.name for f in Event._meta.concrete_fields]
    actions = None

    def has_module_permission(self, request):
        return _is_auditor(request)

    def has_view_permission(self, request, obj=None):
        return _is_auditor(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
