"""Example.origin_run_id: the run whose output a draft holds, so that the raters of an open blind
study of that run do not see it (curation.listing.visible). Drafts made before are filled in from
their source line: "served completion ... of run-N", "playground: run-N", "evaluation N of ..."
through that evaluation's run, and "study N ..." through the study's output the draft holds."""

import re

from django.db import migrations, models


def fill(apps, schema_editor):
    Example = apps.get_model("curation", "Example")
    tables = schema_editor.connection.introspection.table_names()
    pattern = r"(run-[0-9]+|^evaluation [0-9]+ of |^study [0-9]+ )"
    for example in Example.objects.filter(source__regex=pattern).only("id", "source", "output", "messages"):
        run_id = None
        if match := re.search(r"(?:of |playground: )run-(\d+)", example.source):
            run_id = int(match.group(1))
        elif (match := re.match(r"evaluation (\d+) of ", example.source)) and "evaluation_evaluationrun" in tables:
            with schema_editor.connection.cursor() as cursor:
                cursor.execute("SELECT training_run_id FROM evaluation_evaluationrun WHERE id = %s", [int(match.group(1))])
                row = cursor.fetchone()
            run_id = row[0] if row else None
        elif (match := re.match(r"study (\d+) ", example.source)) and "evaluation_studyoutput" in tables:
            answer = example.output or next(
                (m.get("content", "") for m in reversed(example.messages or []) if m.get("role") == "assistant"), ""
            )
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT system FROM evaluation_studyoutput WHERE study_id = %s AND text = %s AND system <> 'base'",
                    [int(match.group(1)), answer],
                )
                row = cursor.fetchone()
            run_id = int(row[0][4:]) if row and row[0].startswith("run-") and row[0][4:].isdigit() else None
        if run_id:
            Example.objects.filter(id=example.id).update(origin_run_id=run_id)


class Migration(migrations.Migration):
    dependencies = [("curation", "0019_folded_search")]

    operations = [
        migrations.AddField(
            model_name="example",
            name="origin_run_id",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="The training run whose output this draft holds (a correction from an evaluation or a study, a served completion, a playground reply): hidden from the raters of an open study of that run.",
                null=True,
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
