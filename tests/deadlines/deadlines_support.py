"""Helpers shared by the deadlines tests (imported by module name: tests/deadlines has no __init__.py)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from tests.factories import UnitFactory, UserFactory
from tiexi_gov.deadlines import services
from tiexi_gov.notify.models import Message

# 2026 National Day: 10-01..10-07 off, Saturday 10-10 is a make-up working day.
SEP_30 = dt.date(2026, 9, 30)
OCT_9 = dt.date(2026, 10, 9)
OCT_12 = dt.date(2026, 10, 12)
OCT_13 = dt.date(2026, 10, 13)
OCT_14 = dt.date(2026, 10, 14)


def open_for(
    *, subject=None, rule_id="DOC-7", title="会签意见答复", counted_from=SEP_30, workdays=5, due=None, url="", **owners
):
    """Open a deadline the way a domain service does: inside a transaction. Owner defaults to a new user."""
    if not owners:
        owners = {"owner_user": UserFactory()}
    with transaction.atomic():
        return services.open_deadline(
            subject=subject or UnitFactory(),
            rule_id=rule_id,
            title=title,
            counted_from=counted_from,
            workdays=None if due else workdays,
            due=due,
            url=url,
            **owners,
        )


def deadline_messages(kind: str | None = None):
    """Inbox rows written by the sweep (the calendar's CAL-2 alerts are left out)."""
    qs = Message.objects.filter(key__startswith="deadline:")
    if kind:
        qs = qs.filter(key__contains=f":{kind}:")
    return qs


def login(client, user):
    """Log the client in as `user`."""
    client.force_login(user)
    return user
