"""The planner's costs on each new PostgreSQL connection (settings.DB_RANDOM_PAGE_COST), and the statements planned
for their own values rather than prepared.

A SET when the connection opens, not a libpq startup option: an `options` connection parameter would replace
PGOPTIONS, which a deployment (and the test suite's runtime role) may use for its own settings."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connections


def set_costs(sender, connection, **kwargs) -> None:
    if connection.vendor != "postgresql" or not settings.DB_RANDOM_PAGE_COST:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('random_page_cost', %s, false)", [str(settings.DB_RANDOM_PAGE_COST)])


@contextmanager
def planned_for_its_values(using: str = "default") -> Iterator[None]:
    """Statements of the block run unprepared: PostgreSQL plans each for the values it is given.

    A prepared statement (settings.DB_PREPARE_THRESHOLD) is planned once for any values, and most of the portal's
    statements (one row by id, one person's posts) plan the same whatever the values. A few do not: the ledger's
    count by light compares every item with today's date, and its plan for "some date" read 50,000 items in 18.7 ms
    where the plan for today's date took 12.6 ms. Evaluate the queryset inside the block."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    threshold, raw.prepare_threshold = raw.prepare_threshold, None
    try:
        yield
    finally:
        raw.prepare_threshold = threshold
