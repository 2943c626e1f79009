"""Top-level URLs: each app owns its own urls.py under its namespace."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from . import views
from .accounts import views as account_views
from .ops import views as ops_views

handler400 = "tiexi_gov.views.bad_request"
handler404 = "tiexi_gov.views.not_found"
handler500 = "tiexi_gov.views.server_error"

admin.site.site_header = "铁西区人民政府 工作规则平台 管理"
admin.site.site_title = "铁西区政府工作平台"

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("healthz", ops_views.healthz, name="healthz"),  # answered by ops.middleware.HealthzMiddleware first
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("tiexi_gov.accounts.urls")),
    # Issue 15.3: 统一身份认证 (OpenID Connect); its views answer 404 unless OIDC_* is configured.
    path("accounts/oidc/", include("tiexi_gov.accounts.directory.oidc")),
    # One login page for everyone: the admin's own would skip the lockout page, the second factor and the audit.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
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
    path("search/", include("search.urls")),
    path("circulation/", include("circulation.urls")),
    path("api/", include("api.urls")),  # issue 15.1: the REST API, its schema and docs, the token page
    path("compliance/", include("compliance.urls")),
]
