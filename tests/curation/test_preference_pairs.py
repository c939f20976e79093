"""Preference pairs as data: written in the editor, imported and exported as prompt/chosen/rejected,
checked like any example, frozen into versions and exported with them."""

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from curation.core.splits import SplitConfig
from curation.models import Example, Job, PairFinding, Revision
from curation.versions import freeze

pytestmark = pytest.mark.django_db

ASK = "A customer asks whether opened headphones can be returned. Answer them."
GOOD = "Yes: within 30 days, as long as they are undamaged and in their box. Start the return in your account."
BAD = "No, opened items can never be returned."


def pair(instruction=ASK, chosen=GOOD, rejected=BAD, **extra):
    return {"instruction": instruction, "input": "", "output": chosen, "rejected": rejected, **extra}


def test_an_annotator_writes_a_preference_pair_in_the_editor(as_user, people, curation_url):
    client = as_user(people.annotator)
    page = client.get(curation_url("new-example")).content.decode()
    assert "Preference pair: add a rejected answer" in page  # folded away on a plain example
    response = client.post(curation_url("new-example"), pair())
    example = Example.objects.get(project=people.project)
    assert response["Location"] == curation_url("example", example.id)
    assert (example.output, example.rejected, example.is_preference) == (GOOD, BAD, True)
    assert example.revisions.get().rejected == BAD  # the history keeps it as well
    page = client.get(response["Location"]).content.decode()
    assert "Output (the chosen answer)" in page and "Preference pair: the rejected answer" in page and BAD in page
    # emptying the rejected answer makes it a plain example again
    client.post(curation_url("example", example.id), {**pair(rejected="  "), "version": example.version})
    example.refresh_from_db()
    assert (example.rejected, example.version) == ("", 2)


def test_a_pair_whose_two_answers_are_the_same_is_refused_with_the_reason(as_user, people, curation_url):
    page = as_user(people.annotator).post(curation_url("new-example"), pair(rejected=f" {GOOD} "))
    assert "The rejected answer is the same as the output" in page.content.decode()
    assert not Example.objects.exists()


def test_a_reversed_pair_and_a_plain_example_teaching_the_rejected_answer_are_contradictions(
    as_user, people, curation_url, make_example
):
    first = make_example(**pair())
    reversed_ = make_example(**pair(chosen=BAD, rejected=GOOD))
    teaches_rejected = make_example(instruction=ASK, output=BAD)
    # hard negatives: another pair for the same prompt, and a plain example teaching the chosen answer
    other_pair = make_example(**pair(rejected="Headphones are electronics."))
    teaches_chosen = make_example(instruction=ASK, output=GOOD)
    pairs = {
        (low, high): (kind, detail)
        for low, high, kind, detail in PairFinding.objects.values_list("low_id", "high_id", "kind", "detail")
    }
    assert pairs[(first.id, reversed_.id)][0] == "contradiction"
    assert "reversed preference" in pairs[(first.id, reversed_.id)][1]
    assert pairs[(first.id, teaches_rejected.id)][0] == "contradiction"
    for plain_or_pair in (other_pair, teaches_chosen):
        assert (first.id, plain_or_pair.id) not in pairs
    # the editor tells it from the pair's side
    page = as_user(people.annotator).get(curation_url("example", first.id)).content.decode()
    assert "reversed preference" in page and "rejects the other example" in page


def test_import_and_export_in_the_preference_form(
    as_user, people, curation_url, media, eager_tasks, django_capture_on_commit_callbacks
):
    lines = [
        {"prompt": ASK, "chosen": GOOD, "rejected": BAD},
        {
            "instruction": "Summarise the ticket.",
            "input": "My order 5 never came.",
            "chosen": "Order 5 missing.",
            "rejected": "A ticket.",
        },
        {"instruction": "Say hello.", "output": "Hello!"},  # a plain example in the same file
    ]
    content = "\n".join(json.dumps(line) for line in lines).encode()
    client = as_user(people.lead)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(curation_url("import"), {"file": SimpleUploadedFile("prefs.jsonl", content), "status": "draft"})
    job = Job.objects.get(kind=Job.Kind.IMPORT)
    assert job.status == Job.Status.SUCCEEDED, job.message
    examples = list(Example.objects.order_by("id"))
    assert [(e.instruction, e.input, e.output, e.rejected) for e in examples] == [
        (ASK, "", GOOD, BAD),
        ("Summarise the ticket.", "My order 5 never came.", "Order 5 missing.", "A ticket."),
        ("Say hello.", "", "Hello!", ""),
    ]
    assert list(Revision.objects.order_by("example_id").values_list("rejected", flat=True)) == [BAD, "A ticket.", ""]
    response = client.get(curation_url("export") + "?form=preference&status=all")
    rows = [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]
    assert rows == [
        {"prompt": ASK, "chosen": GOOD, "rejected": BAD},
        {
            "prompt": "Summarise the ticket.\n\nMy order 5 never came.",
            "chosen": "Order 5 missing.",
            "rejected": "A ticket.",
        },
    ]  # the plain example has no preference form and is left out


def test_a_bad_preference_line_refuses_the_whole_import(
    as_user, people, curation_url, media, eager_tasks, django_capture_on_commit_callbacks
):
    content = (
        json.dumps({"prompt": ASK, "chosen": GOOD, "rejected": BAD})
        + "\n"
        + json.dumps({"prompt": ASK, "chosen": GOOD, "rejected": GOOD})
    ).encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(people.lead).post(
            curation_url("import"), {"file": SimpleUploadedFile("prefs.jsonl", content), "status": "draft"}
        )
    job = Job.objects.get(kind=Job.Kind.IMPORT)
    assert job.status == Job.Status.FAILED
    assert job.details["errors"] == [
        "line 2: “chosen” and “rejected” are the same text: a preference pair needs two different answers"
    ]
    assert (
        "line 2: “chosen” and “rejected” are the same text"
        in as_user(people.lead).get(response["Location"]).content.decode()
    )
    assert not Example.objects.exists()


def test_export_in_the_preference_form_without_pairs_says_why(as_user, people, curation_url, make_example):
    make_example(instruction="Say hello.", output="Hello!")
    page = as_user(people.lead).get(curation_url("export") + "?form=preference&status=all").content.decode()
    assert "No preference pairs to export" in page


def test_a_version_carries_the_pairs_and_exports_them(
    as_user, people, curation_url, make_example, media, eager_tasks, django_capture_on_commit_callbacks, tmp_path
):
    for i in range(6):
        make_example(**pair(instruction=f"{ASK} (order {i + 100})"), status=Example.Status.APPROVED)
    for i in range(4):
        make_example(instruction=f"Triage ticket {i}: the lamp {i} is broken.", status=Example.Status.APPROVED)
    version = freeze(
        people.project,
        people.lead,
        name="v1",
        note="",
        config=SplitConfig(ratios=(1.0, 0.0, 0.0)),
        leakage_override="x",
    )
    assert version.items.exclude(rejected="").count() == 6
    lead_page = as_user(people.lead).get(curation_url("version", version.id)).content.decode()
    assert "6 preference pairs" in lead_page and "Train on the preference pairs" in lead_page
    annotator_page = as_user(people.annotator).get(curation_url("version", version.id)).content.decode()
    assert "6 preference pairs" in annotator_page and "Train on the preference pairs" not in annotator_page
    client = as_user(people.lead)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(curation_url("export-version", version.id), {"format": "preference"})
    job = Job.objects.filter(kind=Job.Kind.EXPORT).latest("id")
    assert job.status == Job.Status.SUCCEEDED, job.message
    response = client.get(curation_url("download-export", version.id, job.id))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    rows = [json.loads(line) for line in archive.read("data/train.jsonl").decode().splitlines()]
    assert len(rows) == 6 and all(r["chosen"] == GOOD and r["rejected"] == BAD for r in rows)
    assert "Preference pairs: 6 of 10 examples" in archive.read("README.md").decode()
    # a supervised format keeps the chosen answer
    with django_capture_on_commit_callbacks(execute=True):
        client.post(curation_url("export-version", version.id), {"format": "alpaca"})
    job = Job.objects.filter(kind=Job.Kind.EXPORT).latest("id")
    response = client.get(curation_url("download-export", version.id, job.id))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    rows = [json.loads(line) for line in archive.read("data/train.jsonl").decode().splitlines()]
    assert sum(r["output"] == GOOD for r in rows) == 6 and all(
        set(r) == {"instruction", "input", "output"} for r in rows
    )


def test_the_history_shows_a_rejected_answer_changed_and_redacts_personal_data_in_it(
    as_user, people, curation_url, make_example
):
    example = make_example(**pair(rejected="No. Write to jane.doe@example.com about it."))
    client = as_user(people.annotator)
    client.post(curation_url("example", example.id), {**pair(rejected="No, never."), "version": example.version})
    history = client.get(curation_url("example-history", example.id)).content.decode()
    assert "rejected" in history and "never" in history and "jane.doe" in history  # the change, and the old text
    as_user(people.lead).post(curation_url("redact-history", example.id))
    first = example.revisions.get(version=1)
    assert first.rejected == "No. Write to [redacted e-mail address] about it."
    assert "jane.doe" not in as_user(people.lead).get(curation_url("example-history", example.id)).content.decode()
