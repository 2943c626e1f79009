"""DOC-17 (第三十六条): the processing slip keeps the disclosure manner and, for 部分公开/不予公开, the legal reason,
copied at registration like its other fields. Slips registered before take them from their submission."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_from_submissions(apps, schema_editor):
    ProcessingSlip = apps.get_model("documents", "ProcessingSlip")
    Submission = apps.get_model("documents", "Submission")
    own = Submission.objects.filter(pk=OuterRef("submission_id"))
    ProcessingSlip.objects.update(
        disclosure_manner=Subquery(own.values("disclosure_manner")[:1]),
        disclosure_reason=Subquery(own.values("disclosure_reason")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0010_township_reports_and_the_directive_exceptions"),
    ]

    operations = [
        migrations.AddField(
            model_name="processingslip",
            name="disclosure_manner",
            field=models.CharField(
                blank=True,
                choices=[("active", "主动公开"), ("on_request", "依申请公开")],
                max_length=20,
                verbose_name="公开方式",
            ),
        ),
        migrations.AddField(
            model_name="processingslip",
            name="disclosure_reason",
            field=models.TextField(blank=True, verbose_name="不公开（部分公开）的法律依据和理由"),
        ),
        migrations.RunPython(copy_from_submissions, migrations.RunPython.noop),
    ]
