from django.db import migrations, models


def first_generation(apps, schema_editor):
    apps.get_model("pagecache", "DataGeneration").objects.using(schema_editor.connection.alias).create(pk=1, token=0)


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="DataGeneration",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.BigIntegerField()),
            ],
            options={"verbose_name": "数据版本"},
        ),
        migrations.RunPython(first_generation, migrations.RunPython.noop),
    ]
