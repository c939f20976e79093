import logging

from celery import shared_task
from django.db import transaction

from curation.models import Job

log = logging.getLogger(__name__)


def enqueue(kind, job):
    """Send a job's task once the transaction that created the job has committed."""
    task = {
        "scan": scan_dataset,
        "import": import_file,
        "freeze": freeze_version,
        "preflight": preflight_version,
        "export": export_version,
    }[kind]
    transaction.on_commit(lambda: task.delay(job_id=job.id))


def _progress(job):
    last = [-1]

    def report(done, total):
        percent = int(100 * done / total) if total else 100
        if percent != last[0]:
            last[0] = percent
            job.report(done, total)

    return report


@shared_task
def scan_dataset(*, job_id):
    """Check every example of the job's project and store the findings. A redelivered task finds
    the job claimed and does nothing."""
    from curation.checking import scan_project, summarize

    job = Job.objects.select_related("project", "project__base_model").filter(id=job_id).first()
    if job is None or not job.claim():
        return
    try:
        result = scan_project(job.project, progress=_progress(job))
    except Exception as e:
        log.exception("dataset check %s failed", job_id)
        job.finish(f"The check stopped: {type(e).__name__}: {e}", failed=True)
        raise
    counts = result["findings"]
    summary = summarize(counts)
    job.finish(f"Checked {result['examples']} examples: {summary}.", details=result)


@shared_task
def import_file(*, job_id):
    """Import an uploaded file, all or nothing: any unreadable line refuses the whole file."""
    from curation.imports import import_job

    job = Job.objects.select_related("project").filter(id=job_id).first()
    if job is None or not job.claim():
        return
    try:
        import_job(job, progress=_progress(job))
    except Exception as e:
        log.exception("import %s failed", job_id)
        job.finish(f"The import stopped and nothing was imported: {type(e).__name__}: {e}", failed=True)
        raise


@shared_task
def freeze_version(*, job_id):
    """Freeze the project's approved examples with the settings in the job's details."""
    from curation.core.splits import SplitConfig
    from curation.versions import FreezeRefused, freeze

    job = Job.objects.select_related("project").filter(id=job_id).first()
    if job is None or not job.claim():
        return
    d = job.details
    try:
        version = freeze(
            job.project,
            job.user,
            name=d["name"],
            note=d.get("note", ""),
            config=SplitConfig(ratios=tuple(d["ratios"]), seed=d["seed"], stratify_field=d.get("stratify_field", "")),
            findings_override=d.get("findings_override", ""),
            leakage_override=d.get("leakage_override", ""),
            progress=_progress(job),
        )
    except FreezeRefused as e:
        job.finish(str(e), details={**d, **{k: v for k, v in e.details.items()}}, failed=True)
        return
    except Exception as e:
        log.exception("freeze %s failed", job_id)
        job.finish(f"The freeze stopped and no version was made: {type(e).__name__}: {e}", details=d, failed=True)
        raise
    job.finish(
        f"Froze “{version.name}”: {version.counts.get('train', 0)} train, {version.counts.get('validation', 0)} validation, {version.counts.get('test', 0)} test examples.",
        details={**d, "version_id": version.id},
    )


@shared_task
def preflight_version(*, job_id):
    """Render and tokenize every example of a version for a base model, as the trainer will."""
    from curation.models import DatasetVersion
    from curation.preflight import run_preflight
    from training.models import BaseModel

    job = Job.objects.select_related("project").filter(id=job_id).first()
    if job is None or not job.claim():
        return
    d = job.details
    version = DatasetVersion.objects.filter(id=d["version_id"], project=job.project).first()
    base_model = BaseModel.objects.filter(id=d["base_model_id"], project=job.project).first()
    if version is None or base_model is None:
        job.finish("The version or the base model is gone.", details=d, failed=True)
        return
    try:
        report = run_preflight(version, base_model, d["max_length"], progress=_progress(job))
    except Exception as e:
        log.exception("pre-flight %s failed", job_id)
        job.finish(f"The pre-flight stopped: {type(e).__name__}: {e}", details=d, failed=True)
        raise
    job.finish(
        f"{report['count']} examples rendered with the {report['template']} template; {report['truncated_count']} longer than {d['max_length']} tokens.",
        details=report,
    )


@shared_task
def export_version(*, job_id):
    """Write a dataset version in the requested format, with its dataset card, as one zip."""
    from curation.models import DatasetVersion
    from curation.version_export import FORMATS, ExportError
    from curation.version_export import export_version as write_export

    job = Job.objects.select_related("project").filter(id=job_id).first()
    if job is None or not job.claim():
        return
    d = job.details
    version = (
        DatasetVersion.objects.filter(id=d["version_id"], project=job.project)
        .select_related("project", "created_by")
        .first()
    )
    if version is None:
        job.finish("The version is gone.", details=d, failed=True)
        return
    try:
        path = write_export(version, d["format"], progress=_progress(job))
    except ExportError as e:
        job.finish(f"Not exported: {e}.", details=d, failed=True)
        return
    except Exception as e:
        log.exception("export %s failed", job_id)
        job.finish(f"The export stopped: {type(e).__name__}: {e}", details=d, failed=True)
        raise
    job.finish(
        f"“{version.name}” exported as {FORMATS[d['format']]}, with its dataset card.", details={**d, "path": path}
    )
