"""Evaluation runs join the one job mechanism (studio/jobs.py): "done" is now "succeeded" and
`error` is the outcome's message. A study's status keeps its lifecycle (preparing, open, closed);
preparing it becomes a job of its own, StudyPreparation (its rows: 0006; the old field goes in 0007,
its own transaction, after the rows that refer to the study are in)."""

import django.db.models.deletion
from django.db import migrations, models

STATUS = models.CharField(
    choices=[
        ("queued", "Queued"),
        ("running", "Running"),
        ("succeeded", "Succeeded"),
        ("failed", "Failed"),
        ("cancelled", "Cancelled"),
    ],
    default="queued",
    max_length=12,
)


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0004_regression_prompts"),
    ]

    operations = [
        migrations.RenameField(model_name="evaluationrun", old_name="error", new_name="message"),
        migrations.AlterField(
            model_name="evaluationrun",
            name="message",
            field=models.TextField(blank=True, help_text="What happened, in words a person can act on."),
        ),
        migrations.AlterField(model_name="evaluationrun", name="status", field=STATUS),
        migrations.AddField(
            model_name="evaluationrun",
            name="attempts",
            field=models.PositiveIntegerField(default=0, help_text="times a worker took it up (a retry counts)"),
        ),
        migrations.AddField(
            model_name="evaluationrun", name="worker", field=models.CharField(blank=True, max_length=200)
        ),
        migrations.AddField(
            model_name="evaluationrun", name="heartbeat_at", field=models.DateTimeField(blank=True, null=True)
        ),
        migrations.AddField(
            model_name="evaluationrun", name="started_at", field=models.DateTimeField(blank=True, null=True)
        ),
        migrations.CreateModel(
            name="StudyPreparation",
            fields=[
                ("status", STATUS),
                ("done", models.PositiveIntegerField(default=0)),
                ("total", models.PositiveIntegerField(default=0)),
                ("message", models.TextField(blank=True, help_text="What happened, in words a person can act on.")),
                (
                    "attempts",
                    models.PositiveIntegerField(default=0, help_text="times a worker took it up (a retry counts)"),
                ),
                ("worker", models.CharField(blank=True, max_length=200)),
                ("heartbeat_at", models.DateTimeField(blank=True, null=True)),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                (
                    "study",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="preparation",
                        serialize=False,
                        to="evaluation.study",
                    ),
                ),
            ],
            options={"abstract": False},
        ),
        migrations.AlterField(
            model_name="study",
            name="status",
            field=models.CharField(
                choices=[("preparing", "Preparing outputs"), ("open", "Open"), ("closed", "Closed")],
                default="preparing",
                max_length=10,
            ),
        ),
    ]
