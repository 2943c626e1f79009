"""URLs of the audit app."""

from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("export/", views.export, name="export"),
    path("<int:content_type_id>/<str:object_id>/", views.history, name="history"),
]
