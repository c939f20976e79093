"""Curation jobs join the one job mechanism (studio/jobs.py): the shared status vocabulary
("done" is now "succeeded"), and who holds a job, how often it was taken up, when it last beat."""

from django.db import migrations, models


def done_to_succeeded(apps, schema_editor):
    apps.get_model("curation", "Job").objects.filter(status="done").update(status="succeeded")


def succeeded_to_done(apps, schema_editor):
    apps.get_model("curation", "Job").objects.filter(status="succeeded").update(status="done")


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0010_version_creator"),
    ]

    operations = [
        migrations.AlterField(
            model_name="job",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "Queued"),
                    ("running", "Running"),
                    ("succeeded", "Succeeded"),
                    ("failed", "Failed"),
                    ("cancelled", "Cancelled"),
                ],
                default="queued",
                max_length=12,
            ),
        ),
        migrations.AddField(
            model_name="job",
            name="attempts",
            field=models.PositiveIntegerField(default=0, help_text="times a worker took it up (a retry counts)"),
        ),
        migrations.AddField(
            model_name="job",
            name="worker",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="job",
            name="heartbeat_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(done_to_succeeded, succeeded_to_done),
    ]
