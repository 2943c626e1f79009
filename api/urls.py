"""/api/: v1 endpoints, the OpenAPI schema and its docs page, and the security administrator's token page."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from .views import coordination, documents, meetings, minutes, register, schedule, supervision, tasks, tokens, upkeep

router = SimpleRouter()
router.register("tasks", tasks.TaskViewSet, basename="task")
router.register("submissions", documents.SubmissionViewSet, basename="submission")
router.register("outgoing", documents.OutgoingViewSet, basename="outgoing")
router.register("ledger", supervision.LedgerItemViewSet, basename="ledger-item")
router.register("meetings", meetings.MeetingViewSet, basename="meeting")
router.register("topics", meetings.TopicViewSet, basename="topic")
router.register("meeting-leaves", meetings.MeetingLeaveViewSet, basename="meeting-leave")
router.register("invitations", meetings.InvitationViewSet, basename="invitation")
router.register("decisions", minutes.DecisionViewSet, basename="decision")
router.register("meeting-plans", schedule.MeetingPlanViewSet, basename="meeting-plan")
router.register("district-meetings", schedule.DistrictMeetingViewSet, basename="district-meeting")
router.register("bodies", coordination.BodyViewSet, basename="body")
router.register("leave", coordination.AbsenceViewSet, basename="leave")
router.register("applications", register.ApplicationViewSet, basename="application")
router.register("review-rounds", upkeep.ReviewRoundViewSet, basename="review-round")
router.register("targets", upkeep.AnnualTargetsViewSet, basename="targets")
router.register("research", upkeep.ResearchViewSet, basename="research")

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", tokens.docs, name="docs"),
    path("tokens/", tokens.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", tokens.revoke, name="token_revoke"),
    path("v1/", include(router.urls)),
]
