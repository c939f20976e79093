"""import_examples (with the import task run inline) and export_examples."""

import io
import json

import pyarrow.parquet as pq
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from curation.models import Example, Finding, Job, Revision

pytestmark = pytest.mark.django_db

GOOD_LINES = [
    {"instruction": "Triage the ticket.", "input": "My parcel is late.", "output": '{"priority": "high"}'},
    {"prompt": "Triage the ticket.\n\nReach me at ann@example.org", "completion": '{"priority": "normal"}'},
    {
        "messages": [
            {"role": "user", "content": "Wo ist mein Paket?"},
            {"role": "assistant", "content": "Es kommt morgen."},
        ]
    },
]


def jsonl(rows):
    return (
        "\ufeff"
        + "\r\n".join(row if isinstance(row, str) else json.dumps(row, ensure_ascii=False) for row in rows)
        + "\r\n"
    ).encode("utf-8")


def upload(client, url, content, name="tickets.jsonl", status="draft"):
    return client.post(url, {"file": SimpleUploadedFile(name, content), "status": status})


# --- import_examples --------------------------------------------------------------------------


def test_an_import_creates_examples_with_revisions_and_findings(
    as_user, people, curation_url, media, eager_tasks, django_capture_on_commit_callbacks
):
    client = as_user(people.annotator)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = upload(client, curation_url("import"), jsonl(GOOD_LINES), status="submitted")
    assert len(callbacks) == 1  # enqueued after commit, never before
    job = Job.objects.get(project=people.project, kind=Job.Kind.IMPORT)
    assert response["Location"] == curation_url("job", job.id)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.message.startswith("Imported 3 examples from tickets.jsonl. Checked the project:")
    assert job.details["imported"] == 3
    examples = list(Example.objects.filter(project=people.project).order_by("id"))
    assert [(e.author, e.status, e.source) for e in examples] == [
        (people.annotator, Example.Status.SUBMITTED, f"tickets.jsonl line {n}") for n in (1, 2, 3)
    ]
    assert (examples[0].instruction, examples[0].input, examples[0].output) == (
        "Triage the ticket.",
        "My parcel is late.",
        '{"priority": "high"}',
    )
    assert (examples[1].instruction, examples[1].output) == (
        "Triage the ticket.\n\nReach me at ann@example.org",
        '{"priority": "normal"}',
    )
    assert examples[2].messages == GOOD_LINES[2]["messages"]
    assert sorted(Revision.objects.values_list("example_id", "version", "action")) == [
        (e.id, 1, "imported from tickets.jsonl") for e in examples
    ]
    assert list(Finding.objects.filter(kind="pii").values_list("example_id", flat=True)) == [examples[1].id]
    page = client.get(response["Location"]).content.decode()
    assert "Imported 3 examples from tickets.jsonl." in page
    assert "tickets.jsonl" in client.get(curation_url("import")).content.decode()  # among the recent imports


def test_the_check_report_names_the_import_that_checked_the_project(
    as_user, people, curation_url, media, eager_tasks, django_capture_on_commit_callbacks, monkeypatch
):
    # A few rows are checked one by one on import: the report says so instead of "no check has run".
    client = as_user(people.lead)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, curation_url("import"), jsonl(GOOD_LINES), name="first.jsonl")
    page = client.get(curation_url("check-report")).content.decode()
    assert "No full check of every example has run yet." in page
    assert "first.jsonl</a>" in page and "checked each of its 3 examples against the project" in page
    # A large import checks the whole project: that is the last full check.
    from curation import imports

    monkeypatch.setattr(imports, "SMALL_IMPORT", 2)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, curation_url("import"), jsonl(GOOD_LINES), name="second.jsonl")
    page = client.get(curation_url("check-report")).content.decode()
    assert "Last full check: " in page and "with the import of second.jsonl</a>" in page
    assert "No full check" not in page and "checked each of its" not in page


def test_an_import_with_a_bad_line_imports_nothing_and_names_the_line(
    as_user, people, curation_url, media, eager_tasks, django_capture_on_commit_callbacks
):
    client = as_user(people.annotator)
    lines = [
        GOOD_LINES[0],
        '{"instruction": "Triage the ticket.", "output": ',
        GOOD_LINES[1],
        {"instruction": "No answer here."},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, curation_url("import"), jsonl(lines))
    job = Job.objects.get(project=people.project, kind=Job.Kind.IMPORT)
    assert job.status == Job.Status.FAILED
    assert job.message == "Nothing was imported: 2 lines cannot be read. Fix them and import the file again."
    assert job.details["errors"] == [
        "line 2: not valid JSON: Expecting value (column 49)",
        "line 4: “output” is missing",
    ]
    assert job.details["readable"] == 2
    assert not Example.objects.exists() and not Revision.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "Nothing was imported: 2 lines cannot be read." in page
    assert "line 4: “output” is missing" in page


def test_an_unreadable_file_imports_nothing(
    as_user, people, curation_url, media, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(as_user(people.lead), curation_url("import"), b'{"instruction": "ok", "output": "ok"}\n\xff\xfe\n')
    job = Job.objects.get()
    assert (job.status, job.message) == (
        Job.Status.FAILED,
        "Nothing was imported: line 2: not UTF-8 text (byte 0xff); save the file as UTF-8",
    )
    assert not Example.objects.exists()


def test_an_import_with_a_huge_or_deeply_nested_example_imports_nothing_and_names_them(
    as_user, people, curation_url, media, eager_tasks, django_capture_on_commit_callbacks, settings
):
    settings.MAX_EXAMPLE_BYTES = 5000
    lines = [
        GOOD_LINES[0],
        {"instruction": "Summarise the log.", "input": "ERROR disk full\n" * 400, "output": "The disk filled up."},
        GOOD_LINES[1],
        '{"instruction": "Triage.", "output": "ok", "tags": ' + "[" * 3000 + "]" * 3000 + "}",
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(as_user(people.annotator), curation_url("import"), jsonl(lines))
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert job.message == "Nothing was imported: 2 lines cannot be read. Fix them and import the file again."
    assert job.details["errors"] == [
        "line 2: the example is 6 kB of text; the limit is 5 kB (the MAX_EXAMPLE_BYTES setting). Split it or shorten it",
        "line 4: nested too deeply ([ and { more than 1,000 levels inside each other); an example is an object of texts",
    ]
    assert not Example.objects.exists() and not Revision.objects.exists()
    assert "line 2: the example is 6 kB of text" in as_user(people.annotator).get(response["Location"]).content.decode()


def test_an_import_over_the_size_limit_is_refused_at_once(as_user, people, curation_url, media, settings):
    settings.MAX_UPLOAD_BYTES = 20
    page = upload(as_user(people.annotator), curation_url("import"), jsonl(GOOD_LINES)).content.decode()
    assert "; the limit is 20 bytes. Split it into smaller files." in page
    assert not Job.objects.exists()


def test_import_outsider_and_wrong_role(as_user, people, curation_url, media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert as_user(people.outsider).get(curation_url("import")).status_code == 404
        assert upload(as_user(people.outsider), curation_url("import"), jsonl(GOOD_LINES)).status_code == 404
        assert as_user(people.reviewer).get(curation_url("import")).status_code == 403
        assert upload(as_user(people.reviewer), curation_url("import"), jsonl(GOOD_LINES)).status_code == 403
    assert callbacks == []
    assert not Job.objects.exists()


# --- export_examples --------------------------------------------------------------------------


@pytest.fixture
def dataset(make_example):
    """Approved: a plain example, one with an input and a two-turn chat with a system prompt.
    Not exported by default: a draft; never exported: a deleted approved example."""
    approved = Example.Status.APPROVED
    plain = make_example(instruction="Triage the ticket.", output='{"priority": "high"}', status=approved)
    with_input = make_example(
        instruction="Triage the ticket.",
        input="Ma commande est en retard.",
        output='{"priority": "normal"}',
        status=approved,
    )
    chat = make_example(
        messages=[
            {"role": "system", "content": "You triage tickets."},
            {"role": "user", "content": "Card declined."},
            {"role": "assistant", "content": "billing"},
        ],
        status=approved,
    )
    draft = make_example(instruction="Draft.", output="Not yet.")
    make_example(instruction="Deleted.", output="Gone.", status=approved, deleted_at=timezone.now())
    return plain, with_input, chat, draft


def download(client, url, query):
    response = client.get(url + query)
    assert response.status_code == 200, response.content[:500]
    body = b"".join(response.streaming_content)
    return response, body


def test_export_page_offers_the_forms(as_user, people, curation_url):
    page = as_user(people.lead).get(curation_url("export")).content.decode()
    for value in ("alpaca", "chat", "prompt_completion", "parquet"):
        assert f'value="{value}"' in page


def test_export_alpaca_jsonl_of_approved_examples(as_user, people, dataset, curation_url):
    response, body = download(as_user(people.lead), curation_url("export"), "?form=alpaca&status=approved")
    assert response["Content-Type"] == "application/jsonl; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="ticket-triage-alpaca-')
    assert [json.loads(line) for line in body.decode("utf-8").splitlines()] == [
        {"instruction": "Triage the ticket.", "input": "", "output": '{"priority": "high"}'},
        {
            "instruction": "Triage the ticket.",
            "input": "Ma commande est en retard.",
            "output": '{"priority": "normal"}',
        },
        {"instruction": "You triage tickets.\n\nCard declined.", "input": "", "output": "billing"},
    ]


def test_export_chat_jsonl(as_user, people, dataset, curation_url):
    _, body = download(as_user(people.lead), curation_url("export"), "?form=chat&status=approved")
    rows = [json.loads(line) for line in body.decode("utf-8").splitlines()]
    assert rows[1] == {
        "messages": [
            {"role": "user", "content": "Triage the ticket.\n\nMa commande est en retard."},
            {"role": "assistant", "content": '{"priority": "normal"}'},
        ]
    }
    assert rows[2] == {
        "messages": [
            {"role": "system", "content": "You triage tickets."},
            {"role": "user", "content": "Card declined."},
            {"role": "assistant", "content": "billing"},
        ]
    }
    assert len(rows) == 3


def test_export_prompt_completion_of_every_example_not_deleted(as_user, people, dataset, curation_url):
    _, body = download(as_user(people.lead), curation_url("export"), "?form=prompt_completion&status=all")
    rows = [json.loads(line) for line in body.decode("utf-8").splitlines()]
    assert rows == [
        {"prompt": "Triage the ticket.", "completion": '{"priority": "high"}'},
        {"prompt": "Triage the ticket.\n\nMa commande est en retard.", "completion": '{"priority": "normal"}'},
        {"prompt": "You triage tickets.\n\nCard declined.", "completion": "billing"},
        {"prompt": "Draft.", "completion": "Not yet."},
    ]


def test_export_parquet_that_datasets_can_load(as_user, people, dataset, curation_url):
    response, body = download(as_user(people.lead), curation_url("export"), "?form=parquet&status=approved")
    assert response["Content-Disposition"].startswith('attachment; filename="ticket-triage-')
    assert response["Content-Disposition"].endswith('.parquet"')
    table = pq.read_table(io.BytesIO(body))
    assert table.column_names == ["instruction", "input", "output", "rejected", "messages"]
    rows = table.to_pylist()
    assert [r["output"] for r in rows] == ['{"priority": "high"}', '{"priority": "normal"}', "billing"]
    assert rows[2]["messages"][0] == {"role": "system", "content": "You triage tickets."}
    assert rows[0]["messages"] == [
        {"role": "user", "content": "Triage the ticket."},
        {"role": "assistant", "content": '{"priority": "high"}'},
    ]


def test_export_refuses_multi_turn_chats_in_alpaca_form(as_user, people, dataset, make_example, curation_url):
    long_chat = make_example(
        status=Example.Status.APPROVED,
        messages=[
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello"},
            {"role": "user", "content": "My card was declined."},
            {"role": "assistant", "content": "billing"},
        ],
    )
    client = as_user(people.lead)
    for form, name in (("alpaca", "alpaca"), ("prompt_completion", "prompt/completion")):
        response = client.get(curation_url("export") + f"?form={form}&status=approved")
        assert response.status_code == 200
        assert not response.streaming
        assert (
            f"1 multi-turn chat has no {name} form (#{long_chat.id}); export as chat or parquet."
            in response.content.decode()
        )
    _, body = download(client, curation_url("export"), "?form=chat&status=approved")
    assert json.loads(body.decode("utf-8").splitlines()[-1])["messages"][2] == {
        "role": "user",
        "content": "My card was declined.",
    }


def test_export_outsider_and_wrong_roles(as_user, people, dataset, curation_url):
    target = curation_url("export") + "?form=chat&status=all"
    assert as_user(people.outsider).get(target).status_code == 404
    assert as_user(people.annotator).get(target).status_code == 403
    assert as_user(people.reviewer).get(target).status_code == 403
    assert as_user(people.annotator).get(curation_url("export")).status_code == 403
