"""Celery tasks of the deadlines app: thin, idempotent, retried by redelivery."""

from celery import shared_task

from tiexi_gov.workdays import calendar

from . import services


@shared_task(
    name="tiexi_gov.deadlines.tasks.sweep_deadlines",
    acks_late=True,  # safe: the sweep is idempotent (claimed rows + unique message keys)
    reject_on_worker_lost=True,
    ignore_result=True,
)
def sweep_deadlines() -> dict:
    """The beat-scheduled sweep (X-3): reminders, escalations and handlers for everything due by today."""
    return services.sweep()._asdict()


@shared_task(
    name="tiexi_gov.deadlines.tasks.recompute_calendar_years",
    acks_late=True,  # safe: recomputing an already recomputed year changes nothing
    reject_on_worker_lost=True,
    ignore_result=True,
)
def recompute_calendar_years(years: list[int]) -> int:
    """CAL-2 a minute after a year's calendar was entered (services.on_calendar_changed): read the year afresh and
    recompute the provisional deadlines another process opened on its cached calendar meanwhile."""
    calendar.invalidate(years)
    return services.recompute_for_years(years)
