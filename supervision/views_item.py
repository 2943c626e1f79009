"""Placeholder: filled by the helper that owns views_item.py."""

from django.http import Http404


def item(request, *args, **kwargs):
    raise Http404("尚未实现")


def item_print(request, *args, **kwargs):
    raise Http404("尚未实现")


def item_action(request, *args, **kwargs):
    raise Http404("尚未实现")
