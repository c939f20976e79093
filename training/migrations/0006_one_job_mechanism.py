"""Training runs join the one job mechanism (studio/jobs.py): progress is done of total (steps),
the outcome a message (the failure reason, as `error` was); merges become jobs of their own."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0005_version_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(model_name="trainingrun", old_name="step", new_name="done"),
        migrations.RenameField(model_name="trainingrun", old_name="total_steps", new_name="total"),
        migrations.RenameField(model_name="trainingrun", old_name="error", new_name="message"),
        migrations.AlterField(
            model_name="trainingrun",
            name="message",
            field=models.TextField(blank=True, help_text="What happened, in words a person can act on."),
        ),
        migrations.AlterField(
            model_name="trainingrun",
            name="attempts",
            field=models.PositiveIntegerField(default=0, help_text="times a worker took it up (a retry counts)"),
        ),
        migrations.CreateModel(
            name="AdapterMerge",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "status",
                    models.CharField(
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
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "run",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="merges", to="training.trainingrun"
                    ),
                ),
            ],
            options={"ordering": ["-created_at"]},
        ),
    ]
