"""Admin: read-only views of the records. States move only through the flows' services
(documents.submissions, documents.outgoing)."""

from django.contrib import admin

from .models import (
    ConsultationRequest,
    DeputyReview,
    DocumentNumberCounter,
    DocumentPlan,
    Instruction,
    LeaderAssignment,
    OutgoingDocument,
    ProcessingSlip,
    PublicRegisterEntry,
    SlipCounter,
    Submission,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ("title", "unit", "kind", "urgency", "state", "submitted_on", "current_slip")
    list_filter = ("state", "urgency", "kind", "unit")
    search_fields = ("title", "unit__name", "current_slip__number", "unit_doc_number")
    list_select_related = ("unit", "current_slip")


@admin.register(ProcessingSlip)
class ProcessingSlipAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "from_unit_name", "urgency", "registered_on", "approval_due", "closed_on")
    search_fields = ("number", "title", "from_unit_name")


@admin.register(ConsultationRequest)
class ConsultationRequestAdmin(ReadOnlyAdmin):
    list_display = ("submission", "unit", "requested_on", "due", "extended_due", "state", "reply", "deemed_on")
    list_select_related = ("submission", "unit")


@admin.register(Instruction)
class InstructionAdmin(ReadOnlyAdmin):
    list_display = ("submission", "step", "post", "capacity", "decision", "at")
    list_select_related = ("submission", "post")


@admin.register(LeaderAssignment)
class LeaderAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("submission", "post", "mode", "batch", "order", "state", "due", "handled_by")
    list_select_related = ("submission", "post", "handled_by")


@admin.register(SlipCounter)
class SlipCounterAdmin(ReadOnlyAdmin):
    list_display = ("year", "last")


@admin.register(OutgoingDocument)
class OutgoingDocumentAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "issuer", "kind", "drafting_unit", "state", "signed_on", "issued_on")
    list_filter = ("state", "issuer", "kind", "normative")
    search_fields = ("title", "number", "drafting_unit__name")
    list_select_related = ("drafting_unit",)


@admin.register(DeputyReview)
class DeputyReviewAdmin(ReadOnlyAdmin):
    list_display = ("document", "post", "round", "state", "reviewed_by", "reviewed_at")
    list_select_related = ("document", "post", "reviewed_by")


@admin.register(DocumentPlan)
class DocumentPlanAdmin(ReadOnlyAdmin):
    list_display = ("year", "issuer", "unit", "created_by", "created_at")
    list_select_related = ("unit", "created_by")


@admin.register(DocumentNumberCounter)
class DocumentNumberCounterAdmin(ReadOnlyAdmin):
    list_display = ("series", "year", "last")


@admin.register(PublicRegisterEntry)
class PublicRegisterEntryAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "issuer_name", "kind", "published_on", "withdrawn")
    list_filter = ("kind", "withdrawn")
    search_fields = ("title", "number")
