"""Celery tasks of the accounts app: the nightly purge of ended sessions."""

from importlib import import_module

from celery import shared_task
from django.conf import settings


@shared_task(name="tiexi_gov.accounts.tasks.clear_expired_sessions", ignore_result=True)
def clear_expired_sessions() -> None:
    """Delete the sessions past their expiry (12 hours after login at most): the session engine's own purge, as
    `manage.py clearsessions` runs it.

    Django never runs it itself: without this the table keeps every login of every user, with its user id and times,
    for ever (等保 2.0: 剩余信息保护). A cached copy (CACHE_URL) expires with the session on its own."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
