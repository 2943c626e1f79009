"""URLs of the workdays app."""

from django.urls import path

from . import views

app_name = "workdays"
urlpatterns = [
    path("import/", views.import_calendar, name="import"),
]
