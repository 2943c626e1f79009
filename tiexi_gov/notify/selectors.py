"""What the inbox reads: only the recipient's own messages, in the inbox's order."""

from .models import INBOX_ORDER, Message


def inbox(user):
    """Unread first, then newest first: read in that order from `notify_inbox_order_idx`, so a page costs the same
    whether the person has 20 messages or 20,000 (a CASE with bound values sorted every message of the person)."""
    return Message.objects.filter(recipient=user).order_by(*INBOX_ORDER)
