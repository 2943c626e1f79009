"""URLs of 传阅 / 阅知 (issue 15.4)."""

from django.urls import path

from . import views

app_name = "circulation"
urlpatterns = [
    path("", views.index, name="index"),
    path("overdue/", views.overdue, name="overdue"),
    path("overdue/export.xlsx", views.overdue_export, name="overdue_export"),
    path("send/<slug:kind>/<int:pk>/", views.send, name="send"),
    path("<int:pk>/", views.detail, name="detail"),
    path("receipt/<int:pk>/", views.receipt, name="receipt"),
    path("receipt/<int:pk>/annotate/", views.annotate, name="annotate"),
]
