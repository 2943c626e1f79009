"""URLs of the rule compliance board."""

from django.urls import path

from . import views

app_name = "compliance"
urlpatterns = [
    path("", views.board, name="board"),
    path("items/", views.items, name="items"),
    path("export.xlsx", views.export_xlsx, name="export"),
]
