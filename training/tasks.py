"""Training's background jobs. A task claims its job (a second delivery finds it claimed and
does nothing), calls the code that does the work and records the outcome."""

import logging
import tempfile
from pathlib import Path

from celery import shared_task
from django.utils import timezone

from training.core.archive import zip_folder
from training.core.bnb_export import QuantizedExportError, export_bnb, whole_model_folder
from training.core.engine import merge_adapter
from training.core.gguf_export import GGUFExportError, export_gguf, source_folder
from training.core.model_info import ModelFolderError, inspect_model_folder, read_recommended
from training.models import AdapterMerge, ArtifactArchive, BaseModel, TrainingRun
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
    info, error, recommended = None, "", {}
    try:
        info = inspect_model_folder(base_model.path)
        recommended = read_recommended(base_model.path)
    except ModelFolderError as e:
        error = str(e)
    except Exception as e:  # a broken file can fail in many ways; the lead needs the reason
        log.exception("inspecting %s failed", base_model.path)
        error = f"{base_model.path}: could not be read ({type(e).__name__}: {e})"
    BaseModel.objects.filter(id=base_model_id).update(
        info=info.as_dict() if info else {},
        recommended=recommended if not error else {},
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


@shared_task
def build_artifact_archive(*, archive_id):
    """Zip one artifact of a run with its settings (studio_run.json) under MEDIA_ROOT/archives/.
    A second delivery finds the job claimed and does nothing; a rerun writes the zip afresh.
    Once it is built, older archives of the same artifact of the run are removed."""
    import json

    from django.conf import settings

    archive = ArtifactArchive.objects.select_related("run", "run__project").filter(id=archive_id).first()
    if archive is None or not archive.claim():
        return
    run = archive.run
    gguf = archive.artifact.removeprefix("gguf-") if archive.artifact.startswith("gguf-") else ""
    bnb = archive.artifact.removeprefix("bnb-") if archive.artifact.startswith("bnb-") else ""
    if archive.artifact == "best":
        best = run.summary.get("best_checkpoint")
        folder = Path(best) if best else None
    elif gguf:
        folder = source_folder(run.output_dir) if run.output_dir else None
    elif bnb:
        folder = whole_model_folder(run.output_dir) if run.output_dir else None
    else:
        folder = Path(run.output_dir) / archive.artifact if run.output_dir else None
    if not run.output_dir or folder is None or not folder.is_dir():  # Path("") would be the current folder
        archive.finish(f"The {archive.artifact} of {run.name} is no longer on disk.", failed=True)
        return
    settings_json = json.dumps(
        {
            "run": run.name,
            "run_id": run.id,
            "base_model": run.base_model.name,
            "base_model_path": run.base_model.path,
            "dataset_version": run.dataset_version.name,
            "dataset_hash": run.dataset_version.content_hash,
            "config": run.config,
            "summary": run.summary,
        },
        indent=2,
        default=str,
    )
    relative = f"{ArtifactArchive.FOLDER}/run{run.id}/{archive.filename.removesuffix('.zip')}-{archive.id}.zip"
    try:
        with archive.beating(), tempfile.TemporaryDirectory(prefix="export-") as converted:
            report = archive.progress()
            if gguf:  # the model as one GGUF file (training/core/gguf_export.py), then zipped like the rest
                export_gguf(  # the first half of the progress bar, the zip the second
                    folder,
                    Path(converted) / f"{run.project.slug}-run{run.id}-{gguf}.gguf",
                    gguf,
                    name=f"{run.project.name} / {run.name}",
                    report=lambda done, total: report(done, 2 * total),
                )
                folder = Path(converted)
            elif bnb:  # the model quantized by bitsandbytes (training/core/bnb_export.py), then zipped
                folder = export_bnb(
                    folder,
                    Path(converted) / archive.filename.removesuffix(".zip"),
                    bnb,
                    name=f"{run.project.name} / {run.name}",
                    report=lambda done, total: report(done, 2 * total),
                )
            zip_folder(
                folder,
                Path(settings.MEDIA_ROOT) / relative,
                extra={"studio_run.json": settings_json},
                report=(lambda done, total: report(total + done, 2 * total)) if gguf or bnb else report,
            )
    except GGUFExportError as e:
        archive.finish(f"No GGUF file: {e}.", failed=True)
        return
    except QuantizedExportError as e:
        archive.finish(f"No quantized model: {str(e).rstrip('.')}.", failed=True)
        return
    except Exception as e:
        log.exception("archiving %s of run %s failed", archive.artifact, run.id)
        archive.finish(f"The zip could not be written: {type(e).__name__}: {e}", failed=True)
        raise
    size = (Path(settings.MEDIA_ROOT) / relative).stat().st_size
    archive.finish(f"{archive.filename} is ready ({size:,} bytes).", path=relative, size=size)
    for older in (
        run.archives.filter(artifact=archive.artifact)
        .exclude(id=archive.id)
        .filter(status__in=ArtifactArchive.FINISHED)
    ):
        older.remove()


@shared_task
def prune_artifact_archives():
    """Remove download archives older than a day, their zips with them (periodic)."""
    from django.conf import settings

    cutoff = timezone.now() - ArtifactArchive.KEEP
    for archive in ArtifactArchive.objects.filter(created_at__lt=cutoff, status__in=ArtifactArchive.FINISHED):
        archive.remove()
    # zips left without a row (a worker that died between writing and recording): by their age
    folder = Path(settings.MEDIA_ROOT) / ArtifactArchive.FOLDER
    known = set(ArtifactArchive.objects.exclude(path="").values_list("path", flat=True))
    for path in folder.rglob("*.zip*") if folder.is_dir() else ():
        relative = path.relative_to(settings.MEDIA_ROOT).as_posix()
        if relative not in known and path.stat().st_mtime < cutoff.timestamp():
            path.unlink(missing_ok=True)
