"""Unread count for the header badge: one indexed count per page, of at most UNREAD_BADGE_CAP + 1 unread messages
(the badge shows "99+" beyond), so a person with thousands of unread messages costs no more than one with three."""

from django.db import connection

from .models import UNREAD_BADGE_CAP, Message


def unread_count(user_id: int) -> int:
    """How many of the user's messages are unread, counting stops at UNREAD_BADGE_CAP + 1.

    Every page asks it, so it is one plain SQL statement (no ORM compilation, issue 14.2) that returns one number:
    the database counts the first rows of the unread index instead of sending their ids to be counted here."""
    quote, meta = connection.ops.quote_name, Message._meta
    recipient, read_at = (quote(meta.get_field(f).column) for f in ("recipient", "read_at"))
    sql = (
        f"SELECT COUNT(*) FROM (SELECT 1 FROM {quote(meta.db_table)} WHERE {recipient} = %s AND {read_at} IS NULL"
        f" LIMIT {UNREAD_BADGE_CAP + 1}) unread"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id])
        return cursor.fetchone()[0]


def inbox(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"inbox_unread": 0}
    unread = unread_count(user.pk)
    shown = f"{UNREAD_BADGE_CAP}+" if unread > UNREAD_BADGE_CAP else unread
    return {"inbox_unread": unread, "inbox_unread_shown": shown}
