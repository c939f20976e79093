"""A study's failure reason lives on its preparation job now (0006 copied it there)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0006_study_preparations"),
    ]

    operations = [migrations.RemoveField(model_name="study", name="error")]
