"""Issue 13.4 (SUP-5): the normalised source reference of every item, and at most one open item per reference.

Existing rows get their key from `normalise_reference(source_ref)`. If the ledger already holds several open items
whose references are the same once normalised (they were let through when 〔〕/[] or a space made them differ),
the oldest keeps the key and the later ones keep an empty key, so the migration never fails on old data; their
references are printed for the office to settle (cancel or merge the duplicate), and editing such a draft runs the
duplicate check again.
"""

from django.db import migrations, models

OPEN = ["draft", "awaiting_approval", "assigned", "accepted", "in_progress", "claimed"]


def fill_source_keys(apps, schema_editor):
    from tiexi_gov.references import normalise_reference

    Item = apps.get_model("supervision", "SupervisionItem")
    taken: dict[str, str] = {}
    for item in Item.objects.exclude(source_ref="").only("id", "number", "state", "source_ref").order_by("id"):
        key = normalise_reference(item.source_ref)[:255]
        if item.state in OPEN:
            if key in taken:
                print(f"\n  SUP-5: {item.number} duplicates open item {taken[key]} ({item.source_ref}); key left empty")
                continue
            taken[key] = item.number
        Item.objects.filter(pk=item.pk).update(source_key=key)


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0002_half_year_report_fsm"),
    ]

    operations = [
        migrations.AddField(
            model_name="supervisionitem",
            name="source_key",
            field=models.CharField(blank=True, editable=False, max_length=255, verbose_name="来源依据（比对用）"),
        ),
        migrations.RunPython(fill_source_keys, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="supervisionitem",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state__in", OPEN), models.Q(("source_key", ""), _negated=True)),
                fields=("source_key",),
                name="supervision_one_open_item_per_source_key",
            ),
        ),
    ]
