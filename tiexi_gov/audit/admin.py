"""Audit events in the admin: read-only, and only for 审计管理员 and superusers (三员分立, X-1/X-2)."""

from django.contrib import admin

from tiexi_gov.deadlines import rules
from tiexi_gov.org.roles import Role, has_role

from .labels import state_label
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


class ActionFilter(admin.SimpleListFilter):
    """操作 by its Chinese name (the events' own action_label); the filter still selects by the action's code."""

    title = "操作"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        names: dict[str, list[str]] = {}
        pairs = Event.objects.order_by().values_list("action", "action_label").distinct()
        for action, label in pairs:
            names.setdefault(action, [])
            if label and label not in names[action]:
                names[action].append(label)
        # One action may carry several names (确定上会／不予上会); the code only when no event ever named it.
        shown = {action: "／".join(sorted(labels)) or action for action, labels in names.items()}
        return sorted(shown.items(), key=lambda item: (item[1], item[0]))

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


def _state_name(obj, code: str) -> str:
    ct = obj.subject_type  # selected with the row: no query per row
    return state_label(code, app_label=ct.app_label, model=ct.model, action=obj.action)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = (
        "at",
        "actor",
        "capacity",
        "action_label",
        "subject_repr",
        "from_state_name",
        "to_state_name",
        "basis",
        "ip",
    )
    list_filter = (ActionFilter, RuleFilter, "subject_type")
    search_fields = ("subject_repr", "opinion", "actor__username", "actor__full_name", "action", "action_label")
    date_hierarchy = "at"
    list_select_related = ("actor", "acting_for", "subject_type")
    readonly_fields = [
        {"from_state": "from_state_name", "to_state": "to_state_name"}.get(f.name, f.name)
        for f in Event._meta.concrete_fields
        if f.name != "rule_id"
    ] + ["basis"]
    exclude = ["rule_id", "from_state", "to_state"]  # shown as 依据 (the article) and by the states' names
    actions = None

    @admin.display(description="依据", ordering="rule_id")
    def basis(self, obj):
        return rules.describe(obj.rule_id).label if obj.rule_id else ""

    @admin.display(description="原状态", ordering="from_state")
    def from_state_name(self, obj):
        return _state_name(obj, obj.from_state)

    @admin.display(description="新状态", ordering="to_state")
    def to_state_name(self, obj):
        return _state_name(obj, obj.to_state)

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
