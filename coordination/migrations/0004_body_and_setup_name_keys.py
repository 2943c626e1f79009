"""Issue 13.4 (CRD-1, CRD-2): the normalised name of every body (one body per name, whatever its status) and of every
setup application (one setup application in flight per name).

Existing rows get `normalise_reference(name)`. If old rows already collide once normalised (names that differed
only by a space, width or brackets), the oldest keeps the key and each later one gets "key#id": the migration never
fails on old data, the later row stays visibly marked (the models keep such a key on save), and the collisions are
printed for the office to settle by an adjustment or abolition.
"""

from django.db import migrations, models

IN_FLIGHT = ["office_review", "deputy_review", "head_review"]


def fill_name_keys(apps, schema_editor):
    from tiexi_gov.references import normalise_reference

    Body = apps.get_model("coordination", "Body")
    seen: set[str] = set()
    for body in Body.objects.only("id", "name").order_by("id"):
        key = normalise_reference(body.name)[:240]
        if key in seen:
            print(f"\n  CRD-2: body {body.id} “{body.name}” duplicates an older body's name; key {key}#{body.id}")
            key = f"{key}#{body.id}"
        seen.add(key)
        Body.objects.filter(pk=body.pk).update(name_key=key)

    Application = apps.get_model("coordination", "Application")
    flying: set[str] = set()
    for app in Application.objects.filter(kind="setup").only("id", "proposal", "state").order_by("id"):
        key = normalise_reference((app.proposal or {}).get("name"))[:240]
        if key and app.state in IN_FLIGHT:
            if key in flying:
                print(f"\n  CRD-1: setup application {app.id} duplicates one in flight; key {key}#{app.id}")
                key = f"{key}#{app.id}"
            flying.add(key)
        Application.objects.filter(pk=app.pk).update(name_key=key)


class Migration(migrations.Migration):
    dependencies = [
        ("coordination", "0003_help_text_cites_articles"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="name_key",
            field=models.CharField(blank=True, editable=False, max_length=255, verbose_name="拟设机构名称（比对用）"),
        ),
        migrations.AddField(
            model_name="body",
            name="name_key",
            field=models.CharField(default="", editable=False, max_length=255, verbose_name="机构名称（比对用）"),
            preserve_default=False,
        ),
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="body",
            name="name_key",
            field=models.CharField(editable=False, max_length=255, unique=True, verbose_name="机构名称（比对用）"),
        ),
        migrations.AddConstraint(
            model_name="application",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "setup"), ("state__in", IN_FLIGHT), models.Q(("name_key", ""), _negated=True)),
                fields=("name_key",),
                name="one_setup_in_flight_per_name",
            ),
        ),
    ]
