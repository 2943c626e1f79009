"""URLs of the deadlines app."""

from django.urls import path

from . import views

app_name = "deadlines"
urlpatterns = [
    path("", views.board, name="board"),
    path("queue/", views.queue, name="queue"),
]
