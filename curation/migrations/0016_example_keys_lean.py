# ExampleVector.updated_at is set by vectors.store (one stamp a batch), no longer auto_now.
# The "sim" keys (MinHash bands for the review queue's similar examples) are gone: that list now
# uses the checks' own similarity. The word-index keys lose their foreign-key constraints and the
# two indexes that duplicated others; each cost every row of a scan's bulk insert.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def drop_similarity_keys(apps, schema_editor):
    apps.get_model("curation", "ExampleKey").objects.filter(kind="sim").delete()


class Migration(migrations.Migration):

    dependencies = [
        ('curation', '0015_chat_search_index'),
        ('studio', '0002_initial'),
    ]

    operations = [
        migrations.RunPython(drop_similarity_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='examplekey',
            name='example',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='curation.example'),
        ),
        migrations.AlterField(
            model_name='examplevector',
            name='updated_at',
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AlterField(
            model_name='examplekey',
            name='project',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='studio.project'),
        ),
    ]
