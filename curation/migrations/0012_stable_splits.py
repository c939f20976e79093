"""Splits carried over between versions: the version a new one was based on, the examples that
changed split (with why), and the lead's reason when every example was dealt afresh. Adding
columns is no UPDATE, so migration 0006's triggers do not fire."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0011_one_job_mechanism"),
    ]

    operations = [
        migrations.AddField(
            model_name="datasetversion",
            name="based_on",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="the version whose splits this one carried over",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="curation.datasetversion",
            ),
        ),
        migrations.AddField(
            model_name="datasetversion",
            name="resplit_reason",
            field=models.TextField(blank=True, help_text="why the lead dealt every example into splits afresh"),
        ),
        migrations.AddField(
            model_name="datasetversion",
            name="split_moves",
            field=models.JSONField(
                blank=True, default=list, help_text="[{example, from, to, why}]: examples in another split than before"
            ),
        ),
    ]
