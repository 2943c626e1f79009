"""Every write the database commits replaces the data generation (models.DataGeneration), after the commit.

An execute wrapper on each connection sees every statement Django sends (ORM saves, queryset update/delete, bulk
inserts, raw SQL through Django's cursors), in every process. A write inside a transaction schedules one bump on
commit, so a page drawn before the commit is filed under the old token and one drawn after it under the new; a
rolled-back transaction bumps nothing. Sessions are left out: a session's own pages are keyed by the session, and
the idle-timeout stamp (every 30 s) would otherwise throw every user's pages away.
"""

from __future__ import annotations

import contextvars
import secrets

from django.db import connections

WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "TRUNCAT", "REPLACE", "MERGE")
IGNORED_TABLES = ("django_session", "pagecache_datageneration")

# Statements that wrote during the current request (cache.py refuses to cache a GET that wrote).
writes_in_request: contextvars.ContextVar[int] = contextvars.ContextVar("pagecache_writes", default=0)


_paused = False


def pause(**kwargs) -> None:
    global _paused
    _paused = True


def resume(using="default", **kwargs) -> None:
    """After `migrate` (and a test flush): the table exists, and one bump covers whatever the migrations wrote."""
    global _paused
    if _paused:
        _paused = False
        bump(using)


def is_write(sql: str) -> bool:
    head = sql.lstrip()[:8].upper()
    if not head.startswith(WRITE_VERBS):
        return False
    return not any(table in sql for table in IGNORED_TABLES)


def watch_connection(sender, connection, **kwargs) -> None:
    """Install the wrapper once per connection object (it survives reconnects). First in the list, so a caller's
    `with connection.execute_wrapper(...)`, which pops the last one, never removes it."""
    if not getattr(connection, "_pagecache_watched", False):
        connection.execute_wrappers.insert(0, _WriteWatcher(connection.alias))
        connection._pagecache_watched = True


class _WriteWatcher:
    def __init__(self, alias: str):
        self.alias = alias

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not _paused and isinstance(sql, str) and is_write(sql):
            writes_in_request.set(writes_in_request.get() + 1)
            _schedule_bump(connections[self.alias])
        return result


def _in_test_transaction(connection) -> bool:
    """Inside a test case's transaction (Django's TestCase, pytest-django's `db`): one connection, never committed,
    so on-commit callbacks never run."""
    return connection.in_atomic_block and getattr(connection.atomic_blocks[0], "_from_testcase", False)


def _schedule_bump(connection) -> None:
    if _in_test_transaction(connection):
        # The test's next page must see its own write: count it on the connection, which current() adds to the token
        # (no query, so the tests' query counts stay what production runs before its one bump on commit).
        connection._pagecache_test_writes = getattr(connection, "_pagecache_test_writes", 0) + 1
        return
    if not connection.in_atomic_block:  # autocommit: the statement is committed
        bump(connection.alias)
        return
    if not any(func is _bump_on_commit for _sids, func, _robust in connection.run_on_commit):
        connection.on_commit(_bump_on_commit, robust=True)  # the action stands even if the bump fails


def _bump_on_commit() -> None:
    bump()


def bump(alias: str = "default") -> None:
    """Replace the token (a random one: two bumps at the same moment still both change it, and a table emptied
    and refilled in tests never reuses an old one)."""
    from .models import DataGeneration

    token = secrets.randbits(62)
    connection = connections[alias]
    with connection.cursor() as cursor:  # plain SQL, as current(): it follows every write request (issue 14.3)
        table = connection.ops.quote_name(DataGeneration._meta.db_table)
        cursor.execute(f"UPDATE {table} SET token = %s WHERE id = 1", [token])
        updated = cursor.rowcount
    if not updated:
        DataGeneration.objects.using(alias).bulk_create([DataGeneration(pk=1, token=token)], ignore_conflicts=True)


def current(alias: str = "default") -> str | None:
    """The committed token, or None while the row is missing (then nothing is cached)."""
    from .models import DataGeneration

    connection = connections[alias]
    with connection.cursor() as cursor:  # plain SQL: read on every cached visit, and the ORM's build costs more
        cursor.execute(f"SELECT token FROM {connection.ops.quote_name(DataGeneration._meta.db_table)} WHERE id = 1")
        row = cursor.fetchone()
    if row is None:
        return None
    token = row[0]
    if _in_test_transaction(connection):
        return f"{token}.{getattr(connection, '_pagecache_test_writes', 0)}"
    return str(token)
