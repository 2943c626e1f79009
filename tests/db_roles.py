"""Issue 12.3: the suite runs under the owner/runtime split when TEST_DB_RUNTIME_ROLE names a role (CI sets it).

The test database is created and migrated by the connecting role, its owner, exactly as `migrate` runs in
production. Every connection opened afterwards (this process, its threads, and the Celery workers and servers the
tests start, through libpq's PGOPTIONS) then acts as the runtime role, which holds what `audit grant_runtime`
gives: ordinary read/write on business tables, INSERT and SELECT only on the audit record. So a code path that
needed the owner's rights (an UPDATE of an audit row, a TRUNCATE, a trigger change) fails in CI as it would in
production. Only the harness itself acts as the owner: the flush between transactional tests (TRUNCATE) and the
few tests that play an intruder or the owner's own commands, through `as_owner()`.
"""

import os
from contextlib import contextmanager

ENV = "TEST_DB_RUNTIME_ROLE"


def runtime_role() -> str | None:
    return os.environ.get(ENV) or None


def enter_runtime_role(role: str) -> None:
    """Create the role if needed, grant it the runtime privileges, and make every later connection act as it."""
    from django.db import connection, connections

    from tiexi_gov.audit.roles_sql import grant_runtime

    if connection.vendor != "postgresql":
        return
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE ROLE {q(role)} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT")
    grant_runtime(role)
    os.environ["PGOPTIONS"] = f"-c role={role}"
    _flush_as_owner(type(connection.ops))
    connections.close_all()


def _flush_as_owner(ops_class) -> None:
    """The harness empties the tables between transactional tests with TRUNCATE, which the runtime role may not."""
    if getattr(ops_class.execute_sql_flush, "as_owner", False):
        return
    plain = ops_class.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        with self.connection.cursor() as cursor:
            cursor.execute("SET ROLE NONE")
        try:
            plain(self, sql_list)
        finally:
            with self.connection.cursor() as cursor:
                cursor.execute("RESET ROLE")

    execute_sql_flush.as_owner = True
    ops_class.execute_sql_flush = execute_sql_flush


@contextmanager
def as_owner(conn=None):
    """Act as the owner (the session's own role) for a block: tests that play the owner's commands or an intruder
    with the owner's rights. RESET ROLE returns to the runtime role given at connection start."""
    from django.db import connection

    conn = conn or connection
    if not runtime_role() or conn.vendor != "postgresql":
        yield
        return
    with conn.cursor() as cursor:
        cursor.execute("SET ROLE NONE")
    try:
        yield
    finally:
        with conn.cursor() as cursor:
            cursor.execute("RESET ROLE")


def current_role(conn=None) -> str:
    from django.db import connection

    conn = conn or connection
    with conn.cursor() as cursor:
        cursor.execute("SELECT current_user")
        return cursor.fetchone()[0]


@contextmanager
def owner_session():
    """`as_owner`, and every new libpq connection (pg_dump, pg_restore, a second psycopg connection) as the owner
    too: for tests of the owner's own commands, such as backup and restore."""
    saved = os.environ.pop("PGOPTIONS", None)
    try:
        with as_owner():
            yield
    finally:
        if saved is not None:
            os.environ["PGOPTIONS"] = saved
