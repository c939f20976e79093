"""curation/imports.py: the save step of an import (COPY on PostgreSQL), all or nothing, with progress."""

import json
import threading

import pytest
from django.core.files.base import ContentFile
from django.db import connection, transaction

from curation import imports
from curation.models import Example, Job, Revision
from studio.core.formats import Row, read_rows
from studio.core.records import Record

pytestmark = pytest.mark.django_db(transaction=True)


def rows_of(n):
    lines = []
    for i in range(n):
        if i % 3 == 0:
            row = {
                "messages": [
                    {"role": "system", "content": "Answer in French."},
                    {"role": "user", "content": f"How do I say “order {i}”?"},
                    {"role": "assistant", "content": f"« commande {i} »"},
                ]
            }
        elif i % 3 == 1:
            row = {"instruction": f"Triage ticket {i}.", "input": "Tab\there,\nnew line, \\ and 日本", "output": "{}"}
        else:
            row = {"prompt": f"Spell {i} in words.", "completion": "\\N is not null"}
        lines.append(json.dumps(row, ensure_ascii=False))
    rows, errors = read_rows("\n".join(lines).encode(), "mixed.jsonl")
    assert errors == []
    return rows


def import_job(people, name="mixed.jsonl"):
    job = Job(project=people.project, kind=Job.Kind.IMPORT, user=people.annotator, filename=name)
    job.upload.save(name, ContentFile(b""), save=False)
    job.save()
    return job


def test_the_saved_examples_and_revisions_are_exactly_the_rows(people, media):
    rows = rows_of(7)
    job = import_job(people)
    ids = imports._save(job, rows, Example.Status.SUBMITTED)
    examples = list(Example.objects.filter(id__in=ids).order_by("id"))
    assert [e.id for e in examples] == ids
    assert [e.record() for e in examples] == [r.record for r in rows]
    assert [e.source for e in examples] == [f"mixed.jsonl line {n}" for n in range(1, 8)]
    for e in examples:
        assert (e.project, e.author, e.status, e.version, e.deleted_at) == (
            people.project,
            people.annotator,
            "submitted",
            1,
            None,
        )
        assert e.created_at and e.updated_at
        (revision,) = e.revisions.all()
        assert (revision.version, revision.author, revision.action, revision.status) == (
            1,
            people.annotator,
            "imported from mixed.jsonl",
            "submitted",
        )
        assert (revision.instruction, revision.input, revision.output, revision.messages) == (
            e.instruction,
            e.input,
            e.output,
            e.messages,
        )
    assert examples[0].messages[2]["content"] == "« commande 0 »"
    assert examples[1].input == "Tab\there,\nnew line, \\ and 日本"
    assert examples[2].output == "\\N is not null"
    job.refresh_from_db()
    assert job.details["saved"] == 7
    # the ids came from the table's own sequence: the editor's next example follows on
    after = Example.objects.create(project=people.project, author=people.lead, instruction="Next.", output="Ok.")
    assert after.id > max(ids)


def test_a_row_the_database_refuses_saves_nothing(people, media):
    rows = rows_of(12_000)
    # a lone surrogate cannot be stored as text: the reader refuses it, but if one got this far the
    # COPY stops after thousands of rows have streamed in, and they all go
    rows[9_000] = Row(9_001, Record(instruction="Bad \ud800 text.", output="x"), "alpaca")
    job = import_job(people)
    with pytest.raises(UnicodeEncodeError):
        imports._save(job, rows, Example.Status.DRAFT)
    assert not Example.objects.exists() and not Revision.objects.exists()
    job.refresh_from_db()
    assert "saved" not in job.details


def test_the_save_reports_its_progress_as_the_rows_go_in(people, media):
    rows = rows_of(30_000)
    job = import_job(people)
    seen = []
    ids = imports._save(job, rows, Example.Status.DRAFT, progress=seen.append)
    assert len(ids) == 30_000
    assert seen == sorted(seen) and len(seen) >= 10
    assert seen[0] <= 5_000 and seen[-1] == 30_000


def from_another_connection(query):
    """What a page served by another process would read now."""
    result = []

    def run():
        try:
            result.append(query())
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return result[0]


def test_progress_reported_inside_the_transaction_is_seen_before_the_commit(people, media):
    job = import_job(people)
    assert job.claim()
    with transaction.atomic():
        Example.objects.create(project=people.project, author=people.lead, instruction="Held.", output="Open.")
        with imports._Reporter(job.progress()) as report:
            report(10, 100)
        # the job page already shows 10%, while the rows of the transaction are not there yet
        assert from_another_connection(lambda: Job.objects.values_list("done", "total").get(id=job.id)) == (10, 100)
        assert from_another_connection(lambda: Example.objects.count()) == 0
    assert Example.objects.count() == 1
