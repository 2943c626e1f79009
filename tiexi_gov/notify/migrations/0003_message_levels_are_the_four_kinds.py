"""Earlier steps wrote inbox rows with levels "success" and "warning", which the inbox showed as raw English words:
a refusal or return becomes 警示, anything else 通知."""

from django.db import migrations


def to_info(apps, schema_editor):
    Message = apps.get_model("notify", "Message")
    Message.objects.filter(level="warning").update(level="alert")
    Message.objects.exclude(level__in=["info", "reminder", "escalation", "alert"]).update(level="info")


class Migration(migrations.Migration):
    dependencies = [("notify", "0002_initial")]

    operations = [migrations.RunPython(to_info, migrations.RunPython.noop)]
