"""Unread count for the header badge: one indexed COUNT per page."""

from .models import Message


def inbox(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"inbox_unread": 0}
    return {"inbox_unread": Message.objects.filter(recipient=user, read_at__isnull=True).count()}
