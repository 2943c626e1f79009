"""Unread count for the header badge: one indexed read per page, of at most UNREAD_BADGE_CAP + 1 ids (the badge
shows "99+" beyond), so a person with thousands of unread messages costs no more than one with three."""

from tiexi_gov.precompiled import Statement

from .models import UNREAD_BADGE_CAP, Message

# Every page asks it: compiled once (issue 14.2).
_UNREAD = Statement(
    lambda user_id: (
        Message.objects.filter(recipient_id=user_id, read_at__isnull=True)
        .order_by()
        .values_list("pk", flat=True)[: UNREAD_BADGE_CAP + 1]
    )
)


def inbox(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"inbox_unread": 0}
    unread = len(_UNREAD(user.pk))
    shown = f"{UNREAD_BADGE_CAP}+" if unread > UNREAD_BADGE_CAP else unread
    return {"inbox_unread": unread, "inbox_unread_shown": shown}
