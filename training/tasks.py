"""Training's background jobs. A task claims its job (a second delivery finds it claimed and
does nothing), calls the code that does the work and records the outcome."""

import logging
from pathlib import Path

from celery import shared_task
from django.utils import timezone

from training.core.engine import merge_adapter
from training.core.model_info import ModelFolderError, inspect_model_folder
from training.models import AdapterMerge, BaseModel, TrainingRun
from training.runs import execute

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
    nothing; a run whose worker vanished is queued again by the reaper and resumes."""
    run = TrainingRun.objects.filter(id=run_id).first()
    if run is None or not run.claim():
        return
    execute(run)


@shared_task
def merge_run_adapter(*, merge_id):
    """Write the merged model of a finished LoRA run (gpu queue); a merge already written is kept."""
    merge = AdapterMerge.objects.select_related("run", "run__base_model").filter(id=merge_id).first()
    if merge is None or not merge.claim():
        return
    run = merge.run
    folder = Path(run.output_dir)
    if not (folder / "adapter").is_dir():
        _record_merge(run, None)
        merge.finish(f"{run.name} has no adapter to merge (only a finished LoRA run has one).", failed=True)
        return
    out = folder / "merged"
    try:
        if not (out / "config.json").is_file():
            with merge.beating():
                merge_adapter(run.base_model.path, folder / "adapter", folder / "merged.partial")
            (folder / "merged.partial").rename(out)
    except Exception as e:
        log.exception("merging run %s failed", run.id)
        _record_merge(run, None)
        merge.finish(f"The merge stopped: {type(e).__name__}: {e}", failed=True)
        raise
    _record_merge(run, out)
    merge.finish(f"Merged into {out}.")


def _record_merge(run, folder):
    """The run's summary: no longer merging, and where the merged model is, if it was written."""
    run.refresh_from_db(fields=["summary"])
    summary = {**run.summary, "merging": False, **({"merged_dir": str(folder)} if folder else {})}
    TrainingRun.objects.filter(id=run.id).update(summary=summary)
