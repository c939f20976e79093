"""Every other kind of background job survives a SIGKILL of its worker in the middle of its work
(a real Celery worker on Redis and PostgreSQL, killed with its whole process group once the job
has reported progress; that worker pauses after each report, tests/slow_worker.py, so the kill
lands mid-way however fast the job): the reaper queues it again, its page says so, the next worker finishes it,
and what it makes exists once (one version, one set of findings, one export, one set of study
outputs, one merged folder). Training, imports and evaluations have their own tests in
test_worker_killed.py / tests/training."""

import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from curation.core.demo_tickets import make_examples
from curation.models import DatasetVersion, Example, Job, PairFinding
from studio.jobs import JobStatus, reap_stale
from tests.conftest import frozen_version, stop, wait_for
from tests.studio.test_worker_killed import fresh, kill

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

EXAMPLES = 1000


@pytest.fixture(autouse=True)
def short_stale(settings):
    settings.JOB_STALE_SECONDS = 2


def approved(people, n=EXAMPLES):
    Example.objects.bulk_create(
        Example(
            project=people.project,
            author=people.annotator,
            status=Example.Status.APPROVED,
            instruction=e.instruction,
            input=e.input,
            output=e.output,
        )
        for e in make_examples(n=n)
    )


def killed_mid_work(start_worker, job, label, started=lambda job: job.done > 0):
    """Start a worker, let it take `job` (queued already) and report progress, kill it, see the
    reaper queue the job again, start a second worker; returns the second worker's log."""
    first, log_a = start_worker("a", app="tests.slow_worker")  # pauses after each report: killed mid-way
    wait_for(lambda: started(fresh(job)), 180, f"the {label} to report progress", log_a)
    kill(first)
    job = fresh(job)
    assert job.status == JobStatus.RUNNING and job.attempts == 1, (job.status, job.message)
    wait_for(lambda: reap_stale() == [(job._meta.label, job.pk)], 30, "the reaper to see the lost worker")
    assert fresh(job).status == JobStatus.QUEUED and "Worker lost" in job.message
    second, log_b = start_worker("b")
    wait_for(lambda: fresh(job).finished, 300, f"the {label} to finish on the next worker", log_b)
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 2, job.message
    stop(second)  # an idle worker left running would take the next test job


def test_a_scan_killed_mid_way_stores_its_findings_once(start_worker, people, client):
    approved(people)
    job = Job.objects.create(project=people.project, kind=Job.Kind.SCAN, user=people.lead)
    job.enqueue()
    killed_mid_work(start_worker, job, "scan")
    assert job.message.startswith(f"Checked {EXAMPLES} examples")
    pairs = list(PairFinding.objects.filter(project=people.project).values_list("low_id", "high_id", "kind"))
    assert pairs and len(pairs) == len(set(pairs))


def test_a_freeze_killed_mid_way_makes_one_version(start_worker, people, client):
    approved(people)
    details = {"name": "v1", "note": "", "ratios": [0.8, 0.1, 0.1], "seed": 13, "leakage_override": "templated"}
    job = Job.objects.create(project=people.project, kind=Job.Kind.FREEZE, user=people.lead, details=details)
    job.enqueue()
    killed_mid_work(start_worker, job, "freeze")
    version = DatasetVersion.objects.get(project=people.project)  # one, not two
    assert version.name == "v1" and version.items.count() == EXAMPLES
    assert len(set(version.items.values_list("example_id", flat=True))) == EXAMPLES


def test_an_export_preflight_and_readiness_killed_mid_way_finish_once(start_worker, people, tiny_model_dir, client):
    base, version = frozen_version(people, tiny_model_dir, make_examples(n=EXAMPLES))
    jobs = {
        "export": Job.objects.create(
            project=people.project,
            kind=Job.Kind.EXPORT,
            user=people.lead,
            details={"version_id": version.id, "format": "alpaca"},
        ),
        "pre-flight": Job.objects.create(
            project=people.project,
            kind=Job.Kind.PREFLIGHT,
            user=people.lead,
            details={"version_id": version.id, "base_model_id": base.id, "max_length": 256},
        ),
        "readiness report": Job.objects.create(
            project=people.project, kind=Job.Kind.READINESS, user=people.lead, details={"version_id": version.id}
        ),
    }
    client.force_login(people.lead)
    for label, job in jobs.items():  # one after the other: each worker pair sees only its own job
        job.enqueue()
        killed_mid_work(start_worker, job, label)
        page = client.get(reverse("curation:job", args=[people.project.slug, job.id])).content.decode()
        assert "Succeeded" in page or "succeeded" in page
    export = fresh(jobs["export"])
    written = Path(settings.MEDIA_ROOT) / export.details["path"]
    with zipfile.ZipFile(written) as archive:  # a whole zip, written once by the second worker
        assert archive.testzip() is None
        with archive.open(next(n for n in archive.namelist() if n.endswith(".jsonl"))) as first_split:
            assert sum(1 for _ in first_split) > 0
    assert fresh(jobs["pre-flight"]).details["count"] == version.items.count()


def test_a_study_preparation_killed_mid_way_generates_each_output_once(start_worker, people, trained, client):
    from evaluation.models import Study, StudyOutput

    client.force_login(people.lead)
    # created through the page, whose preparation is queued for the worker
    client.post(
        reverse("evaluation:create-study", args=[people.project.slug]),
        {
            "name": "Killed study",
            "runs": [trained.id],
            "raters": [people.reviewer.id],
            "ratings_per_item": 1,
            "repeat_share": 0,
            "max_items": 12,
        },
    )
    study = Study.objects.get()
    killed_mid_work(start_worker, study.preparation, "study preparation")
    study.refresh_from_db()
    assert study.status == Study.Status.OPEN
    outputs = list(StudyOutput.objects.filter(study=study).values_list("item_id", "system"))
    assert outputs and len(outputs) == len(set(outputs))  # nothing generated twice


def test_a_merge_killed_mid_way_leaves_one_merged_folder(start_worker, people, trained, client):
    from training.runs import start_merge

    merge = start_merge(trained, people.lead)
    killed_mid_work(start_worker, merge, "merge", started=lambda job: job.status == JobStatus.RUNNING)
    trained.refresh_from_db()
    folder = Path(trained.output_dir)
    assert trained.summary["merged_dir"] == str(folder / "merged") and not trained.summary["merging"]
    assert (folder / "merged" / "config.json").is_file() and not (folder / "merged.partial").exists()


def test_a_judge_run_killed_mid_way_keeps_its_verdicts_and_judges_the_rest_once(start_worker, people, trained, client):
    from evaluation.judging import start as start_judge
    from evaluation.models import Judge, JudgeVerdict, Study

    client.force_login(people.lead)
    client.post(
        reverse("evaluation:create-study", args=[people.project.slug]),
        {
            "name": "Judged",
            "runs": [trained.id],
            "raters": [people.reviewer.id],
            "ratings_per_item": 1,
            "repeat_share": 0,
            "max_items": 20,
        },
    )
    study = Study.objects.get()
    plain, log = start_worker("prepare")
    wait_for(lambda: Study.objects.get(id=study.id).status == Study.Status.OPEN, 300, "the study to open", log)
    stop(plain)
    judge = Judge.objects.create(project=people.project, name="fields", kind=Judge.Kind.REFERENCE, rule="json_fields")
    run = start_judge(judge, study, people.lead)
    killed_mid_work(start_worker, run, "judge run")
    orders = list(JudgeVerdict.objects.filter(run=run).values_list("item_id", "left", "right"))
    assert orders and len(orders) == len(set(orders)) == fresh(run).total  # every order once


def test_a_synthesis_job_killed_mid_way_makes_each_draft_once_and_checks_them(start_worker, people, trained):
    from curation.models import ExampleKey
    from evaluation.models import SynthesisJob
    from evaluation.synthesis import start as start_synthesis

    inputs = [f"Ticket {n}: my order number {1000 + n} has not arrived." for n in range(20)]
    job = start_synthesis(
        people.project,
        people.lead,
        SynthesisJob.Recipe.ANSWER,
        f"run-{trained.id}",
        {"instruction": "Triage this customer support ticket.", "inputs": "\n".join(inputs), "max_new_tokens": 8},
    )
    killed_mid_work(start_worker, job, "synthesis job")
    drafts = Example.objects.filter(synthetic__job=job.id)
    assert sorted(drafts.values_list("input", flat=True)) == sorted(inputs)  # each once, none lost
    assert ExampleKey.objects.filter(example__in=drafts).values("example").distinct().count() == len(inputs)
