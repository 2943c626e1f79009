"""URLs of the meetings app, one views module per flow: the schedule (calendar, .ics, plan), one meeting (topics,
papers, agenda, attendance and leave, my meeting tasks), and the minutes."""

from django.urls import path

from .meeting import views as views_meeting
from .minutes import views as views_minutes
from .schedule import views as views_schedule

app_name = "meetings"
urlpatterns = [
    # the schedule: calendar, generating the year, ad hoc / special meetings, postponement, .ics, plan (MTG-11)
    path("", views_schedule.calendar, name="index"),
    path("calendar/", views_schedule.calendar, name="calendar"),
    path("generate/", views_schedule.generate_year, name="generate_year"),
    path("new/", views_schedule.meeting_new, name="meeting_new"),
    path("<int:pk>/postpone/", views_schedule.postpone, name="postpone"),
    path("<int:pk>/consent/", views_schedule.consent, name="consent"),
    path("ics/", views_schedule.ics_manage, name="ics_manage"),
    path("ics/<str:token>.ics", views_schedule.ics_feed, name="ics_feed"),
    path("plan/<int:year>/", views_schedule.plan, name="plan"),
    path("plan/<int:year>/new/", views_schedule.district_meeting_new, name="district_meeting_new"),
    path("plan/<int:year>/do/<slug:action>/", views_schedule.plan_action, name="plan_action"),
    path("district/<int:pk>/do/<slug:action>/", views_schedule.district_meeting_action, name="district_meeting_action"),
    # one meeting: topics (MTG-5, MTG-8), papers, agenda
    path("<int:pk>/", views_meeting.meeting, name="meeting"),
    path("<int:pk>/topics/new/", views_meeting.topic_new, name="topic_new"),
    path("<int:pk>/agenda/<slug:action>/", views_meeting.agenda_action, name="agenda_action"),
    path("topics/<int:pk>/", views_meeting.topic, name="topic"),
    path("topics/<int:pk>/do/<slug:action>/", views_meeting.topic_action, name="topic_action"),
    path("papers/<int:pk>/", views_meeting.paper_download, name="paper"),
    # attendance and leave (MTG-9), minutes and decisions (MTG-3, 6, 7, 10, 12), my meeting tasks
    path("tasks/", views_meeting.tasks, name="tasks"),
    path("<int:pk>/attendance/", views_meeting.attendance, name="attendance"),
    path("invitations/<int:pk>/do/<slug:action>/", views_meeting.invitation_action, name="invitation_action"),
    path("leaves/<int:pk>/do/<slug:action>/", views_meeting.leave_action, name="leave_action"),
    path("<int:pk>/minutes/", views_minutes.minutes, name="minutes"),
    path("<int:pk>/minutes/do/<slug:action>/", views_minutes.minutes_action, name="minutes_action"),
    path("<int:pk>/minutes.docx", views_minutes.minutes_docx, name="minutes_docx"),
    path("decisions/<int:pk>/do/<slug:action>/", views_minutes.decision_action, name="decision_action"),
]
