"""Chain the events written before the hash chain existed (issue 12.3), and make the anchor table append-only.

The append-only trigger refuses UPDATE, so on PostgreSQL this migration switches it off *inside its own
transaction* (ALTER TABLE … DISABLE TRIGGER takes an ACCESS EXCLUSIVE lock, so nobody writes meanwhile), fills
`prev_hash`/`hash` in id order, and switches it on again before committing; if anything fails the whole migration,
the trigger switch included, rolls back. Only the owner role that runs migrations may do this; the runtime role
may not (it is not the table's owner). On SQLite there is no trigger. A fresh database has no rows to chain.
"""

from django.db import migrations

from tiexi_gov.audit.chain import CONTENT_FIELDS, GENESIS, event_hash

ANCHOR_TRIGGER = """
CREATE TRIGGER audit_chainanchor_no_update BEFORE UPDATE OR DELETE ON audit_chainanchor
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
"""


def backfill(apps, schema_editor):
    Event = apps.get_model("audit", "Event")
    connection = schema_editor.connection
    postgres = connection.vendor == "postgresql"
    if not Event.objects.exists():
        if postgres:
            schema_editor.execute(ANCHOR_TRIGGER, params=None)
        return
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update")
        prev = GENESIS
        names = ("id", *CONTENT_FIELDS)
        batch = []
        for row in Event.objects.order_by("id").values_list(*names).iterator(chunk_size=2000):
            values = dict(zip(names, row, strict=True))
            digest = event_hash(values, prev)
            batch.append((prev, digest, values["id"]))
            prev = digest
            if len(batch) >= 2000:
                cursor.executemany("UPDATE audit_event SET prev_hash = %s, hash = %s WHERE id = %s", batch)
                batch = []
        if batch:
            cursor.executemany("UPDATE audit_event SET prev_hash = %s, hash = %s WHERE id = %s", batch)
        if postgres:
            cursor.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update")
    if postgres:
        schema_editor.execute(ANCHOR_TRIGGER, params=None)


def unchain(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_chainanchor_no_update ON audit_chainanchor", params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_hash_chain")]
    operations = [migrations.RunPython(backfill, unchain)]
