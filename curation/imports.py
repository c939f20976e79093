"""Importing a file into a project: all or nothing, then every example is checked."""

from django.db import transaction

from curation.checking import scan_project, summarize
from curation.models import Example, Revision
from studio.core.formats import FileError, read_rows

MAX_ERRORS_SHOWN = 50
SMALL_IMPORT = 2000  # above this, one whole-project scan is faster than checking row by row


def import_job(job, progress=None):
    with job.upload.open("rb") as f:
        data = f.read()
    try:
        rows, errors = read_rows(data, job.filename, max_bytes=None)
    except FileError as e:
        job.finish(f"Nothing was imported: {e}", failed=True)  # said once, not again as a line error
        return
    if errors:
        listed = [str(e) for e in errors[:MAX_ERRORS_SHOWN]]
        more = len(errors) - len(listed)
        job.finish(
            f"Nothing was imported: {len(errors)} line{'s' if len(errors) != 1 else ''} cannot be read. Fix {'them' if len(errors) != 1 else 'it'} and import the file again.",
            details={"errors": listed, "more_errors": more, "readable": len(rows)},
            failed=True,
        )
        return
    status = job.details.get("status", Example.Status.DRAFT)
    total = len(rows)
    if job.details.get("saved"):
        # a worker killed after the rows were committed: they stay, once; only the check runs again
        created = None
    else:
        created = _save(job, rows, status)
    _analyze()
    if progress:
        progress(total // 5, total)

    def check_progress(done, of):
        if progress:
            progress(total // 5 + int(done / max(of, 1) * (total - total // 5)), total)

    if created is not None and total <= SMALL_IMPORT:
        # a few rows: check just them against the project (each save-time check is milliseconds)
        from curation.checking import check_example, project_rules, token_counter

        rules, count_tokens = project_rules(job.project), token_counter(job.project)
        counts = {}
        for n, example in enumerate(created, 1):
            single, pairs = check_example(example, rules, count_tokens)
            for f in single:
                counts[f.check] = counts.get(f.check, 0) + 1
            for p in pairs:
                counts[p.kind] = counts.get(p.kind, 0) + 1
            check_progress(n, total)
    else:
        counts = scan_project(job.project, progress=check_progress)["findings"]
    summary = summarize(counts)
    job.finish(
        f"Imported {total} example{'s' if total != 1 else ''} from {job.filename}. Checked the project: {summary}.",
        details={"imported": total, "findings": counts},
    )


def _save(job, rows, status):
    """The rows as examples with their first revision, and the job's note that they are saved,
    in one transaction: a job whose worker dies saves them once."""
    with transaction.atomic():
        created = []
        for row in rows:
            r = row.record
            created.append(
                Example(
                    project=job.project,
                    author=job.user,
                    status=status,
                    source=f"{job.filename} line {row.line}"[:200],
                    instruction=r.instruction,
                    input=r.input,
                    output=r.output,
                    messages=[dict(m) for m in r.messages] or None,
                )
            )
        created = Example.objects.bulk_create(created, batch_size=1000)
        Revision.objects.bulk_create(
            [Revision.of(e, job.user, f"imported from {job.filename}") for e in created], batch_size=1000
        )
        job.details = {**job.details, "saved": len(created)}
        type(job).objects.filter(pk=job.pk).update(details=job.details)
    return created


def _analyze():
    """Refresh PostgreSQL's statistics after a bulk load, so list queries keep their indexes
    (autovacuum would get there, later)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE curation_example")
