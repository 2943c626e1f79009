"""URLs of the supervision app, by flow: the ledger (list, export and import, registering items, an item's page and
its actions, the director's reports), the half-year reports, the outcomes and the public's inquiries."""

from django.urls import path

from .ledger import views as item_views
from .ledger import views_dashboard, views_ledger
from .outcomes import views as outcome_views
from .public import views as public_views
from .reports import views as report_views

app_name = "supervision"
urlpatterns = [
    # the ledger (台账): list, filters, export and import
    path("", views_ledger.ledger, name="index"),
    path("ledger/", views_ledger.ledger, name="ledger"),
    path("ledger/export.xlsx", views_ledger.export_xlsx, name="ledger_export"),
    path("ledger/import/", views_ledger.import_xlsx, name="ledger_import"),
    # creating items (SUP-1, SUP-5), also from a leader's instruction on a document's slip
    path("items/new/", item_views.item_new, name="item_new"),
    path(
        "items/new/from-instruction/<int:instruction_id>/",
        item_views.item_from_instruction,
        name="item_from_instruction",
    ),
    path("items/<int:pk>/edit/", item_views.item_edit, name="item_edit"),
    # one item: its page and its actions
    path("items/<int:pk>/", item_views.item, name="item"),
    path("items/<int:pk>/print/", item_views.item_print, name="item_print"),
    path("items/<int:pk>/do/<slug:action>/", item_views.item_action, name="item_action"),
    # the director's reports (SUP-4, SUP-6)
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
    path("assessment/", views_dashboard.assessment, name="assessment"),
    path("assessment/<int:year>.xlsx", views_dashboard.assessment_xlsx, name="assessment_xlsx"),
    path("bulletin.docx", views_dashboard.bulletin_docx, name="bulletin"),
    # public inquiries (PUB-1)
    path("inquiries/", public_views.inquiries, name="inquiries"),
    path("inquiries/new/", public_views.inquiry_new, name="inquiry_new"),
    path("inquiries/<int:pk>/", public_views.inquiry, name="inquiry"),
    path("inquiries/<int:pk>/do/<slug:action>/", public_views.inquiry_action, name="inquiry_action"),
    # half-year reports (SUP-2)
    path("half-year/", report_views.half_year, name="half_year"),
    path("half-year/<int:pk>/file/", report_views.half_year_file, name="half_year_file"),
    path("half-year/<int:pk>/files/<int:file_id>/", report_views.half_year_download, name="half_year_download"),
    # outcomes (SUP-4)
    path("outcomes/", outcome_views.outcomes, name="outcomes"),
    path("items/<int:pk>/outcome/new/", outcome_views.outcome_new, name="outcome_new"),
    path("outcomes/<int:pk>/", outcome_views.outcome, name="outcome"),
    path("outcomes/<int:pk>/decide/", outcome_views.outcome_decide, name="outcome_decide"),
]
