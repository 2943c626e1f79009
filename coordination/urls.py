"""URLs of the coordination area: the register and its applications (CRD-1, CRD-2), upkeep of the bodies
(CRD-3..5), and leaders' leave, travel and research (LEAVE-1..3, RES-1). One views module per flow."""

from django.urls import path

from .absence import views as views_leave
from .register import views as views_register
from .research import views as views_research
from .upkeep import views as views_upkeep

app_name = "coordination"
urlpatterns = [
    # the register and applications (CRD-1, CRD-2)
    path("", views_register.register, name="index"),
    path("bodies/", views_register.register, name="register"),
    path("bodies/<int:pk>/", views_register.body, name="body"),
    path("applications/", views_register.applications, name="applications"),
    path("applications/new/", views_register.application_new, name="application_new"),
    path("applications/<int:pk>/", views_register.application, name="application"),
    path("applications/<int:pk>/do/<slug:action>/", views_register.application_action, name="application_action"),
    # upkeep: leader changes (CRD-3), review rounds (CRD-4), annual targets (CRD-5)
    path("changes/", views_upkeep.leader_changes, name="leader_changes"),
    path("changes/adjust/", views_upkeep.adjust, name="adjust"),
    path("reviews/", views_upkeep.reviews, name="reviews"),
    path("reviews/<int:pk>/", views_upkeep.review, name="review"),
    path("reviews/<int:pk>/do/<slug:action>/", views_upkeep.review_action, name="review_action"),
    path("targets/<int:year>/", views_upkeep.targets, name="targets"),
    path("targets/item/<int:pk>/", views_upkeep.target_set, name="target_set"),
    path("targets/item/<int:pk>/do/<slug:action>/", views_upkeep.target_action, name="target_action"),
    # leave and travel (LEAVE-1..3), who is away, research (RES-1)
    path("leave/", views_leave.leave_list, name="leave_list"),
    path("leave/new/", views_leave.leave_new, name="leave_new"),
    path("leave/<int:pk>/", views_leave.leave, name="leave"),
    path("leave/<int:pk>/do/<slug:action>/", views_leave.leave_action, name="leave_action"),
    path("away/", views_leave.who_is_away, name="who_is_away"),
    path("research/<int:year>/", views_research.research, name="research"),
    path("research/do/<slug:action>/", views_research.research_action, name="research_action"),
]
