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


@shared_task
def generate_evaluation(*, evaluation_id):
    """Generate and score base and tuned outputs."""
    ev = EvaluationRun.objects.filter(id=evaluation_id).first()
    if ev is None or not ev.claim():
        return
    try:
        with ev.beating():
            execute(ev)
    except Exception as e:
        log.exception("evaluation %s failed", evaluation_id)
        ev.finish(f"The evaluation stopped: {type(e).__name__}: {e}", failed=True)


@shared_task
def generate_study_outputs(*, study_id):
    """Pre-generate a study's outputs and deal out its assignments."""
    preparation = StudyPreparation.objects.filter(study_id=study_id).first()
    if preparation is None or not preparation.claim():
        return
    try:
        with preparation.beating():
            prepare(preparation)
    except Exception as e:
        log.exception("study %s failed", study_id)
        preparation.finish(f"Preparing the study stopped: {type(e).__name__}: {e}", failed=True)


@shared_task
def generate_judge_verdicts(*, judge_run_id):
    """A judge's verdicts on a study's pairs (a model judge generates: gpu queue)."""
    run = JudgeRun.objects.select_related("judge", "judge__project", "study").filter(id=judge_run_id).first()
    if run is None or not run.claim():
        return
    try:
        with run.beating():
            judge(run)
    except Exception as e:
        log.exception("judge run %s failed", judge_run_id)
        run.finish(f"The judge stopped: {type(e).__name__}: {e}", failed=True)


@shared_task
def generate_synthetic_drafts(*, job_id):
    """Synthetic candidates as drafts for review (a served model generates: gpu queue)."""
    job = SynthesisJob.objects.select_related("project", "created_by").filter(id=job_id).first()
    if job is None or not job.claim():
        return
    try:
        with job.beating():
            synthesize(job)
    except Exception as e:
        log.exception("synthesis %s failed", job_id)
        job.finish(f"Generating stopped: {type(e).__name__}: {e}", failed=True)
