"""Issue 13.4 (DOC-14): 发文字号 counters are keyed by the normalised 代字 (`normalise_reference`), so "铁西政发" and
"铁西 政发" or full-width letters are one series. Existing counters take their key; counters whose keys collide are
merged into one that continues from the highest number used, so no number already issued is handed out again.
"""

from django.db import migrations


def key_counters(apps, schema_editor):
    from tiexi_gov.references import normalise_reference

    Counter = apps.get_model("documents", "DocumentNumberCounter")
    groups: dict[tuple[str, int], list] = {}
    for counter in Counter.objects.order_by("id"):
        groups.setdefault((normalise_reference(counter.series)[:30], counter.year), []).append(counter)
    for (key, _year), counters in groups.items():
        keeper = max(counters, key=lambda c: (c.last, -c.id))
        Counter.objects.filter(pk__in=[c.pk for c in counters if c.pk != keeper.pk]).delete()
        if keeper.series != key:
            Counter.objects.filter(pk=keeper.pk).update(series=key)


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0006_help_text_cites_articles"),
    ]

    operations = [
        migrations.RunPython(key_counters, migrations.RunPython.noop, elidable=True),
    ]
