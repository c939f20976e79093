"""Training on the votes: from a closed study, one form launches a DPO run that continues one of
the runs it compared, on the pairs the votes preferred; the run is a run like any other."""

import json
from pathlib import Path

import pytest
from django.urls import reverse

from evaluation.models import Vote
from evaluation.studying import close
from training.models import TrainingRun

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def url(name, people, *args):
    return reverse(f"evaluation:{name}", args=[people.project.slug, *args])


def vote_for(study, system):
    """Every comparison voted for `system` (whichever side it was on)."""
    for a in study.assignments.all():
        Vote.objects.create(assignment=a, choice="left" if a.left == system else "right")


def test_a_lead_trains_on_a_closed_studys_votes_and_the_run_continues_the_tuned_adapter(
    as_user, people, study, trained
):
    tuned = f"run-{trained.id}"
    vote_for(study, tuned)
    client = as_user(people.lead)
    page = client.get(url("train-on-votes", people, study.id)).content.decode()
    assert "can be exported once the study is closed" in page  # open: refused, with the reason
    close(study)
    study.refresh_from_db()
    page = client.get(url("train-on-votes", people, study.id)).content.decode()
    pairs = study.assignments.filter(repeat_of="").values("item_id").distinct().count()
    assert f"<strong>{pairs} pairs</strong>" in page and f'value="{trained.id}" selected' in page
    response = client.post(
        url("train-on-votes", people, study.id),
        {
            "name": "r1-dpo",
            "parent": trained.id,
            "beta": 0.1,
            "dpo_loss": "sigmoid",
            "epochs": 1,
            "learning_rate": 5e-5,
        },
    )
    run = TrainingRun.objects.get(name="r1-dpo")
    assert response["Location"] == reverse("training:run", args=[people.project.slug, run.id])
    assert run.parent == trained and run.lineage["study_id"] == study.id and run.lineage["pairs"] == pairs
    studied = set(study.assignments.values_list("item_id", flat=True))
    assert set(run.lineage["item_ids"]) == studied  # test items it learns from: no test of it afterwards
    assert run.config["method"] == "dpo" and run.config["parent_adapter"] == str(Path(trained.output_dir) / "adapter")
    assert (run.base_model, run.dataset_version) == (trained.base_model, trained.dataset_version)
    rows = [json.loads(line) for line in (Path(run.output_dir) / "preferences.jsonl").read_text().splitlines()]
    assert len(rows) == pairs and all(set(r) == {"prompt", "chosen", "rejected"} for r in rows)
    outputs = {o.text for o in study.outputs.filter(system=tuned)}
    assert all((r["chosen"][0]["content"] if isinstance(r["chosen"], list) else r["chosen"]) in outputs for r in rows)
    page = reverse("training:run", args=[people.project.slug, run.id])
    text = client.get(page).content.decode()
    assert "A preference run (DPO)" in text and f"{pairs} preference pairs" in text and study.name in text


def test_the_run_trains_in_its_own_process_and_leaves_an_adapter_to_serve(as_user, people, study, trained):
    from training.runs import execute

    vote_for(study, f"run-{trained.id}")
    close(study)
    as_user(people.lead).post(
        url("train-on-votes", people, study.id),
        {
            "name": "r1-dpo",
            "parent": trained.id,
            "beta": 0.1,
            "dpo_loss": "sigmoid",
            "epochs": 1,
            "learning_rate": 5e-5,
        },
    )
    run = TrainingRun.objects.get(name="r1-dpo")
    assert run.claim()
    execute(run)
    run.refresh_from_db()
    assert run.status == TrainingRun.Status.SUCCEEDED, (run.message, run.log_tail[-2000:])
    assert (Path(run.output_dir) / "adapter" / "adapter_config.json").is_file()
    assert run.summary["preference_pairs"] == run.lineage["pairs"] and run.points.exists()
    from evaluation.evaluating import served_folder

    assert served_folder(run)[0] == "adapter"  # evaluated, studied and served like any LoRA run
    from evaluation.evaluating import execute as evaluate
    from evaluation.evaluating import start as start_evaluation

    ev = start_evaluation(run, people.lead)
    assert ev.claim()
    evaluate(ev)
    ev.refresh_from_db()
    tests = run.dataset_version.items.filter(split="test").count()
    studied = len(run.lineage["item_ids"])
    assert ev.status == ev.Status.SUCCEEDED, ev.message
    assert ev.summary["trained_on_left_out"] == studied
    assert ev.generations.filter(item_id__in=run.lineage["item_ids"]).count() == 0
    assert ev.summary["examples"] + ev.summary["skipped"] == tests - studied


def test_training_on_votes_needs_the_training_right(as_user, people, study, trained):
    vote_for(study, f"run-{trained.id}")
    close(study)
    form = {"name": "x", "parent": trained.id, "beta": 0.1, "dpo_loss": "sigmoid", "epochs": 1, "learning_rate": 5e-5}
    for user, status in ((people.reviewer, 403), (people.annotator, 403), (people.outsider, 404)):
        client = as_user(user)
        assert client.get(url("train-on-votes", people, study.id)).status_code == status
        assert client.post(url("train-on-votes", people, study.id), form).status_code == status
    assert not TrainingRun.objects.filter(name="x").exists()


def test_a_bad_setting_is_named_and_nothing_is_launched(as_user, people, study, trained):
    vote_for(study, f"run-{trained.id}")
    close(study)
    page = as_user(people.lead).post(
        url("train-on-votes", people, study.id),
        {"name": "x", "parent": trained.id, "beta": 0, "dpo_loss": "simpo", "epochs": 1, "learning_rate": 5e-5},
    )
    text = page.content.decode()
    assert "Ensure this value is greater than or equal to 0.001" in text and "Select a valid choice" in text
    assert not TrainingRun.objects.filter(name="x").exists()
