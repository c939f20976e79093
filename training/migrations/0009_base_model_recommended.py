from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("training", "0008_metric_point_time")]

    operations = [
        migrations.AddField(
            model_name="basemodel",
            name="recommended",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="Launch settings that suit this model (TrainConfig names), read from the folder's studio_recommended.json; the launch form starts from them.",
            ),
        ),
    ]
