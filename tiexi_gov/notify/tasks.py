"""Thin Celery tasks of the notify app."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def email_messages(ids: list[int]) -> int:
    """E-mail inbox messages by id. Idempotent: a message already e-mailed is skipped."""
    return services.email_messages(ids)
