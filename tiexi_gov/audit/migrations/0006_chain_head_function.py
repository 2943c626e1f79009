"""One round trip to append to the chain on PostgreSQL (issue 14: an approval stays at 20 statements).

`audit_lock_chain_head(key)` takes the chain's advisory lock and then reads the head hash. A VOLATILE plpgsql
function takes a fresh snapshot for each statement inside it, so the read happens after the lock is granted and
sees every event committed by the appender that held it before — what two separate statements did.
"""

from django.db import migrations

UP = """
CREATE OR REPLACE FUNCTION audit_lock_chain_head(lock_key bigint) RETURNS text AS $$
DECLARE
    head text;
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    SELECT hash INTO head FROM audit_event ORDER BY id DESC LIMIT 1;
    IF head IS NULL THEN
        SELECT last_hash INTO head FROM audit_chainanchor ORDER BY id DESC LIMIT 1;
    END IF;
    RETURN head;
END;
$$ LANGUAGE plpgsql VOLATILE;
"""

DOWN = "DROP FUNCTION IF EXISTS audit_lock_chain_head(bigint);"


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UP, params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DOWN, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_backfill_hash_chain")]

    operations = [migrations.RunPython(install, remove)]
