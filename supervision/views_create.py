"""Placeholder: filled by the helper that owns views_create.py."""

from django.http import Http404


def item_new(request, *args, **kwargs):
    raise Http404("尚未实现")


def item_from_instruction(request, *args, **kwargs):
    raise Http404("尚未实现")


def item_edit(request, *args, **kwargs):
    raise Http404("尚未实现")
