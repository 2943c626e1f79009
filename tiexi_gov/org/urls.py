"""URLs of the org app."""

from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("units/<slug:code>/", views.unit_detail, name="unit"),
]
