import logging

from celery import shared_task
from django.utils import timezone

log = logging.getLogger(__name__)


@shared_task
def generate_evaluation(*, evaluation_id):
    """Generate and score base and tuned outputs (gpu queue). A redelivered task finds the
    evaluation claimed and does nothing."""
    from evaluation.evaluating import claim, execute
    from evaluation.models import EvaluationRun

    if not claim(evaluation_id):
        return
    try:
        execute(evaluation_id)
    except Exception as e:
        log.exception("evaluation %s failed", evaluation_id)
        EvaluationRun.objects.filter(id=evaluation_id).update(
            status=EvaluationRun.Status.FAILED, error=f"{type(e).__name__}: {e}", finished_at=timezone.now()
        )


@shared_task
def generate_study_outputs(*, study_id):
    """Pre-generate a study's outputs and assignments (gpu queue); safe to run twice."""
    from evaluation.models import Study
    from evaluation.studying import prepare

    if not Study.objects.filter(id=study_id, status=Study.Status.PREPARING, assignments__isnull=True).exists():
        return
    try:
        prepare(study_id)
    except Exception as e:
        log.exception("study %s failed", study_id)
        Study.objects.filter(id=study_id).update(status=Study.Status.FAILED, error=f"{type(e).__name__}: {e}")
