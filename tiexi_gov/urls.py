"""Top-level URLs: each app owns its own urls.py under its namespace."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

handler400 = "tiexi_gov.views.bad_request"

admin.site.site_header = "铁西区人民政府 工作规则平台 管理"
admin.site.site_title = "铁西区政府工作平台"

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="registration/login.html"), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("org/", include("tiexi_gov.org.urls")),
    path("workdays/", include("tiexi_gov.workdays.urls")),
    path("todo/", include("tiexi_gov.workflow.urls")),
    path("deadlines/", include("tiexi_gov.deadlines.urls")),
    path("audit/", include("tiexi_gov.audit.urls")),
    path("inbox/", include("tiexi_gov.notify.urls")),
    path("documents/", include("documents.urls")),
    path("supervision/", include("supervision.urls")),
    path("meetings/", include("meetings.urls")),
    path("coordination/", include("coordination.urls")),
]
