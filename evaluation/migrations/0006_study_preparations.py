"""Evaluation runs that were "done" are "succeeded"; every study gets its preparation job, in the
state its status said (a failed study keeps its reason there and its lifecycle goes back to
preparing)."""

from django.db import migrations


def forwards(apps, schema_editor):
    EvaluationRun = apps.get_model("evaluation", "EvaluationRun")
    Study = apps.get_model("evaluation", "Study")
    StudyPreparation = apps.get_model("evaluation", "StudyPreparation")
    EvaluationRun.objects.filter(status="done").update(status="succeeded")
    preparations = []
    for study in Study.objects.all():
        if study.status == "failed":
            status, message = "failed", study.error
        elif study.status == "preparing":
            status, message = "queued", ""
        else:
            status, message = "succeeded", ""
        preparations.append(
            StudyPreparation(
                study=study,
                status=status,
                message=message,
                finished_at=study.created_at if status != "queued" else None,
            )
        )
    StudyPreparation.objects.bulk_create(preparations)
    Study.objects.filter(status="failed").update(status="preparing")


def backwards(apps, schema_editor):
    EvaluationRun = apps.get_model("evaluation", "EvaluationRun")
    Study = apps.get_model("evaluation", "Study")
    EvaluationRun.objects.filter(status="succeeded").update(status="done")
    for preparation in apps.get_model("evaluation", "StudyPreparation").objects.filter(status="failed"):
        Study.objects.filter(id=preparation.study_id).update(status="failed", error=preparation.message)


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0005_one_job_mechanism"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
