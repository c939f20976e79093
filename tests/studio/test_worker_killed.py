"""A worker killed with SIGKILL in the middle of a job (a real Celery worker on Redis and
PostgreSQL, killed with its whole process group): the job's page says the worker was lost and
that it is queued again, the reaper sends it to a new worker, and it ends once, with nothing
done twice. JOB_STALE_SECONDS is short here so the reaper sees the loss in seconds."""

import json
import os
import signal

import pytest
from django.core.files.base import ContentFile

from curation.core.demo_tickets import make_examples
from curation.models import Example, Job
from evaluation.evaluating import start as start_evaluation
from evaluation.models import EvaluationRun
from studio.jobs import JobStatus, reap_stale
from tests.conftest import wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def short_stale(settings):
    settings.JOB_STALE_SECONDS = 2


def kill(process):
    os.killpg(process.pid, signal.SIGKILL)  # the worker and anything it started, at once
    process.wait()


def fresh(job):
    job.refresh_from_db()
    return job


def test_an_import_whose_worker_is_killed_is_saved_once_and_finished_by_the_next_worker(start_worker, people, client):
    rows = [{"instruction": e.instruction, "input": e.input, "output": e.output} for e in make_examples(n=3000)]
    job = Job(project=people.project, kind=Job.Kind.IMPORT, user=people.lead, filename="tickets.jsonl")
    job.upload.save("tickets.jsonl", ContentFile("\n".join(json.dumps(r) for r in rows).encode()), save=False)
    job.save()
    first, log_a = start_worker("a")
    job.enqueue()
    # killed once the rows are committed, while the project is being checked
    wait_for(lambda: fresh(job).details.get("saved"), 120, "the import to save its rows", log_a)
    kill(first)
    assert fresh(job).status == JobStatus.RUNNING
    wait_for(lambda: reap_stale() == [("curation.Job", job.id)], 30, "the reaper to see the lost worker")
    client.force_login(people.lead)
    page = client.get(f"/p/{people.project.slug}/jobs/{job.id}/").content.decode()
    assert "Worker lost; queued again." in page
    second, log_b = start_worker("b")
    wait_for(lambda: fresh(job).finished, 120, "the import to finish on the next worker", log_b)
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 2, job.message
    assert job.message.startswith("Imported 3000 examples from tickets.jsonl.")
    assert Example.objects.filter(project=people.project).count() == 3000  # not 6000


def test_an_evaluation_whose_worker_is_killed_runs_again_once(start_worker, people, trained, client):
    first, log_a = start_worker("a")
    ev = start_evaluation(trained, people.lead)
    wait_for(lambda: fresh(ev).status == JobStatus.RUNNING, 120, "the evaluation to start", log_a)
    kill(first)
    wait_for(lambda: reap_stale() == [("evaluation.EvaluationRun", ev.id)], 30, "the reaper to see the lost worker")
    client.force_login(people.lead)
    page = client.get(f"/p/{people.project.slug}/evaluations/{ev.id}/").content.decode()
    assert "Worker lost; queued again." in page
    second, log_b = start_worker("b")
    wait_for(lambda: fresh(ev).finished, 240, "the evaluation to finish on the next worker", log_b)
    assert ev.status == JobStatus.SUCCEEDED and ev.attempts == 2, ev.message
    tests = trained.dataset_version.counts["test"]
    assert EvaluationRun.objects.get(id=ev.id).generations.count() == 2 * tests  # one output per item and side


def test_a_job_whose_worker_is_lost_too_often_fails_with_the_reason(start_worker, people, client):
    job = Job.objects.create(project=people.project, kind=Job.Kind.SCAN, user=people.lead)
    for attempt in range(1, Job.max_attempts + 1):
        Job.objects.filter(id=job.id).update(status=JobStatus.RUNNING, attempts=attempt, worker=f"gone:{attempt}")
        wait_for(lambda: reap_stale() == [("curation.Job", job.id)], 30, "the reaper")
    job = fresh(job)
    assert job.status == JobStatus.FAILED
    client.force_login(people.lead)
    page = client.get(f"/p/{people.project.slug}/jobs/{job.id}/").content.decode()
    assert f"stopped answering {Job.max_attempts} times" in page
