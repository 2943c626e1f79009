"""URLs of the documents app (flow A pages)."""

from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("queue/", views.queue, name="queue"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/act/<slug:action>/", views.act, name="act"),
    path("<int:pk>/slip/", views.slip, name="slip"),
    path("<int:pk>/slip.docx", views.slip_docx, name="slip_docx"),
    path("<int:pk>/files/<int:att_pk>/", views.attachment, name="attachment"),
]
