"""Is this process able to serve? The database answers a query and the Celery broker accepts a connection.

Each check returns True or False only: the reason goes to the server log, never into the answer, so the health
check tells an outsider nothing about versions, hosts or errors."""

from __future__ import annotations

import logging

from django.db import connections

logger = logging.getLogger("tiexi_gov.ops.health")

# Seconds the broker may take to accept a connection before the process is reported unavailable.
BROKER_TIMEOUT = 2.0


def database_ok(alias: str = "default") -> bool:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception as exc:  # any failure means "not ready"; the reason stays in the log
        logger.warning("health: database unavailable: %s", exc.__class__.__name__)
        connections[alias].close_if_unusable_or_obsolete()
        return False


def broker_ok() -> bool:
    """Opens (and closes) one connection to the broker: one try, no retries, a short timeout."""
    from tiexi_gov.celery import app

    try:
        with app.connection_for_write(connect_timeout=BROKER_TIMEOUT) as conn:
            conn.ensure_connection(max_retries=0)  # one try: fail at once, the balancer probes again anyway
        return True
    except Exception as exc:
        logger.warning("health: broker unavailable: %s", exc.__class__.__name__)
        return False


def healthy() -> bool:
    return database_ok() and broker_ok()
