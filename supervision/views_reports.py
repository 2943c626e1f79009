"""Placeholder: filled by the helper that owns views_reports.py."""

from django.http import Http404


def dashboard(request, *args, **kwargs):
    raise Http404("尚未实现")


def assessment(request, *args, **kwargs):
    raise Http404("尚未实现")


def assessment_xlsx(request, *args, **kwargs):
    raise Http404("尚未实现")


def bulletin_docx(request, *args, **kwargs):
    raise Http404("尚未实现")
