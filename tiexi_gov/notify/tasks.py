"""Thin Celery tasks of the notify app: e-mail through the queue (issue 13.1)."""

from celery import shared_task
from django.conf import settings

from . import services


@shared_task(
    bind=True,
    name="tiexi_gov.notify.tasks.email_messages",
    acks_late=True,  # safe: every message is claimed before it is sent and stamped once the server accepted it
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=services.RETRYABLE_EMAIL_ERRORS,
    retry_backoff=getattr(settings, "NOTIFY_EMAIL_RETRY_BACKOFF", 30),
    retry_backoff_max=getattr(settings, "NOTIFY_EMAIL_RETRY_BACKOFF_MAX", 600),
    retry_jitter=True,
    max_retries=getattr(settings, "NOTIFY_EMAIL_MAX_RETRIES", 6),
)
def email_messages(self, ids: list[int]) -> int:
    """E-mail inbox messages by id, each once; SMTP/OS errors retry with exponential backoff. After the last
    retry the still-unsent rows are marked failed for the system administrator (the mail sweep keeps trying)."""
    try:
        return services.email_messages(ids)
    except services.RETRYABLE_EMAIL_ERRORS as exc:
        if self.request.retries >= self.max_retries:
            services.record_email_failure(ids, exc)
        raise


@shared_task(name="tiexi_gov.notify.tasks.requeue_unsent_email", ignore_result=True)
def requeue_unsent_email() -> int:
    """Beat: queue again unsent mail nobody is trying, so an outage longer than the retries loses nothing."""
    return services.requeue_unsent_email()
