"""Curation's background jobs. Each task claims its Job (a second delivery finds it claimed and
does nothing), calls the plain code that does the work, and records the outcome on the job."""

import logging

from celery import shared_task

from curation.checking import scan_project, summarize
from curation.core.splits import SplitConfig
from curation.imports import import_job
from curation.models import DatasetVersion, Job
from curation.preflight import run_preflight
from curation.version_export import FORMATS, ExportError
from curation.version_export import export_version as write_export
from curation.versions import FreezeRefused, freeze

log = logging.getLogger(__name__)


def _claim(job_id):
    """The job, claimed by this worker; None when it is gone or another delivery has it."""
    job = Job.objects.select_related("project", "project__base_model").filter(id=job_id).first()
    return job if job is not None and job.claim() else None


@shared_task
def scan_dataset(*, job_id):
    """Check every example of the job's project and store the findings."""
    if (job := _claim(job_id)) is None:
        return
    try:
        with job.beating():
            result = scan_project(job.project, progress=job.progress())
    except Exception as e:
        log.exception("dataset check %s failed", job_id)
        job.finish(f"The check stopped: {type(e).__name__}: {e}", failed=True)
        raise
    job.finish(f"Checked {result['examples']} examples: {summarize(result['findings'])}.", details=result)


@shared_task
def import_file(*, job_id):
    """Import an uploaded file, all or nothing: any unreadable line refuses the whole file."""
    if (job := _claim(job_id)) is None:
        return
    try:
        with job.beating():
            import_job(job, progress=job.progress())
    except Exception as e:
        log.exception("import %s failed", job_id)
        job.finish(f"The import stopped and nothing was imported: {type(e).__name__}: {e}", failed=True)
        raise


@shared_task
def freeze_version(*, job_id):
    """Freeze the project's approved examples with the settings in the job's details."""
    if (job := _claim(job_id)) is None:
        return
    d = job.details
    try:
        with job.beating():
            version = freeze(
                job.project,
                job.user,
                name=d["name"],
                note=d.get("note", ""),
                config=SplitConfig(
                    ratios=tuple(d["ratios"]), seed=d["seed"], stratify_field=d.get("stratify_field", "")
                ),
                findings_override=d.get("findings_override", ""),
                leakage_override=d.get("leakage_override", ""),
                resplit_reason=d.get("resplit_reason", ""),
                progress=job.progress(),
            )
    except FreezeRefused as e:
        job.finish(str(e), details={**d, **e.details}, failed=True)
        return
    except Exception as e:
        log.exception("freeze %s failed", job_id)
        job.finish(f"The freeze stopped and no version was made: {type(e).__name__}: {e}", details=d, failed=True)
        raise
    measure_readiness(version, job.user)
    counts = version.counts
    job.finish(
        f"Froze “{version.name}”: {counts.get('train', 0)} train, {counts.get('validation', 0)} validation, "
        f"{counts.get('test', 0)} test examples"
        + (
            f"; {len(version.split_moves)} moved between splits since the previous version."
            if version.split_moves
            else "."
        ),
        details={**d, "version_id": version.id},
    )


@shared_task
def preflight_version(*, job_id):
    """Render and tokenize every example of a version for a base model, as the trainer will."""
    if (job := _claim(job_id)) is None:
        return
    d = job.details
    version = DatasetVersion.objects.filter(id=d["version_id"], project=job.project).first()
    base_model = job.project.base_models.filter(id=d["base_model_id"]).first()
    if version is None or base_model is None:
        job.finish("The version or the base model is gone.", details=d, failed=True)
        return
    try:
        with job.beating():
            report = run_preflight(version, base_model, d["max_length"], progress=job.progress())
    except Exception as e:
        log.exception("pre-flight %s failed", job_id)
        job.finish(f"The pre-flight stopped: {type(e).__name__}: {e}", details=d, failed=True)
        raise
    job.finish(
        f"{report['count']} examples rendered with the {report['template']} template; "
        f"{report['truncated_count']} longer than {d['max_length']} tokens.",
        details=report,
    )


@shared_task
def export_version(*, job_id):
    """Write a dataset version in the requested format, with its dataset card, as one zip."""
    if (job := _claim(job_id)) is None:
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
        with job.beating():
            path = write_export(version, d["format"], progress=job.progress())
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


def measure_readiness(version, user):
    """A new version's readiness report, measured with the thresholds of the latest report on
    the approved examples, so that it is kept with the version and its dataset card."""
    from curation.readiness import latest

    before = latest(version.project)
    rules = before.details.get("rules", {}) if before else {}
    Job.objects.create(
        project=version.project,
        kind=Job.Kind.READINESS,
        user=user,
        details={"version_id": version.id, "rules": rules},
    ).enqueue()


@shared_task
def readiness_report(*, job_id):
    """Balance, coverage, outliers, consistency and the verdict, for a version or for the
    approved examples before a freeze."""
    from curation.core.readiness import ReadinessRules
    from curation.readiness import approved_report, version_report

    if (job := _claim(job_id)) is None:
        return
    d = job.details
    rules = ReadinessRules.from_dict(d.get("rules"))
    version = None
    if d.get("version_id") is not None:
        version = DatasetVersion.objects.filter(id=d["version_id"], project=job.project).first()
        if version is None:
            job.finish("The version is gone.", details=d, failed=True)
            return
    try:
        with job.beating():
            if version is not None:
                report = version_report(version, rules, progress=job.progress())
            else:
                report = approved_report(job.project, rules, progress=job.progress())
    except Exception as e:
        log.exception("readiness %s failed", job_id)
        job.finish(f"The readiness report stopped: {type(e).__name__}: {e}", details=d, failed=True)
        raise
    verdict = {"ready": "Ready to train", "warnings": "Ready, with warnings", "not ready": "Not ready"}[
        report["verdict"]
    ]
    job.finish(
        f"{verdict}: {report['total']:,} examples, {len(report['coverage']['topics'])} topics, "
        f"{len(report['outliers'])} outlier(s).",
        details={**d, **report},
    )
