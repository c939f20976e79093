import logging

from celery import shared_task
from django.db import transaction

from curation.models import Job

log = logging.getLogger(__name__)


def enqueue(kind, job):
    """Send a job's task once the transaction that created the job has committed."""
    task = {"scan": scan_dataset, "import": import_file}[kind]
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
