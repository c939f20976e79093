"""Training on a version's preference pairs: the pairs annotators wrote or imported, approved and
frozen, launch a DPO run that continues a finished LoRA run; the run is a run like any other."""

import json
from pathlib import Path

import pytest
from django.urls import reverse

from curation.core.demo_tickets import make_examples
from curation.core.splits import SplitConfig
from curation.models import Example
from curation.versions import freeze
from training.models import TrainingRun

pytestmark = pytest.mark.django_db

FORM = {"name": "r1-dpo", "beta": 0.1, "dpo_loss": "sigmoid", "epochs": 1, "learning_rate": 5e-5}


def url(people, version):
    return reverse("training:train-on-pairs", args=[people.project.slug, version.id])


def with_pairs(people, n=12):
    """A version holding the approved examples so far and `n` preference pairs made from demo
    tickets: the chosen answer is the ticket's triage, the rejected one puts it in another category."""
    for ticket in make_examples(n=n, seed=7):
        wrong = json.loads(ticket.output)
        wrong["category"] = "other" if wrong.get("category") != "other" else "billing"
        Example.objects.create(
            project=people.project,
            author=people.annotator,
            status=Example.Status.APPROVED,
            instruction=ticket.instruction,
            input=ticket.input,
            output=ticket.output,
            rejected=json.dumps(wrong),
        )
    return freeze(
        people.project,
        people.lead,
        name="v2 with pairs",
        note="",
        config=SplitConfig(ratios=(0.8, 0.0, 0.2)),
        leakage_override="templated tickets",
    )


@pytest.mark.slow
def test_a_lead_trains_dpo_on_a_versions_pairs_and_the_run_continues_the_adapter(as_user, people, trained):
    from training.runs import execute

    version = with_pairs(people)
    train_pairs = version.items.filter(split="train").exclude(rejected="").count()
    assert train_pairs
    client = as_user(people.lead)
    page = client.get(url(people, version)).content.decode()
    assert f"<strong>{train_pairs} pair" in page and f'value="{trained.id}" selected' in page
    response = client.post(url(people, version), {**FORM, "parent": trained.id})
    run = TrainingRun.objects.get(name="r1-dpo")
    assert response["Location"] == reverse("training:run", args=[people.project.slug, run.id])
    assert (run.parent, run.dataset_version, run.base_model) == (trained, version, trained.base_model)
    assert run.lineage["version_id"] == version.id and run.lineage["pairs"] == train_pairs
    assert run.config["method"] == "dpo" and run.config["parent_adapter"] == str(Path(trained.output_dir) / "adapter")
    rows = [json.loads(line) for line in (Path(run.output_dir) / "preferences.jsonl").read_text().splitlines()]
    assert len(rows) == train_pairs
    # only train-split pairs: the held-out ones stay out of training
    pairs = version.items.exclude(rejected="")
    train_inputs = set(pairs.filter(split="train").values_list("input", flat=True))
    test_inputs = set(pairs.filter(split="test").values_list("input", flat=True))
    assert test_inputs  # the check below means something
    prompts = [r["prompt"] if isinstance(r["prompt"], str) else r["prompt"][-1]["content"] for r in rows]
    assert all(any(i in p for i in train_inputs) for p in prompts)
    assert not any(i in p for i in test_inputs for p in prompts)
    text = client.get(response["Location"]).content.decode()
    assert "A preference run (DPO)" in text and f"{train_pairs} preference pairs in the train split" in text
    assert run.claim()
    execute(run)
    run.refresh_from_db()
    assert run.status == TrainingRun.Status.SUCCEEDED, (run.message, run.log_tail[-2000:])
    assert (Path(run.output_dir) / "adapter" / "adapter_config.json").is_file()
    assert run.summary["preference_pairs"] == train_pairs and run.points.exists()


def test_a_version_without_pairs_or_without_a_lora_run_is_refused_with_the_reason(as_user, people, full_trained):
    client = as_user(people.lead)
    page = client.get(url(people, full_trained.dataset_version)).content.decode()
    assert "has no preference pairs in its train split" in page
    version = with_pairs(people)
    page = client.get(url(people, version)).content.decode()
    assert "No finished LoRA run to continue" in page  # a full fine-tune has no adapter
    client.post(url(people, version), {**FORM, "parent": full_trained.id})
    assert not TrainingRun.objects.filter(name="r1-dpo").exists()


def test_training_on_pairs_needs_the_training_right(as_user, people, trained):
    version = with_pairs(people, n=4)
    for user, status in ((people.reviewer, 403), (people.annotator, 403), (people.outsider, 404)):
        client = as_user(user)
        assert client.get(url(people, version)).status_code == status
        assert client.post(url(people, version), {**FORM, "parent": trained.id}).status_code == status
    assert not TrainingRun.objects.filter(name="r1-dpo").exists()
