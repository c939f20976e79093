"""Evaluation's background jobs (gpu queue). A task claims its job (a second delivery finds it
claimed and does nothing), calls the code that does the work and records the outcome."""

import logging

from celery import shared_task

from evaluation.evaluating import execute
from evaluation.judging import execute as judge
from evaluation.models import EvaluationRun, JudgeRun, StudyPreparation, SynthesisJob
from evaluation.studying import prepare
from evaluation.synthesis import execute as synthesize

log = logging.getLogger(__name__)


def _run(job, work, stopped):
    """Claim `job`, do `work(job)` while beating, and record a failure as "`stopped`: the error"."""
    if job is None or not job.claim():
        return
    try:
        with job.beating():
            work(job)
    except Exception as e:
        log.exception("%s %s failed", type(job).__name__, job.pk)
        job.finish(f"{stopped}: {type(e).__name__}: {e}", failed=True)


@shared_task
def generate_evaluation(*, evaluation_id):
    """Generate and score base and tuned outputs."""
    _run(EvaluationRun.objects.filter(id=evaluation_id).first(), execute, "The evaluation stopped")


@shared_task
def generate_study_outputs(*, study_id):
    """Pre-generate a study's outputs and deal out its assignments."""
    _run(StudyPreparation.objects.filter(study_id=study_id).first(), prepare, "Preparing the study stopped")


@shared_task
def generate_judge_verdicts(*, judge_run_id):
    """A judge's verdicts on a study's pairs (a model judge generates: gpu queue)."""
    run = JudgeRun.objects.select_related("judge", "judge__project", "study").filter(id=judge_run_id).first()
    _run(run, judge, "The judge stopped")


@shared_task
def generate_synthetic_drafts(*, job_id):
    """Synthetic candidates as drafts for review (a served model generates: gpu queue)."""
    job = SynthesisJob.objects.select_related("project", "created_by").filter(id=job_id).first()
    _run(job, synthesize, "Generating stopped")
