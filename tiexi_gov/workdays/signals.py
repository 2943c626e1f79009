"""`calendar_changed`: the calendar data of some years changed (CAL-2 recompute hook).

Sent once per committed transaction, after commit, with `years` (a set of ints): whenever WorkdayOverride or
CalendarYear rows are created, changed or deleted (admin, import, shell). Receivers (the deadlines app)
recompute what depends on those years. Writes that bypass model signals (bulk_create, queryset.update) must
call `calendar_edited(years)` themselves.
"""

import logging
import threading

from django.db import connection
from django.db.models.signals import post_delete, post_init, post_migrate, post_save
from django.dispatch import Signal, receiver

from . import calendar
from .models import CalendarYear, WorkdayOverride

logger = logging.getLogger(__name__)

calendar_changed = Signal()  # kwargs: years: set[int]

_local = threading.local()


class _Batch:
    __slots__ = ("years", "marker")

    def __init__(self, years):
        self.years = set(years)
        self.marker = None


def calendar_edited(years) -> None:
    """Record an edit of these years: drop the caches now and announce `calendar_changed` once after commit."""
    years = {int(y) for y in years}
    if not years:
        return
    calendar.mark_pending(years)
    if not connection.in_atomic_block:
        _announce(years)
        return
    batch = getattr(_local, "batch", None)
    if batch is not None and batch.marker.alive():
        batch.years |= years
        return
    batch = _local.batch = _Batch(years)
    batch.marker = calendar.CommitMarker(lambda: _announce(batch.years))


def _announce(years) -> None:
    years = set(years)
    calendar.invalidate(years)  # other threads may have rebuilt from pre-commit data meanwhile
    for recv, result in calendar_changed.send_robust(sender=WorkdayOverride, years=years):
        if isinstance(result, Exception):
            logger.error("calendar_changed receiver %r failed", recv, exc_info=result)


def _as_date(value):
    return WorkdayOverride._meta.get_field("date").to_python(value) if value is not None else None


@receiver(post_init, sender=WorkdayOverride, dispatch_uid="workdays_override_init")
def _remember_date(sender, instance, **kwargs):
    instance._workdays_saved_date = instance.__dict__.get("date") if instance.pk else None


@receiver(post_save, sender=WorkdayOverride, dispatch_uid="workdays_override_saved")
def _override_saved(sender, instance, raw=False, **kwargs):
    day = _as_date(instance.date)
    before = _as_date(getattr(instance, "_workdays_saved_date", None))
    instance._workdays_saved_date = day
    calendar_edited({day.year} | ({before.year} if before else set()))


@receiver(post_delete, sender=WorkdayOverride, dispatch_uid="workdays_override_deleted")
def _override_deleted(sender, instance, **kwargs):
    calendar_edited({_as_date(instance.date).year})


@receiver(post_save, sender=CalendarYear, dispatch_uid="workdays_year_saved")
@receiver(post_delete, sender=CalendarYear, dispatch_uid="workdays_year_deleted")
def _year_changed(sender, instance, **kwargs):
    calendar_edited({int(instance.year)})


@receiver(post_migrate, dispatch_uid="workdays_post_migrate")
def _tables_reset(sender, **kwargs):
    # flush (TransactionTestCase teardown) and migrate empty tables without model signals.
    calendar.invalidate()
    calendar.clear_pending()
