"""Placeholder: filled by the helper that owns views_public.py."""

from django.http import Http404


def inquiries(request, *args, **kwargs):
    raise Http404("尚未实现")


def inquiry_new(request, *args, **kwargs):
    raise Http404("尚未实现")


def inquiry(request, *args, **kwargs):
    raise Http404("尚未实现")


def inquiry_action(request, *args, **kwargs):
    raise Http404("尚未实现")


def half_year(request, *args, **kwargs):
    raise Http404("尚未实现")


def half_year_file(request, *args, **kwargs):
    raise Http404("尚未实现")


def outcomes(request, *args, **kwargs):
    raise Http404("尚未实现")


def outcome_new(request, *args, **kwargs):
    raise Http404("尚未实现")


def outcome(request, *args, **kwargs):
    raise Http404("尚未实现")


def outcome_decide(request, *args, **kwargs):
    raise Http404("尚未实现")
