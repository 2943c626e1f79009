"""Celery tasks of the deadlines app: thin, idempotent, retried by redelivery."""

from celery import shared_task

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
