"""The one background-job mechanism (studio/jobs.py): claim by conditional UPDATE, heartbeat,
progress, finish, and the reaper that queues again or fails a job whose worker vanished, with
the reason on the job's page."""

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from curation.core.splits import SplitConfig
from curation.models import Example, Job
from curation.versions import freeze
from evaluation.models import EvaluationRun, JudgeRun, StudyPreparation, SynthesisJob
from studio import jobs
from studio.jobs import STALE_AFTER, JobStatus, job_models, reap_stale
from training.models import AdapterMerge, ArtifactArchive, BaseModel, TrainingRun
from training.runs import launch

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    """The tasks the reaper sends again, as (name, kwargs), instead of sending them."""
    calls = []
    monkeypatch.setattr(jobs, "send", lambda name, kwargs: calls.append((name, kwargs)))
    return calls


def scan_job(people, **fields):
    return Job.objects.create(project=people.project, kind=Job.Kind.SCAN, user=people.lead, **fields)


def gone_quiet(job, minutes=5):
    """Make the job's last heartbeat look `minutes` old, as when its worker was killed."""
    type(job).objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=minutes))
    job.refresh_from_db()


def test_every_long_job_is_a_background_job_with_a_task_to_run_it():
    assert set(job_models()) == {
        Job,
        TrainingRun,
        AdapterMerge,
        ArtifactArchive,
        EvaluationRun,
        StudyPreparation,
        JudgeRun,
        SynthesisJob,
    }
    names = {Job(kind=kind).task_name for kind in Job.Kind} | {
        m.task_name
        for m in (TrainingRun, AdapterMerge, ArtifactArchive, EvaluationRun, StudyPreparation, JudgeRun, SynthesisJob)
    }
    from studio.celery import app

    app.loader.import_default_modules()
    assert names <= set(app.tasks)


def test_a_job_is_claimed_once(people):
    job = scan_job(people)
    assert job.claim(worker="host:1")
    assert not Job.objects.get(id=job.id).claim(worker="host:2")  # a second delivery does nothing
    job.refresh_from_db()
    assert (job.status, job.worker, job.attempts) == (JobStatus.RUNNING, "host:1", 1)
    assert job.heartbeat_at and job.started_at


def test_a_cancelled_job_is_not_claimed(people):
    job = scan_job(people, status=JobStatus.CANCELLED)
    assert not job.claim()
    assert Job.objects.get(id=job.id).status == JobStatus.CANCELLED


def test_progress_is_stored_and_beats(people):
    job = scan_job(people)
    job.claim()
    gone_quiet(job)
    before = job.heartbeat_at
    report = job.progress()
    report(1, 4)
    report(1, 4)  # the same percent again writes nothing
    job.refresh_from_db()
    assert (job.done, job.total, job.percent) == (1, 4, 25)
    assert job.heartbeat_at > before


def test_finish_records_the_outcome_once(people):
    job = scan_job(people)
    job.claim()
    job.report(3, 3)
    assert job.finish("Checked 3 examples.", details={"examples": 3})
    assert not job.finish("a late second outcome", failed=True)
    job.refresh_from_db()
    assert (job.status, job.message, job.details, job.percent) == (
        JobStatus.SUCCEEDED,
        "Checked 3 examples.",
        {"examples": 3},
        100,
    )
    assert job.finished and job.finished_at and job.error == ""


def test_a_failed_job_says_why(people):
    job = scan_job(people)
    job.claim()
    job.finish("The check stopped: OSError: disk full", failed=True)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == "The check stopped: OSError: disk full"


@pytest.mark.django_db(transaction=True)
def test_a_long_step_without_progress_still_beats(people):
    job = scan_job(people)
    job.claim()
    gone_quiet(job)
    before = job.heartbeat_at
    with job.beating(every=0.05):
        time.sleep(0.4)
    job.refresh_from_db()
    assert job.heartbeat_at > before
    assert reap_stale() == []  # alive: nothing to reap


def test_a_job_whose_worker_vanished_is_queued_again_then_failed(people, sent, as_user):
    job = scan_job(people)
    for attempt in range(1, Job.max_attempts + 1):
        assert job.claim(worker=f"gpu-{attempt}:42")
        gone_quiet(job)
        assert reap_stale() == [("curation.Job", job.id)]
        job.refresh_from_db()
        if attempt < Job.max_attempts:
            assert job.status == JobStatus.QUEUED and job.worker == ""
            assert f"The worker (gpu-{attempt}:42) stopped answering" in job.message
            assert f"attempt {attempt} of {Job.max_attempts}; queued again" in job.message
            assert sent[-1] == ("curation.tasks.scan_dataset", {"job_id": job.id})
    assert len(sent) == Job.max_attempts - 1
    assert job.status == JobStatus.FAILED and job.finished_at
    assert f"stopped answering {Job.max_attempts} times" in job.error
    page = as_user(people.lead).get(reverse("curation:job", args=[people.project.slug, job.id])).content.decode()
    assert "stopped answering 3 times" in page and "Failed" in page


def test_the_reaper_leaves_live_queued_and_finished_jobs_alone(people, sent):
    live = scan_job(people)
    live.claim()
    queued = scan_job(people)
    finished = scan_job(people)
    finished.claim()
    finished.finish("done")
    gone_quiet(finished)
    Job.objects.filter(id=queued.id).update(heartbeat_at=timezone.now() - STALE_AFTER * 2)
    assert reap_stale() == [] and sent == []


def test_a_running_job_that_never_beat_is_reaped(people, sent):
    job = scan_job(people)
    job.claim()
    Job.objects.filter(id=job.id).update(heartbeat_at=None)
    assert reap_stale() == [("curation.Job", job.id)]


def test_a_training_run_whose_worker_vanished_resumes_and_its_page_says_so(
    people, make_example, tiny_model_dir, sent, as_user, django_capture_on_commit_callbacks
):
    for i in range(6):
        make_example(input=f"Ticket {i} about a lamp number {i}", status=Example.Status.APPROVED)
    version = freeze(people.project, people.lead, name="v1", note="", config=SplitConfig(), leakage_override="short")
    base = BaseModel.objects.create(
        project=people.project, name="Tiny", path=str(tiny_model_dir), status=BaseModel.Status.READY
    )
    with django_capture_on_commit_callbacks(execute=False):
        run = launch(people.project, people.lead, name="r", version=version, base_model=base, config_values={})
    assert run.claim(worker="gpu-a:7")
    gone_quiet(run)
    assert reap_stale() == [("training.TrainingRun", run.id)]
    assert sent == [("training.tasks.train_run", {"run_id": run.id})]
    run.refresh_from_db()
    assert run.status == JobStatus.QUEUED and run.attempts == 1
    page = as_user(people.lead).get(reverse("training:run", args=[people.project.slug, run.id])).content.decode()
    assert "The worker (gpu-a:7) stopped answering" in page and "resumes from its last checkpoint" in page


def test_a_merge_whose_worker_vanished_says_so_and_can_be_started_again_once_it_failed(
    people, trained, sent, as_user, django_capture_on_commit_callbacks
):
    from training.runs import start_merge

    with django_capture_on_commit_callbacks(execute=False):
        merge = start_merge(trained, people.lead)
    url = reverse("training:run", args=[people.project.slug, trained.id])
    for attempt in range(1, AdapterMerge.max_attempts + 1):
        assert merge.claim(worker=f"gpu-{attempt}:9")
        gone_quiet(merge)
        assert reap_stale() == [("training.AdapterMerge", merge.id)]
        page = as_user(people.lead).get(url).content.decode()
        if attempt < AdapterMerge.max_attempts:
            assert "Merging the adapter into the base model… Worker lost; queued again." in page
            assert "Merge into the base model</button>" not in page
    merge.refresh_from_db()
    assert merge.status == JobStatus.FAILED
    assert f"stopped answering {AdapterMerge.max_attempts} times" in page  # the reason, not an endless spinner
    assert "Merge into the base model</button>" in page


def test_a_worker_the_reaper_gave_up_on_cannot_keep_a_job_alive_once_another_holds_it(people, sent):
    old = scan_job(people)
    assert old.claim(worker="gpu-a:1")
    gone_quiet(old)
    assert reap_stale() == [("curation.Job", old.id)]
    new = Job.objects.get(id=old.id)
    assert new.claim(worker="gpu-b:2")
    gone_quiet(new)
    assert old.beat() == 0  # the first worker is told it no longer holds the job
    assert reap_stale() == [("curation.Job", old.id)]  # and its beats did not hide the second one's silence
