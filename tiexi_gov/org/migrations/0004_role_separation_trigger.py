"""三员分立 held by the database itself (issue 12.1).

The m2m_changed guard in org.services covers `user.groups.add/set`, but `User.groups.through.objects.create`,
`bulk_create` or plain SQL never send that signal: a trigger on the user–group table refuses any row that would
give one account two of the system, security and audit administrator roles, or an administrator role together
with a business role (administrators act in no business flow). The account's row is locked first, so two
concurrent grants to the same account cannot both pass.
"""

from django.db import migrations

ADMIN = ("系统管理员", "安全管理员", "审计管理员")
BUSINESS = ("文书", "单位负责人", "办公室工作人员", "办公室主任", "副区长", "区长")
MESSAGE = "三员分立：系统管理员、安全管理员、审计管理员互斥，且不得兼任业务角色"


def _names(names) -> str:
    return ", ".join("'" + n + "'" for n in names)


PG_UP = f"""
CREATE OR REPLACE FUNCTION org_user_groups_separation() RETURNS trigger AS $$
DECLARE
    new_name text;
    clash text;
BEGIN
    PERFORM 1 FROM org_user WHERE id = NEW.user_id FOR UPDATE;
    SELECT name INTO new_name FROM auth_group WHERE id = NEW.group_id;
    IF new_name IN ({_names(ADMIN)}) THEN
        SELECT g.name INTO clash FROM org_user_groups ug JOIN auth_group g ON g.id = ug.group_id
         WHERE ug.user_id = NEW.user_id AND ug.id IS DISTINCT FROM NEW.id AND g.name <> new_name
           AND g.name IN ({_names(ADMIN + BUSINESS)}) LIMIT 1;
    ELSIF new_name IN ({_names(BUSINESS)}) THEN
        SELECT g.name INTO clash FROM org_user_groups ug JOIN auth_group g ON g.id = ug.group_id
         WHERE ug.user_id = NEW.user_id AND ug.id IS DISTINCT FROM NEW.id AND g.name IN ({_names(ADMIN)}) LIMIT 1;
    END IF;
    IF clash IS NOT NULL THEN
        RAISE EXCEPTION '{MESSAGE}（%、%）', new_name, clash USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER org_user_groups_separation BEFORE INSERT OR UPDATE ON org_user_groups
    FOR EACH ROW EXECUTE FUNCTION org_user_groups_separation();
"""

PG_DOWN = """
DROP TRIGGER IF EXISTS org_user_groups_separation ON org_user_groups;
DROP FUNCTION IF EXISTS org_user_groups_separation();
"""


def _sqlite_trigger(event: str) -> str:
    """SQLite has no procedures: one trigger per event, the same test written as a WHEN clause."""
    return f"""
CREATE TRIGGER org_user_groups_separation_{event.lower()} BEFORE {event} ON org_user_groups
WHEN EXISTS (
    SELECT 1 FROM org_user_groups ug
      JOIN auth_group g ON g.id = ug.group_id
      JOIN auth_group n ON n.id = NEW.group_id
     WHERE ug.user_id = NEW.user_id AND ug.id IS NOT NEW.id AND g.name <> n.name
       AND (
            (n.name IN ({_names(ADMIN)}) AND g.name IN ({_names(ADMIN + BUSINESS)}))
         OR (n.name IN ({_names(BUSINESS)}) AND g.name IN ({_names(ADMIN)}))
       )
)
BEGIN
    SELECT RAISE(ABORT, '{MESSAGE}');
END;
"""


SQLITE_DOWN = """
DROP TRIGGER IF EXISTS org_user_groups_separation_insert;
DROP TRIGGER IF EXISTS org_user_groups_separation_update;
"""


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_UP, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(_sqlite_trigger("INSERT"))
        schema_editor.execute(_sqlite_trigger("UPDATE"))


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DOWN, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_DOWN.strip().splitlines():
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("org", "0003_help_text_cites_articles"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(install, remove)]
