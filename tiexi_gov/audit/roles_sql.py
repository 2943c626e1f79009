"""Database privileges of the runtime role (issue 12.3): the application's runtime role is not the owner of the
audit tables and holds only INSERT and SELECT on `audit_event` and SELECT on `audit_chainanchor` — no UPDATE,
DELETE, TRUNCATE, REFERENCES or TRIGGER, and, not being the owner, no ALTER TABLE (so no trigger changes).
It keeps ordinary read/write on the other tables. Run as the owner after every `migrate` (`manage.py audit
grant_runtime --role NAME`); with AUDIT_RUNTIME_DB_ROLE set, `migrate` applies it itself (post_migrate)."""

from django.db import connection

AUDIT_TABLES = ("audit_event", "audit_chainanchor")


class RoleError(Exception):
    pass


def grant_runtime(role: str, *, using_connection=None) -> list[str]:
    conn = using_connection or connection
    if conn.vendor != "postgresql":
        raise RoleError("数据库角色分离只适用于 PostgreSQL。")
    q = conn.ops.quote_name
    with conn.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [role])
        row = cursor.fetchone()
        if row is None:
            raise RoleError(f"角色 {role} 不存在（先按 scripts/db_roles.sql 建立）。")
        if row[0] or row[1]:
            raise RoleError(f"运行时角色 {role} 不得是超级用户或绕过行级安全的角色。")
        cursor.execute(
            "SELECT tableowner FROM pg_tables WHERE tablename = 'audit_event' AND schemaname = current_schema()"
        )
        owner = cursor.fetchone()[0]
        cursor.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", [role, owner])
        if role == owner or cursor.fetchone()[0]:
            raise RoleError(f"运行时角色 {role} 不得是审计表的属主 {owner}，也不得是其成员。")
        statements = [
            f"GRANT USAGE ON SCHEMA {q('public')} TO {q(role)}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {q('public')} TO {q(role)}",
            f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {q('public')} TO {q(role)}",
            f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {q('public')} FROM {q(role)}",
            *(f"REVOKE ALL ON {q(table)} FROM {q(role)}, PUBLIC" for table in AUDIT_TABLES),
            f"GRANT SELECT, INSERT ON {q('audit_event')} TO {q(role)}",
            f"GRANT SELECT ON {q('audit_chainanchor')} TO {q(role)}",
        ]
        for statement in statements:
            cursor.execute(statement)
    return statements
