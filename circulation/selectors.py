"""Every read of 传阅 / 阅知: the lists (sent, received, 逾期未阅), the status page, the reading page and the recipients
a sender may name. Each list is one query for its rows and one for its count, whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from tiexi_gov.org.models import Appointment, Post, Unit
from tiexi_gov.org.selectors import handlers_for_posts, holder_note
from tiexi_gov.workdays import calendar as wd

from . import permissions, services, sources
from .models import SOURCE_FIELDS, Circulation, Receipt, ReceiptState

RS = ReceiptState
RECEIPT_JOINS = ("circulation", "circulation__sent_by", "post", "unit", "read_by", "annotated_by")
NOT_RECIPIENT_UNIT_KINDS = (Unit.Kind.GOVERNMENT, Unit.Kind.EXTERNAL)


def sent_circulations(user) -> QuerySet[Circulation]:
    """The circulations `user` sees (the office: all; anyone else: those they sent), newest first, with each
    state's count."""
    return (
        Circulation.objects.filter(permissions.circulations_q(user))
        .select_related("sent_by")
        .annotate(
            total=Count("receipts"),
            unread=Count("receipts", filter=Q(receipts__state=RS.UNREAD)),
            read=Count("receipts", filter=Q(receipts__state=RS.READ)),
            annotated=Count("receipts", filter=Q(receipts__state=RS.ANNOTATED)),
        )
        .order_by("-sent_at", "-id")
    )


def received_receipts(user, day: dt.date) -> QuerySet[Receipt]:
    """The receipts addressed to `user` on `day` (and those they read), unread first, newest first."""
    return (
        Receipt.objects.filter(permissions.received_q(user, day))
        .select_related(*RECEIPT_JOINS)
        .order_by("-circulation__sent_at", "-id")
    )


def with_holders(receipts, day: dt.date) -> list[Receipt]:
    """Each receipt addressed to a post told apart by who holds it, or acts for it, on `day` (four posts are all
    副区长, and an unread one names no reader yet): `holder`, "" for a unit's receipt. A few queries per page."""
    receipts = list(receipts)
    posts = {r.post_id: r.post for r in receipts if r.post_id}
    handlers = handlers_for_posts(posts.values(), day) if posts else {}
    for r in receipts:
        r.holder = holder_note(handlers.get(r.post_id)) if r.post_id else ""
    return receipts


def overdue_receipts() -> QuerySet[Receipt]:
    """逾期未阅: reminded and still unread, the oldest first (partial index receipt_overdue_idx)."""
    return (
        Receipt.objects.filter(state=RS.UNREAD, reminded_at__isnull=False)
        .select_related("circulation", "circulation__sent_by", "post", "unit")
        .order_by("sent_on", "id")
    )


def circulation_for(user, pk: int) -> Circulation | None:
    """A circulation `user` may see, with its receipts and who read them (two queries), else None."""
    return (
        Circulation.objects.filter(permissions.circulations_q(user), pk=pk)
        .select_related("sent_by")
        .prefetch_related(
            Prefetch(
                "receipts",
                queryset=Receipt.objects.select_related("post", "unit", "read_by", "annotated_by").order_by(
                    "post__order", "unit__order", "id"
                ),
            )
        )
        .first()
    )


def receipt_for(user, pk: int) -> Receipt | None:
    """A receipt `user` may open, else None (the view answers 404)."""
    receipt = Receipt.objects.select_related(*RECEIPT_JOINS).filter(pk=pk).first()
    if receipt is None or not permissions.can_open_receipt(user, receipt):
        return None
    return receipt


@dataclass(frozen=True)
class Due:
    day: dt.date
    late: int  # working days past it (0: not past)
    provisional: bool


def due_of(sent_on: dt.date, remind_after: int, today: dt.date) -> Due:
    day = services.due_on(sent_on, remind_after)
    late = wd.workdays_between(day, today) if day < today else 0
    return Due(day, late, wd.span_is_provisional(sent_on, day))


def with_due(receipts, today: dt.date) -> list[tuple[Receipt, Due]]:
    return [(r, due_of(r.sent_on, r.circulation.remind_after, today)) for r in receipts]


def reading_copy(circulation: Circulation):
    """The item as sent, with what its summary shows (one or two queries)."""
    item = sources.load(circulation.kind, getattr(circulation, f"{SOURCE_FIELDS[circulation.kind]}_id"))
    return item, (sources.summary(circulation.kind, item) if item is not None else None)


@dataclass(frozen=True)
class LeaderChoice:
    post: Post
    holder: str


def leader_choices(day: dt.date) -> list[LeaderChoice]:
    """The leaders' posts a circulation may name, each with its holder on `day` (two queries)."""
    posts = list(
        Post.objects.filter(kind__in=permissions.RECIPIENT_POST_KINDS).select_related("unit").order_by("order", "id")
    )
    holders = {}
    for appt in (
        Appointment.objects.on(day).filter(post__in=posts).select_related("person").order_by("post_id", "-start", "-id")
    ):
        holders.setdefault(appt.post_id, appt.person.display_name)
    return [LeaderChoice(p, holders.get(p.pk, "")) for p in posts]


def unit_choices() -> list[Unit]:
    return list(Unit.objects.filter(active=True).exclude(kind__in=NOT_RECIPIENT_UNIT_KINDS).order_by("order", "id"))
