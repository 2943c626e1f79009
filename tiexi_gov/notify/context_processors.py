"""Unread count for the header badge: one indexed COUNT per page, of at most UNREAD_BADGE_CAP + 1 rows (the badge
shows "99+" beyond), so a person with thousands of unread messages costs no more than one with three."""

from .models import UNREAD_BADGE_CAP, Message


def inbox(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"inbox_unread": 0}
    unread = Message.objects.filter(recipient=user, read_at__isnull=True)[: UNREAD_BADGE_CAP + 1].count()
    shown = f"{UNREAD_BADGE_CAP}+" if unread > UNREAD_BADGE_CAP else unread
    return {"inbox_unread": unread, "inbox_unread_shown": shown}
