"""Dataset versions: freezing, what blocks it, immutability through every path, and diffs."""

import json

import pytest
from django.db import connection
from django.urls import reverse

from curation.models import DatasetVersion, Example, FrozenError, Job, VersionItem

pytestmark = pytest.mark.django_db

TICKETS = [
    "My parcel from Lyon never arrived",
    "The invoice shows the wrong address",
    "I cannot log in since Tuesday",
    "The charger stopped working after a week",
    "Please cancel my subscription today",
    "My card was charged twice",
    "The app crashes when I open settings",
    "Where is my refund for the blue jacket",
    "The screen flickers at night",
    "I want to change my delivery date",
    "The password reset mail never comes",
    "My order came with a missing cable",
]


@pytest.fixture
def approved(make_example, people):
    out = []
    for i, text in enumerate(TICKETS):
        category = ["shipping", "billing", "technical"][i % 3]
        out.append(
            make_example(
                input=text,
                output=json.dumps({"category": category, "priority": "normal"}),
                status=Example.Status.APPROVED,
            )
        )
    return out


def freeze(client, curation_url, callbacks, **fields):
    data = {
        "name": "v1",
        "note": "",
        "train": 80,
        "validation": 10,
        "test": 10,
        "seed": 0,
        "stratify_field": "",
        "findings_override": "",
        "leakage_override": "",
    }
    data.update(fields)
    with callbacks(execute=True):
        response = client.post(curation_url("freeze-version"), data)
    return response


def test_lead_freezes_approved_examples_into_splits(
    as_user, people, approved, make_example, curation_url, eager_tasks, django_capture_on_commit_callbacks
):
    make_example(input="A draft is not frozen", status=Example.Status.DRAFT)
    response = freeze(
        as_user(people.lead), curation_url, django_capture_on_commit_callbacks, name="first", stratify_field="category"
    )
    job = Job.objects.get(kind=Job.Kind.FREEZE)
    assert response["Location"] == curation_url("job", job.id)
    assert job.status == Job.Status.SUCCEEDED, job.message
    version = DatasetVersion.objects.get()
    assert version.items.count() == len(TICKETS)
    assert sum(version.counts.values()) == len(TICKETS)
    assert set(version.label_counts) == {"shipping", "billing", "technical"}
    page = as_user(people.reviewer).get(curation_url("version", version.id)).content.decode()
    assert version.content_hash in page and "first" in page


def test_the_same_approved_set_gives_the_same_hash(
    as_user, people, approved, curation_url, eager_tasks, django_capture_on_commit_callbacks
):
    client = as_user(people.lead)
    freeze(client, curation_url, django_capture_on_commit_callbacks, name="a", seed=1)
    freeze(client, curation_url, django_capture_on_commit_callbacks, name="b", seed=1)
    a, b = DatasetVersion.objects.order_by("id")
    assert a.content_hash == b.content_hash
    assert [(i.example_id, i.split) for i in a.items.order_by("example_id")] == [
        (i.example_id, i.split) for i in b.items.order_by("example_id")
    ]


def test_errors_block_the_freeze_unless_overridden_with_a_reason(
    as_user, people, approved, make_example, curation_url, eager_tasks, django_capture_on_commit_callbacks
):
    make_example(
        input=TICKETS[0],
        output=json.dumps({"category": "billing", "priority": "urgent"}),
        status=Example.Status.APPROVED,
    )
    client = as_user(people.lead)
    freeze(client, curation_url, django_capture_on_commit_callbacks)
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert "approved example(s) carry errors" in job.message
    assert not DatasetVersion.objects.exists()
    page = client.get(curation_url("job", job.id)).content.decode()
    assert "contradicts #" in page
    freeze(
        client,
        curation_url,
        django_capture_on_commit_callbacks,
        name="v1b",
        findings_override="The billing team confirmed both readings.",
    )
    version = DatasetVersion.objects.get()
    assert version.findings_override == "The billing team confirmed both readings."
    assert version.check_summary.get("contradiction") == 1


def test_leakage_blocks_the_freeze_unless_overridden(
    as_user, people, make_example, curation_url, eager_tasks, django_capture_on_commit_callbacks
):
    for i in range(30):  # long near-copies: the same ticket with one detail changed
        make_example(
            input=f"The quarterly revenue report for the north region shows a drop, figure {i} attached, please check the totals and send them back",
            output="billing",
            status=Example.Status.APPROVED,
        )
    client = as_user(people.lead)
    freeze(client, curation_url, django_capture_on_commit_callbacks)
    job = Job.objects.get()
    assert "alike a training example" in job.message
    assert job.details["leaks"]
    freeze(
        client,
        curation_url,
        django_capture_on_commit_callbacks,
        name="v2",
        leakage_override="Reports differ only in the attached figure; accepted.",
    )
    version = DatasetVersion.objects.get()
    assert version.leakage and version.leakage_override.startswith("Reports differ")


def test_a_frozen_version_cannot_change_through_the_model(
    as_user, people, approved, curation_url, eager_tasks, django_capture_on_commit_callbacks
):
    freeze(as_user(people.lead), curation_url, django_capture_on_commit_callbacks)
    version = DatasetVersion.objects.get()
    item = version.items.first()
    version.name = "renamed"
    with pytest.raises(FrozenError):
        version.save()
    item.split = "test"
    with pytest.raises(FrozenError):
        item.save()
    with pytest.raises(FrozenError):
        VersionItem.objects.filter(version=version).update(split="test")
    with pytest.raises(FrozenError):
        version.items.all().delete()
    with pytest.raises(FrozenError):
        version.delete()
    assert DatasetVersion.objects.get().name == "v1"


def test_the_database_refuses_updates_from_any_path(
    as_user, people, approved, curation_url, eager_tasks, django_capture_on_commit_callbacks
):
    freeze(as_user(people.lead), curation_url, django_capture_on_commit_callbacks)
    version = DatasetVersion.objects.get()
    from django.db import transaction

    for sql in (
        "UPDATE curation_versionitem SET output = 'changed'",
        "UPDATE curation_datasetversion SET name = 'changed'",
    ):
        with pytest.raises(Exception, match="frozen"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
    assert not VersionItem.objects.filter(output="changed").exists()
    assert DatasetVersion.objects.get(id=version.id).name == "v1"


def test_admin_shows_versions_read_only(
    client, django_user_model, people, approved, as_user, curation_url, eager_tasks, django_capture_on_commit_callbacks
):
    freeze(as_user(people.lead), curation_url, django_capture_on_commit_callbacks)
    version = DatasetVersion.objects.get()
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(admin)
    url = reverse("admin:curation_datasetversion_change", args=[version.id])
    assert client.get(url).status_code == 200
    assert client.post(url, {"name": "renamed"}).status_code == 403
    assert (
        client.post(reverse("admin:curation_datasetversion_delete", args=[version.id]), {"post": "yes"}).status_code
        == 403
    )
    assert DatasetVersion.objects.get().name == "v1"


def test_edits_imports_and_deletions_after_freezing_leave_the_version_alone(
    as_user, people, approved, curation_url, eager_tasks, media, django_capture_on_commit_callbacks
):
    client = as_user(people.lead)
    freeze(client, curation_url, django_capture_on_commit_callbacks)
    version = DatasetVersion.objects.get()
    before = sorted((i.example_id, i.output, i.split) for i in version.items.all())
    first = approved[0]
    client.post(
        curation_url("example", first.id),
        {
            "instruction": first.instruction,
            "input": "Edited after the freeze",
            "output": first.output,
            "version": first.version,
        },
    )
    client.post(curation_url("delete-example", approved[1].id))
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "more.jsonl",
        json.dumps({"instruction": "Triage the ticket.", "input": TICKETS[2], "output": "changed"}).encode(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(curation_url("import"), {"file": upload, "status": "submitted"})
    assert Job.objects.get(kind=Job.Kind.IMPORT).status == Job.Status.SUCCEEDED
    assert client.post(curation_url("version", version.id)).status_code == 405  # no way to edit through the page
    assert sorted((i.example_id, i.output, i.split) for i in version.items.all()) == before


def test_diff_between_versions_shows_added_removed_and_edited_rows(
    as_user, people, approved, make_example, curation_url, eager_tasks, django_capture_on_commit_callbacks
):
    client = as_user(people.lead)
    freeze(client, curation_url, django_capture_on_commit_callbacks, name="old")
    first = approved[0]
    Example.objects.filter(id=first.id).update(input="My parcel from Lyon never arrived, and it was a gift")
    Example.objects.filter(id=approved[1].id).update(deleted_at="2026-01-01T00:00:00Z")
    added = make_example(
        input="A brand new kind of ticket about a broken kettle",
        output=json.dumps({"category": "technical", "priority": "low"}),
        status=Example.Status.APPROVED,
    )
    freeze(client, curation_url, django_capture_on_commit_callbacks, name="new")
    old, new = DatasetVersion.objects.order_by("id")
    page = client.get(curation_url("version-diff", new.id, old.id)).content.decode()
    assert "1 added · 1 removed · 1 edited" in page
    assert f"#{added.id}" in page
    assert "<ins>, and it was a gift</ins>" in page
    assert old.content_hash != new.content_hash


def test_version_pages_outsider_and_wrong_role(
    as_user, people, approved, curation_url, eager_tasks, django_capture_on_commit_callbacks
):
    freeze(as_user(people.lead), curation_url, django_capture_on_commit_callbacks)
    version = DatasetVersion.objects.get()
    for url in (
        curation_url("version-list"),
        curation_url("version", version.id),
        curation_url("version-diff", version.id, version.id),
        curation_url("freeze-version"),
    ):
        assert as_user(people.outsider).get(url).status_code == 404
    assert as_user(people.reviewer).get(curation_url("version-list")).status_code == 200
    assert as_user(people.annotator).get(curation_url("freeze-version")).status_code == 403
    assert as_user(people.reviewer).post(curation_url("freeze-version"), {"name": "sneaky"}).status_code == 403
    assert DatasetVersion.objects.count() == 1


def test_freeze_form_explains_bad_ratios_and_taken_names(
    as_user, people, approved, curation_url, eager_tasks, django_capture_on_commit_callbacks
):
    client = as_user(people.lead)
    page = freeze(
        client, curation_url, django_capture_on_commit_callbacks, train=70, validation=10, test=10
    ).content.decode()
    assert "must add up to 100%, not 90%" in page
    freeze(client, curation_url, django_capture_on_commit_callbacks)
    page = freeze(client, curation_url, django_capture_on_commit_callbacks).content.decode()
    assert "A version called “v1” exists already" in page


def test_a_user_who_froze_a_version_can_still_be_removed(
    as_user, people, approved, curation_url, eager_tasks, django_capture_on_commit_callbacks
):
    freeze(as_user(people.lead), curation_url, django_capture_on_commit_callbacks)
    other_lead = people.reviewer
    people.project.memberships.filter(user=other_lead).update(role="lead")
    people.lead.delete()
    assert DatasetVersion.objects.get().name == "v1"
