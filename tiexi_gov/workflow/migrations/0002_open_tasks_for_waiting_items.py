"""Open the tasks of everything that waits today, so that an upgraded deployment's 我的待办 is complete from its
first day (issue 10). It runs each registered flow's own rule (the current code, not historical models: the rule
of who waits is code, and it must be the same one the running portal uses). `manage.py tasks rebuild` does the same
at any time."""

from django.db import migrations


def open_tasks(apps, schema_editor):
    from django.utils import timezone

    from tiexi_gov.workflow.registry import flows
    from tiexi_gov.workflow.sync import rebuild

    today = timezone.localdate()
    for flow in flows():
        rebuild(flow.model.objects.order_by("pk").iterator(), day=today)


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0001_initial"),
        ("documents", "0005_alter_publicregisterentry_kind"),
        ("supervision", "0002_half_year_report_fsm"),
        ("meetings", "0001_initial"),
        ("coordination", "0002_workflow_states"),
    ]

    operations = [migrations.RunPython(open_tasks, migrations.RunPython.noop)]
