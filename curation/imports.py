"""Importing a file into a project: all or nothing, then every example is checked."""

from concurrent.futures import ThreadPoolExecutor

import orjson
from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from curation.checking import scan_project, summarize
from curation.models import Example, Revision
from studio.core.formats import FileError, read_rows

MAX_ERRORS_SHOWN = 50
SMALL_IMPORT = 2000  # above this, one whole-project scan is faster than checking row by row


def import_job(job, progress=None):
    with job.upload.open("rb") as f:
        data = f.read()
    try:
        rows, errors = read_rows(data, job.filename, max_bytes=None, max_example_bytes=settings.MAX_EXAMPLE_BYTES)
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
    saving = total // 5  # the first fifth of the progress bar; checking is the rest
    if job.details.get("saved"):
        # a worker killed after the rows were committed: they stay, once; only the check runs again
        created = None
    else:
        with _Reporter(progress) as report:
            ids = _save(job, rows, status, progress=lambda done: report(done * saving // max(total, 1), total))
        created = Example.objects.filter(id__in=ids).order_by("id") if total <= SMALL_IMPORT else ids
    _analyze()
    if progress:
        progress(saving, total)

    def check_progress(done, of):
        if progress:
            progress(saving + int(done / max(of, 1) * (total - saving)), total)

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
        # "scanned": the whole project was checked (the check report counts it as its last full check)
        details={"imported": total, "findings": counts, "scanned": created is None or total > SMALL_IMPORT},
    )


def _save(job, rows, status, progress=None):
    """The rows as examples with their first revision, and the job's note that they are saved,
    in one transaction: a job whose worker dies saves them once, and a failure saves nothing.
    Returns the new examples' ids, in file order. `progress(done)` is told how many rows are in."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            ids = _copy_examples(job, rows, status, progress)
        else:
            ids = _create_examples(job, rows, status, progress)
        job.details = {**job.details, "saved": len(ids)}
        type(job).objects.filter(pk=job.pk).update(details=job.details)
    return ids


class _Reporter:
    """Progress told while the rows' transaction is open, from a thread with its own database
    connection: written from inside the transaction, nobody would see it before the commit."""

    def __init__(self, progress):
        self.progress = progress
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="import-progress") if progress else None

    def __call__(self, done, total):
        if self.pool:
            self.pool.submit(self.progress, done, total)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.pool:
            self.pool.submit(connection.close)  # the thread's own connection
            self.pool.shutdown(wait=True)
        return False


def _example_values(job, row):
    r = row.record
    return (
        f"{job.filename} line {row.line}"[:SOURCE_LENGTH],
        r.instruction,
        r.input,
        r.output,
        [dict(m) for m in r.messages] or None,
        r.rejected,
    )


SOURCE_LENGTH = Example._meta.get_field("source").max_length
VARYING = ("source", "instruction", "input", "output", "messages", "rejected")


def _copy_examples(job, rows, status, progress):
    """PostgreSQL: ids taken from the sequence in one query, then examples and revisions streamed
    in with COPY (a 100,000-row file is two statements, not 200 INSERTs of 1,000 rows)."""
    with connection.cursor() as cursor:
        # The example list's trigram indexes cost more than the rows themselves; with a large
        # pending list for this transaction GIN queues the new entries, and autovacuum merges them.
        cursor.execute("SET LOCAL gin_pending_list_limit = '1GB'")
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Example._meta.db_table, len(rows)],
        )
        ids = sorted(i for (i,) in cursor.fetchall())
    now = timezone.now()
    action = f"imported from {job.filename}"
    example_common = {
        "project": job.project_id,
        "author": job.user_id,
        "status": status,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    revision_common = {
        "author": job.user_id,
        "status": status,
        "version": 1,
        "created_at": now,
        "action": action[: Revision._meta.get_field("action").max_length],
    }
    with _Copy(Example, ("id", *VARYING), example_common) as examples:
        for n, (i, row) in enumerate(zip(ids, rows), 1):
            examples.write((i, *_example_values(job, row)))
            if progress and n % 5000 == 0:
                progress(n // 2)
    with _Copy(Revision, ("example", *VARYING[1:]), revision_common) as revisions:
        for n, (i, row) in enumerate(zip(ids, rows), 1):
            revisions.write((i, *_example_values(job, row)[1:]))
            if progress and n % 5000 == 0:
                progress((len(rows) + n) // 2)
    return ids


class _Copy:
    """`with _Copy(Model, varying_fields, common) as c: c.write(values)`: COPY rows into the
    model's table. The varying fields come per row (JSON fields as Python values); the common
    ones once; every other column gets the field's default, so a field added later needs no
    change here."""

    def __init__(self, model, varying, common):
        fields = {f.name: f for f in model._meta.concrete_fields}
        self.varying = [fields[name] for name in varying]
        constant = {}
        for field in fields.values():
            if field.name in varying or (field.primary_key and field.name not in common):
                continue  # the primary key comes from its sequence
            if field.name in common:
                value = common[field.name]
            elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = timezone.now()
            else:
                value = field.get_default()
            constant[field] = field.get_db_prep_save(value, connection)
        self.fields = self.varying + list(constant)
        self.constant = tuple(constant.values())
        self.json = [isinstance(f, models.JSONField) for f in self.varying]
        self.table = model._meta.db_table

    def __enter__(self):
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        self.cursor = connection.cursor()
        self.statement = self.cursor.cursor.copy(f"COPY {connection.ops.quote_name(self.table)} ({columns}) FROM STDIN")
        self.copy = self.statement.__enter__()
        return self

    def write(self, values):
        if any(self.json):
            values = [_json(v) if is_json else v for v, is_json in zip(values, self.json)]
        self.copy.write_row((*values, *self.constant))

    def __exit__(self, *exc):
        try:
            self.statement.__exit__(*exc)
        finally:
            self.cursor.close()
        return False


def _json(value):
    return None if value is None else orjson.dumps(value).decode()


def _create_examples(job, rows, status, progress):
    """Other databases (the embedded SQLite): bulk_create in batches."""
    ids = []
    for start in range(0, len(rows), 5000):
        batch = rows[start : start + 5000]
        created = Example.objects.bulk_create(
            [
                Example(
                    project=job.project,
                    author=job.user,
                    status=status,
                    **dict(zip(VARYING, _example_values(job, row))),
                )
                for row in batch
            ]
        )
        Revision.objects.bulk_create([Revision.of(e, job.user, f"imported from {job.filename}") for e in created])
        ids += [e.id for e in created]
        if progress:
            progress(start + len(batch))
    return ids


def _analyze():
    """Refresh PostgreSQL's statistics after a bulk load, so list queries keep their indexes
    (autovacuum would get there, later)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE curation_example")
