"""Every kind of background job through a real Celery worker (Redis, PostgreSQL): the curation
jobs, the periodic reaper re-sending a job whose worker vanished, and evaluation, study
preparation and merge on a trained run. Each task is sent by its name, as the web process and
the reaper send it."""

import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from curation.models import DatasetVersion, Example, Job
from evaluation.evaluating import start as start_evaluation
from evaluation.models import EvaluationRun, Study, StudyPreparation
from evaluation.studying import BASE, system_key
from evaluation.studying import start as start_study
from studio.jobs import JobStatus, send
from tests.conftest import wait_for
from training.models import ArtifactArchive
from training.runs import start_merge

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def finished(job):
    job.refresh_from_db()
    return job.finished


def test_curation_jobs_and_the_reaper_run_through_a_real_worker(start_worker, people, make_example):
    process, log = start_worker()
    for i in range(8):
        make_example(input=f"Ticket {i} about a lamp number {i}", status=Example.Status.APPROVED)

    scan = Job.objects.create(project=people.project, kind=Job.Kind.SCAN, user=people.lead)
    scan.enqueue()
    wait_for(lambda: finished(scan), 60, "the scan", log)
    assert scan.status == JobStatus.SUCCEEDED and scan.attempts == 1, scan.message
    assert scan.message.startswith("Checked 8 examples")

    details = {"name": "v1", "note": "", "ratios": [0.8, 0.1, 0.1], "seed": 0, "leakage_override": "short tickets"}
    frozen = Job.objects.create(project=people.project, kind=Job.Kind.FREEZE, user=people.lead, details=details)
    frozen.enqueue()
    wait_for(lambda: finished(frozen), 60, "the freeze", log)
    assert frozen.status == JobStatus.SUCCEEDED, frozen.message
    version = DatasetVersion.objects.get(id=frozen.details["version_id"])

    export = Job.objects.create(
        project=people.project,
        kind=Job.Kind.EXPORT,
        user=people.lead,
        details={"version_id": version.id, "format": "alpaca"},
    )
    export.enqueue()
    wait_for(lambda: finished(export), 60, "the export", log)
    assert export.status == JobStatus.SUCCEEDED, export.message
    assert (Path(settings.MEDIA_ROOT) / export.details["path"]).is_file()

    # a running scan whose worker vanished: the periodic reaper (itself a task) queues it again,
    # and the worker runs it to the end on its second attempt
    stale = Job.objects.create(
        project=people.project,
        kind=Job.Kind.SCAN,
        user=people.lead,
        status=JobStatus.RUNNING,
        attempts=1,
        worker="gone:1",
        heartbeat_at=timezone.now() - timedelta(minutes=10),
    )
    send("studio.tasks.reap_stale_jobs", {})
    wait_for(lambda: finished(stale), 60, "the reaped scan to run again", log)
    assert stale.status == JobStatus.SUCCEEDED and stale.attempts == 2, stale.message
    log.seek(0)
    assert "studio.tasks.reap_stale_jobs" in log.read()


def test_preflight_evaluation_study_and_merge_run_through_a_real_worker(start_worker, people, trained):
    process, log = start_worker()
    version = trained.dataset_version
    preflight = Job.objects.create(
        project=people.project,
        kind=Job.Kind.PREFLIGHT,
        user=people.lead,
        details={"version_id": version.id, "base_model_id": trained.base_model_id, "max_length": 256},
    )
    preflight.enqueue()
    ev = start_evaluation(trained, people.lead)
    study = Study.objects.create(
        project=people.project,
        name="March study",
        dataset_version=version,
        created_by=people.lead,
        systems=[{"key": BASE, "run_id": None}, {"key": system_key(trained), "run_id": trained.id}],
        max_items=4,
    )
    study.raters.set([people.reviewer])
    start_study(study)
    merge = start_merge(trained, people.lead)

    preparation = StudyPreparation.objects.get(study=study)
    for job, what in (
        (preflight, "the pre-flight"),
        (ev, "the evaluation"),
        (preparation, "the study"),
        (merge, "the merge"),
    ):
        wait_for(lambda job=job: finished(job), 240, what, log)
        assert job.status == JobStatus.SUCCEEDED and job.attempts == 1, (what, job.message)
    assert preflight.details["count"] > 0
    assert EvaluationRun.objects.get(id=ev.id).generations.count() == 2 * version.counts["test"]
    study.refresh_from_db()
    assert study.status == Study.Status.OPEN and study.assignments.exists()
    trained.refresh_from_db()
    assert (Path(trained.summary["merged_dir"]) / "config.json").is_file() and not trained.summary["merging"]

    # a download zip of the adapter, then the periodic prune once it is older than a day
    archive = ArtifactArchive.objects.create(run=trained, artifact="adapter", created_by=people.lead)
    archive.enqueue()
    wait_for(lambda: finished(archive), 60, "the adapter zip", log)
    assert archive.status == JobStatus.SUCCEEDED, archive.message
    with zipfile.ZipFile(archive.file) as zipped:
        assert {"adapter_config.json", "studio_run.json"} <= set(zipped.namelist())
    ArtifactArchive.objects.filter(id=archive.id).update(created_at=timezone.now() - timedelta(days=2))
    send("training.tasks.prune_artifact_archives", {})
    wait_for(lambda: not ArtifactArchive.objects.filter(id=archive.id).exists(), 60, "the prune", log)
    assert not archive.file.exists()
