"""A URLconf with one view that crashes, for the 500 page test (the portal has no view that fails on purpose)."""

from django.urls import include, path


def crash(request):
    raise RuntimeError("boom")


urlpatterns = [path("crash/", crash), path("", include("tiexi_gov.urls"))]
