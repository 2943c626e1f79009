"""Celery tasks of the meetings app: thin and idempotent."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from tiexi_gov.workflow.sync import rebuild

from .meeting.models import OPEN_MEETING_STATES, Meeting

PAST_WINDOW_DAYS = 60  # a meeting left open longer than this was resynced on each of those days already


def resync_past(day: dt.date) -> int:
    """Sync the tasks of the open meetings whose day has gone by on `day`: nothing happens to a meeting at
    midnight, so no step resyncs it, and 待审定顺延 would otherwise reach nobody. Returns the tasks opened."""
    past = Meeting.objects.filter(
        state__in=OPEN_MEETING_STATES, date__lt=day, date__gte=day - dt.timedelta(days=PAST_WINDOW_DAYS)
    )
    opened, _closed = rebuild(past.order_by("id"), day=day)
    return opened


@shared_task(name="meetings.tasks.resync_past_meetings", acks_late=True, ignore_result=True)
def resync_past_meetings() -> int:
    """Hourly (CELERY_BEAT_SCHEDULE): resync_past for today. Idempotent."""
    return resync_past(timezone.localdate())
