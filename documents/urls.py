"""URLs of the documents app: flow A (submissions), flow B (发文), the document plan and the public register."""

from django.urls import path

from .outgoing import views as outgoing
from .register import views as register
from .submissions import views

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
    path("<int:pk>/readers/<slug:op>/", views.readers, name="readers"),
    # flow B — 发文
    path("outgoing/", outgoing.outgoing_index, name="outgoing_index"),
    path("outgoing/new/", outgoing.outgoing_create, name="outgoing_create"),
    path("outgoing/<int:pk>/", outgoing.outgoing_detail, name="outgoing_detail"),
    path("outgoing/<int:pk>/edit/", outgoing.outgoing_edit, name="outgoing_edit"),
    path("outgoing/<int:pk>/act/<slug:action>/", outgoing.outgoing_act, name="outgoing_act"),
    path("outgoing/<int:pk>/print/", outgoing.outgoing_print, name="outgoing_print"),
    path("outgoing/<int:pk>/document.docx", outgoing.outgoing_docx, name="outgoing_docx"),
    path("outgoing/<int:pk>/files/<int:att_pk>/", outgoing.outgoing_attachment, name="outgoing_attachment"),
    path("outgoing/<int:pk>/readers/<slug:op>/", outgoing.outgoing_readers, name="outgoing_readers"),
    path("plans/", outgoing.plans, name="plans"),
    path("plans/unit/", outgoing.unit_plan, name="unit_plan"),
    path("plans/unit/<int:unit_pk>/", outgoing.unit_plan, name="unit_plan_of"),
    path("register/", register.public_register, name="register"),
    path("register/<int:pk>/", register.public_register_entry, name="register_entry"),
]
