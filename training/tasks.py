import logging

from celery import shared_task
from django.utils import timezone

from training.core.model_info import ModelFolderError, inspect_model_folder
from training.models import BaseModel

log = logging.getLogger(__name__)


@shared_task
def inspect_base_model(*, base_model_id):
    """Read a registered model folder and record what it holds, or why it cannot be used.

    Safe to run twice: it only replaces the inspection result with a fresh one. Any failure,
    expected or not, is recorded on the row, so the page never waits on a check that died.
    """
    base_model = BaseModel.objects.filter(id=base_model_id).first()
    if base_model is None:  # removed while queued
        return
    info, error = None, ""
    try:
        info = inspect_model_folder(base_model.path)
    except ModelFolderError as e:
        error = str(e)
    except Exception as e:  # a broken file can fail in many ways; the lead needs the reason
        log.exception("inspecting %s failed", base_model.path)
        error = f"{base_model.path}: could not be read ({type(e).__name__}: {e})"
    BaseModel.objects.filter(id=base_model_id).update(
        info=info.as_dict() if info else {},
        error=error,
        status=BaseModel.Status.FAILED if error else BaseModel.Status.READY,
        checked_at=timezone.now(),
    )


@shared_task(acks_late=True)
def train_run(*, run_id):
    """Train one run (gpu queue). A duplicate or redelivered task finds the run claimed and does
    nothing; a run whose worker vanished is queued again by reap_stale_runs and resumes."""
    from training.runs import claim, execute, worker_name

    if not claim(run_id, worker_name()):
        return
    execute(run_id)


@shared_task
def reap_stale_runs():
    from training.runs import reap_stale

    return reap_stale()


@shared_task
def merge_run_adapter(*, run_id):
    """Write the merged model of a finished LoRA run (gpu queue); safe to run twice."""
    from pathlib import Path

    from training.core.engine import merge_adapter
    from training.models import TrainingRun

    run = TrainingRun.objects.select_related("base_model").filter(id=run_id).first()
    if run is None or not (Path(run.output_dir) / "adapter").is_dir():
        return
    out = Path(run.output_dir) / "merged"
    if not (out / "config.json").is_file():
        tmp = Path(run.output_dir) / "merged.partial"
        merge_adapter(run.base_model.path, Path(run.output_dir) / "adapter", tmp)
        tmp.rename(out)
    TrainingRun.objects.filter(id=run.id).update(summary={**run.summary, "merged_dir": str(out), "merging": False})
