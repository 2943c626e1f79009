"""URLs of the supervision app. Each views module has one job: the ledger, creating items, an item's page and
its actions, the director's reports, and the public side (inquiries, half-year reports, outcomes)."""

from django.urls import path

from . import views_create, views_item, views_ledger, views_public, views_reports

app_name = "supervision"
urlpatterns = [
    # the ledger (台账): list, filters, export and import
    path("", views_ledger.ledger, name="index"),
    path("ledger/", views_ledger.ledger, name="ledger"),
    path("ledger/export.xlsx", views_ledger.export_xlsx, name="ledger_export"),
    path("ledger/import/", views_ledger.import_xlsx, name="ledger_import"),
    # creating items (SUP-1, SUP-5), also from a leader's instruction on a document's slip
    path("items/new/", views_create.item_new, name="item_new"),
    path(
        "items/new/from-instruction/<int:instruction_id>/",
        views_create.item_from_instruction,
        name="item_from_instruction",
    ),
    path("items/<int:pk>/edit/", views_create.item_edit, name="item_edit"),
    # one item: its page and its actions
    path("items/<int:pk>/", views_item.item, name="item"),
    path("items/<int:pk>/print/", views_item.item_print, name="item_print"),
    path("items/<int:pk>/do/<slug:action>/", views_item.item_action, name="item_action"),
    # the director's reports (SUP-4, SUP-6)
    path("dashboard/", views_reports.dashboard, name="dashboard"),
    path("assessment/", views_reports.assessment, name="assessment"),
    path("assessment/<int:year>.xlsx", views_reports.assessment_xlsx, name="assessment_xlsx"),
    path("bulletin.docx", views_reports.bulletin_docx, name="bulletin"),
    # public inquiries (PUB-1), half-year reports (SUP-2), outcomes (SUP-4)
    path("inquiries/", views_public.inquiries, name="inquiries"),
    path("inquiries/new/", views_public.inquiry_new, name="inquiry_new"),
    path("inquiries/<int:pk>/", views_public.inquiry, name="inquiry"),
    path("inquiries/<int:pk>/do/<slug:action>/", views_public.inquiry_action, name="inquiry_action"),
    path("half-year/", views_public.half_year, name="half_year"),
    path("half-year/<int:pk>/file/", views_public.half_year_file, name="half_year_file"),
    path("half-year/<int:pk>/files/<int:file_id>/", views_public.half_year_download, name="half_year_download"),
    path("outcomes/", views_public.outcomes, name="outcomes"),
    path("items/<int:pk>/outcome/new/", views_public.outcome_new, name="outcome_new"),
    path("outcomes/<int:pk>/", views_public.outcome, name="outcome"),
    path("outcomes/<int:pk>/decide/", views_public.outcome_decide, name="outcome_decide"),
]
