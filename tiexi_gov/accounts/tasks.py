"""Celery tasks of the accounts app: the nightly purge of ended sessions."""

import logging

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone

log = logging.getLogger(__name__)


@shared_task(name="tiexi_gov.accounts.tasks.clear_expired_sessions", ignore_result=True)
def clear_expired_sessions() -> int:
    """Delete the session rows past their expiry (12 hours after login at most), as `clearsessions` would.

    Django never deletes them itself: without this the table keeps every login of every user, with its user id and
    times, for ever (等保 2.0: 剩余信息保护). A cached copy (CACHE_URL) expires with the session on its own."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    log.info("expired sessions cleared: %d", deleted)
    return deleted
