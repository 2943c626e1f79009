"""Audit events in the admin: read-only, and only for 审计管理员 and superusers (三员分立, X-1/X-2)."""

from django.contrib import admin

from tiexi_gov.deadlines import rules
from tiexi_gov.org.roles import Role, has_role

from .models import Event


def _is_auditor(request) -> bool:
    user = request.user
    return user.is_active and (user.is_superuser or has_role(user, Role.AUDIT_ADMIN))


class RuleFilter(admin.SimpleListFilter):
    """依据 by article (第六十条 …), never by the rule's ID: the auditor reads the rules' own words."""

    title = "依据"
    parameter_name = "rule"

    def lookups(self, request, model_admin):
        return rules.choices()

    def queryset(self, request, queryset):
        return queryset.filter(rule_id=self.value()) if self.value() else queryset


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
        "basis",
        "ip",
    )
    list_filter = ("action", RuleFilter, "subject_type")
    search_fields = ("subject_repr", "opinion", "actor__username", "actor__full_name", "action", "action_label")
    date_hierarchy = "at"
    list_select_related = ("actor", "acting_for", "subject_type")
    readonly_fields = [f.name for f in Event._meta.concrete_fields if f.name != "rule_id"] + ["basis"]
    exclude = ["rule_id"]  # shown as 依据, the article
    actions = None

    @admin.display(description="依据", ordering="rule_id")
    def basis(self, obj):
        return rules.describe(obj.rule_id).label if obj.rule_id else ""

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
