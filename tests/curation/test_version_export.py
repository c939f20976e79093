"""Exports of a dataset version: each format, with its dataset card."""

import io
import json
import zipfile

import pytest

from curation.core.splits import SplitConfig
from curation.models import Example, Job
from curation.versions import freeze

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(people, make_example):
    for i in range(20):
        make_example(
            input=f"Ticket {i}: the {['kettle', 'lamp', 'fan', 'radio'][i % 4]} number {i} is broken",
            output=json.dumps({"category": "technical", "priority": "low"}),
            status=Example.Status.APPROVED,
        )
    return freeze(
        people.project,
        people.lead,
        name="v1",
        note="First cut.",
        config=SplitConfig(seed=2),
        leakage_override="short tickets",
    )


def export(client, curation_url, version, fmt, callbacks):
    with callbacks(execute=True):
        response = client.post(curation_url("export-version", version.id), {"format": fmt})
    job = Job.objects.filter(kind=Job.Kind.EXPORT).latest("id")
    assert response["Location"] == curation_url("job", job.id)
    return job


def download(client, curation_url, version, job):
    response = client.get(curation_url("download-export", version.id, job.id))
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


@pytest.mark.parametrize("fmt", ["chat", "alpaca", "parquet", "hf"])
def test_each_format_downloads_with_a_dataset_card(
    fmt, as_user, people, version, curation_url, eager_tasks, media, django_capture_on_commit_callbacks, tmp_path
):
    client = as_user(people.lead)
    job = export(client, curation_url, version, fmt, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.SUCCEEDED, job.message
    archive = download(client, curation_url, version, job)
    card = archive.read("README.md").decode()
    assert version.content_hash in card
    assert f"| train | {version.counts['train']} |" in card and "First cut." in card
    assert "## Checks" in card and "## Format" in card
    archive.extractall(tmp_path)
    if fmt in ("chat", "alpaca"):
        lines = [json.loads(line) for line in (tmp_path / "data" / "train.jsonl").read_text().splitlines()]
        assert len(lines) == version.counts["train"]
        assert set(lines[0]) == ({"messages"} if fmt == "chat" else {"instruction", "input", "output"})
    elif fmt == "parquet":
        from datasets import load_dataset

        ds = load_dataset("parquet", data_files={"train": str(tmp_path / "data" / "train.parquet")})
        assert len(ds["train"]) == version.counts["train"]
    else:
        from datasets import load_from_disk

        dd = load_from_disk(str(tmp_path / "data"))
        assert {split: len(dd[split]) for split in dd} == {k: v for k, v in version.counts.items() if v}
        assert dd["train"][0]["messages"][-1]["role"] == "assistant"


def test_alpaca_export_refuses_multi_turn_chats(
    as_user, people, make_example, curation_url, eager_tasks, media, django_capture_on_commit_callbacks
):
    make_example(
        messages=[
            {"role": "user", "content": "a"},
            {"role": "assistant", "content": "b"},
            {"role": "user", "content": "c"},
            {"role": "assistant", "content": "d"},
        ],
        status=Example.Status.APPROVED,
    )
    version = freeze(people.project, people.lead, name="chats", note="", config=SplitConfig(ratios=(1.0, 0.0, 0.0)))
    job = export(as_user(people.lead), curation_url, version, "alpaca", django_capture_on_commit_callbacks)
    assert job.status == Job.Status.FAILED
    assert "multi-turn chat(s) have no alpaca form" in job.message


def test_export_outsider_and_wrong_role(
    as_user, people, version, curation_url, eager_tasks, media, django_capture_on_commit_callbacks
):
    job = export(as_user(people.lead), curation_url, version, "chat", django_capture_on_commit_callbacks)
    for user, status in ((people.outsider, 404), (people.annotator, 403), (people.reviewer, 403)):
        assert as_user(user).post(curation_url("export-version", version.id), {"format": "chat"}).status_code == status
        assert as_user(user).get(curation_url("download-export", version.id, job.id)).status_code == status
    assert Job.objects.filter(kind=Job.Kind.EXPORT).count() == 1
