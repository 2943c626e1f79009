"""Celery tasks of 传阅 / 阅知: thin and idempotent."""

from celery import shared_task

from . import services


@shared_task(
    name="circulation.tasks.remind_unread",
    acks_late=True,  # safe: claimed rows are stamped and every message has a unique key
    reject_on_worker_lost=True,
    ignore_result=True,
)
def remind_unread() -> int:
    """Hourly: remind, once, every receipt still unread after N working days; it then shows on 逾期未阅."""
    return services.remind_unread()
