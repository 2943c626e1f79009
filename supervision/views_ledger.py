"""Placeholder: filled by the helper that owns views_ledger.py."""

from django.http import Http404


def ledger(request, *args, **kwargs):
    raise Http404("尚未实现")


def export_xlsx(request, *args, **kwargs):
    raise Http404("尚未实现")


def import_xlsx(request, *args, **kwargs):
    raise Http404("尚未实现")
