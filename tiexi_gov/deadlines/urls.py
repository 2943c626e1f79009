"""URLs of the deadlines app."""

from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "deadlines"
urlpatterns = [
    path("", views.board, name="board"),
    # 我的待办 moved to /todo/; reminders sent earlier still link here.
    path("queue/", RedirectView.as_view(pattern_name="workflow:queue", permanent=True), name="queue"),
]
