"""The pre-flight of a dataset version: what the trainer will see, before any run."""

import json
import re

import pytest

from curation.core.splits import SplitConfig
from curation.models import Example, Job
from curation.versions import freeze
from studio.core.prompts import render, tokenize
from training.core.model_info import inspect_model_folder
from training.models import BaseModel

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(people, make_example, tiny_model_dir):
    base = BaseModel.objects.create(project=people.project, name="Tiny", path=str(tiny_model_dir))
    base.record_inspection(info=inspect_model_folder(tiny_model_dir))
    people.project.base_model = base
    people.project.save()
    for i in range(12):
        text = "short ticket" if i % 2 else "a long ticket " + "with many words " * 20
        make_example(
            input=f"{text} number {i}",
            output=json.dumps({"category": "billing", "priority": "low"}),
            status=Example.Status.APPROVED,
        )
    return freeze(people.project, people.lead, name="v1", note="", config=SplitConfig(), leakage_override="test data")


def run(client, curation_url, version, callbacks, max_length):
    with callbacks(execute=True):
        return client.post(curation_url("preflight", version.id), {"max_length": max_length})


def test_lead_runs_a_preflight_and_sees_lengths_and_truncation(
    as_user, people, version, curation_url, eager_tasks, django_capture_on_commit_callbacks
):
    client = as_user(people.lead)
    response = run(client, curation_url, version, django_capture_on_commit_callbacks, 96)
    job = Job.objects.get(kind=Job.Kind.PREFLIGHT)
    assert response["Location"] == curation_url("job", job.id)
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert job.details["count"] == 12 and job.details["template"] == "chat"
    assert job.details["truncated_count"] == 6  # the six long tickets
    page = as_user(people.reviewer).get(curation_url("preflight", version.id) + "?max_length=96").content.decode()
    assert "6 examples longer than 96" in page
    assert "the model&#x27;s chat template" in page or "the model's chat template" in page
    assert page.count("<rect ") == len(job.details["histogram"])


def test_the_token_view_marks_exactly_the_trained_tokens(as_user, people, version, curation_url, tiny_model_dir):
    from transformers import AutoTokenizer

    item = version.items.order_by("id").first()
    page = (
        as_user(people.annotator)
        .get(curation_url("preflight-item", version.id, item.id) + "?max_length=2048")
        .content.decode()
    )
    tokens_html = page.split('<div class="tokens card"', 1)[1]
    trained = "".join(re.findall(r'<span class="tok loss"[^>]*>(.*?)</span>', tokens_html, re.S))
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir, local_files_only=True)
    tokens = tokenize(render(item.record(), tokenizer), tokenizer, 2048)
    expected = tokenizer.decode([t for t, m in zip(tokens.input_ids, tokens.completion_mask) if m])
    from html import unescape

    assert unescape(trained) == expected
    assert expected.startswith('{"category": "billing"')


def test_preflight_settings_are_checked(as_user, people, version, curation_url):
    page = as_user(people.lead).get(curation_url("preflight", version.id) + "?max_length=999999").content.decode()
    assert (
        "Max length must be a whole number from 16 to the model&#x27;s context of 2048 tokens." in page
        or "context of 2048 tokens" in page
    )


def test_preflight_outsider_and_wrong_role(
    as_user, people, version, curation_url, eager_tasks, django_capture_on_commit_callbacks
):
    item = version.items.first()
    assert as_user(people.outsider).get(curation_url("preflight", version.id)).status_code == 404
    assert as_user(people.outsider).get(curation_url("preflight-item", version.id, item.id)).status_code == 404
    assert (
        run(as_user(people.annotator), curation_url, version, django_capture_on_commit_callbacks, 128).status_code
        == 403
    )
    assert (
        run(as_user(people.reviewer), curation_url, version, django_capture_on_commit_callbacks, 128).status_code == 403
    )
    assert not Job.objects.filter(kind=Job.Kind.PREFLIGHT).exists()
