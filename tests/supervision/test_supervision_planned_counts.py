"""Issue 14.4 with prepared statements (settings.DB_PREPARE_THRESHOLD): the ledger's and the dashboard's counts by
light compare every item with today's date, and a plan made once for any date read 50,000 items a third slower than
the plan for today's. Those counts run unprepared (tiexi_gov.ops.planner.planned_for_its_values); the rest of the
connection's statements are still prepared."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tiexi_gov.ops.planner import planned_for_its_values

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"),
]


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        return [row[0] for row in cursor.fetchall()]


def _run(sql: str, times: int) -> None:
    for _ in range(times):
        with connection.cursor() as cursor:
            cursor.execute(sql, [1])


def test_x_14_a_block_planned_for_its_values_prepares_nothing_and_the_connection_prepares_again_after_it():
    connection.ensure_connection()
    threshold = connection.connection.prepare_threshold
    assert threshold is not None  # prepared statements are on
    with planned_for_its_values():
        _run("SELECT %s::int + 2", threshold + 2)
    assert not [s for s in _prepared() if "$1::int + 2" in s]
    assert connection.connection.prepare_threshold == threshold
    _run("SELECT %s::int + 3", threshold + 2)
    assert [s for s in _prepared() if "$1::int + 3" in s]


def test_x_14_the_ledger_and_the_dashboard_count_by_light_with_a_plan_for_today(world, client, settings):
    settings.PAGE_CACHE_SECONDS = 0  # every visit draws the page
    client.force_login(world.staff)
    connection.ensure_connection()

    def by_light(sql: str) -> bool:
        return "COUNT(" in sql and "CASE WHEN" in sql and "supervision_supervisionitem" in sql

    visits = connection.connection.prepare_threshold + 2
    with CaptureQueriesContext(connection) as ran:
        for _ in range(visits):
            assert client.get(reverse("supervision:ledger")).status_code == 200
            assert client.get(reverse("supervision:dashboard")).status_code == 200
    assert sum(by_light(q["sql"]) for q in ran.captured_queries) >= 2 * visits  # the counts ran on every visit
    assert not [s for s in _prepared() if by_light(s)]  # and were never prepared
