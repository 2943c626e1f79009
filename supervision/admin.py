"""Admin: read-only views of the ledger for the system administrator; all writes go through the services."""

from django.contrib import admin

from .models import HalfYearReport, Outcome, PublicInquiry, SupervisionItem


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SupervisionItem)
class SupervisionItemAdmin(ReadOnlyAdmin):
    list_display = ("number", "short_task", "lead_unit", "due", "state")
    list_filter = ("state", "source", "kind")
    search_fields = ("number", "task", "source_ref")


admin.site.register(Outcome, ReadOnlyAdmin)
admin.site.register(HalfYearReport, ReadOnlyAdmin)
admin.site.register(PublicInquiry, ReadOnlyAdmin)
