"""/api/: v1 endpoints, the OpenAPI schema and its docs page, and the security administrator's token page."""

from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from .views import (
    circulation,
    coordination,
    documents,
    meetings,
    minutes,
    plans,
    register,
    schedule,
    supervision,
    tasks,
    tokens,
    upkeep,
)

router = SimpleRouter()
router.register("tasks", tasks.TaskViewSet, basename="task")
router.register("submissions", documents.SubmissionViewSet, basename="submission")
router.register("outgoing", documents.OutgoingViewSet, basename="outgoing")
router.register("document-plans", plans.DocumentPlanViewSet, basename="document-plan")
router.register("unit-plans", plans.UnitPlanViewSet, basename="unit-plan")
router.register("ledger", supervision.LedgerItemViewSet, basename="ledger-item")
router.register("outcomes", supervision.OutcomeViewSet, basename="outcome")
router.register("inquiries", supervision.InquiryViewSet, basename="inquiry")
router.register("half-year-reports", supervision.HalfYearReportViewSet, basename="half-year-report")
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
router.register("leader-changes", upkeep.LeaderChangeViewSet, basename="leader-change")
router.register("circulations", circulation.CirculationViewSet, basename="circulation")
router.register("receipts", circulation.ReceiptViewSet, basename="receipt")
router.register("messages", circulation.MessageViewSet, basename="message")

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", login_required(tokens.docs), name="docs"),  # reads the schema, which wants a signed-in user too
    path("tokens/", tokens.tokens, name="tokens"),
    path("tokens/mine/", tokens.my_tokens, name="my_tokens"),
    path("tokens/<int:pk>/revoke/", tokens.revoke, name="token_revoke"),
    path("tokens/<int:pk>/collect/", tokens.collect, name="token_collect"),
    path("v1/", include(router.urls)),
]
