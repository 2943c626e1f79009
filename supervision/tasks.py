"""Celery tasks of the supervision app: thin and idempotent."""

from celery import shared_task

from .reports import services


@shared_task(name="supervision.tasks.open_half_year_rounds", acks_late=True, ignore_result=True)
def open_half_year_rounds() -> int:
    """Daily: once a half-year has ended, every unit owes its half-year report (SUP-2). Idempotent."""
    return services.open_due_half_year_rounds()
