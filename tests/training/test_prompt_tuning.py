"""Prompt tuning (a soft prompt learned through peft, the model unchanged) is a method like the
others: launched from the form, trained by the engine, evaluated, put in studies and served by the
local model server beside LoRA adapters; it is never offered as a merge, a DPO parent or a TGI /
vLLM line, and each refusal says why."""

import json
from pathlib import Path

import pytest
from django.urls import reverse

from evaluation.models import EvaluationRun
from tests.training.test_run_views import form as launch_form
from training.core.engine import ConfigError, TrainConfig
from training.models import TrainingRun

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def soft_prompt(people, trained, tmp_path):
    """A succeeded prompt-tuning run of the tiny model, on the same version and base model as
    `trained` (a LoRA run), really trained on its train split."""
    from training.core.engine import train

    run = TrainingRun.objects.create(
        project=people.project,
        name="pt1",
        dataset_version=trained.dataset_version,
        base_model=trained.base_model,
        config={"method": "prompt_tuning", "num_virtual_tokens": 20},
        status=TrainingRun.Status.SUCCEEDED,
        output_dir=str(tmp_path / "pt"),
    )
    train(
        TrainConfig(
            base_model=trained.base_model.path,
            method="prompt_tuning",
            epochs=2,
            learning_rate=3e-2,
            batch_size=8,
            max_length=384,
            early_stopping_patience=0,
        ),
        [i.record() for i in run.dataset_version.items.filter(split="train")],
        [],
        run.output_dir,
    )
    return run


def test_the_engine_learns_a_soft_prompt_and_refuses_a_lora_rate(soft_prompt, tiny_model_dir):
    adapter = Path(soft_prompt.output_dir) / "adapter"
    config = json.loads((adapter / "adapter_config.json").read_text())
    assert config["peft_type"] == "PROMPT_TUNING" and config["num_virtual_tokens"] == 20
    summary = json.loads((adapter / "studio_run.json").read_text())
    state = json.loads(sorted(Path(soft_prompt.output_dir).glob("checkpoint-*/trainer_state.json"))[-1].read_text())
    losses = [h["loss"] for h in state["log_history"] if "loss" in h]
    assert sum(losses[-3:]) / 3 < sum(losses[:3]) / 3, losses  # it learns
    assert summary["config"]["method"] == "prompt_tuning"
    with pytest.raises(ConfigError, match="learning_rate: prompt tuning learns a few embeddings"):
        TrainConfig(base_model=str(tiny_model_dir), method="prompt_tuning", learning_rate=2e-4).validate(False)
    with pytest.raises(ConfigError, match="num_virtual_tokens: must be from 1 to 512"):
        TrainConfig(base_model=str(tiny_model_dir), method="prompt_tuning", num_virtual_tokens=0).validate(False)


def test_a_soft_prompt_and_a_lora_adapter_are_served_side_by_side(people, soft_prompt, trained, settings):
    """peft will not hold both kinds in one model: the backend keeps a second copy of the base for
    soft prompts, and each request gets its own adapter's answer."""
    from evaluation.core.backends import Decoding, LocalBackend, Request
    from evaluation.evaluating import adapter_name, backend_for

    settings.LOCAL_MODEL_SERVER_URL = ""
    backend, described = backend_for(people.project, [trained, soft_prompt])
    assert isinstance(backend, LocalBackend) and backend.prompts == {adapter_name(soft_prompt)}
    record = soft_prompt.dataset_version.items.filter(split="train").first().record()
    from studio.core.prompts import load_tokenizer, prompt_for

    asked = prompt_for(record, load_tokenizer(soft_prompt.base_model.path)).text
    answers = backend.generate(
        [Request(prompt=asked, adapter=a) for a in ("", adapter_name(trained), adapter_name(soft_prompt))],
        Decoding(max_new_tokens=12),
    )
    assert all(g.completion_tokens for g in answers)
    # the soft prompt makes a training answer likelier than the base model does
    base_nll, n = backend.reference_nll([(asked, record.answer())])
    tuned_nll, m = backend.reference_nll([(asked, record.answer())], adapter=adapter_name(soft_prompt))
    assert n == m and tuned_nll < base_nll


def test_a_soft_prompt_is_evaluated_on_the_local_model_server_and_listed_truthfully(
    as_user, people, soft_prompt, trained, model_server, settings
):
    from evaluation.evaluating import execute, start

    settings.LOCAL_MODEL_SERVER_URL = model_server[1]
    ev = start(soft_prompt, people.lead)
    assert ev.claim()
    execute(ev)
    ev.refresh_from_db()
    assert ev.status == EvaluationRun.Status.SUCCEEDED, ev.message
    tests = soft_prompt.dataset_version.counts["test"]
    assert ev.generations.filter(side="tuned").count() == tests
    client = as_user(people.lead)
    registry = client.get(reverse("evaluation:registry", args=[people.project.slug])).content.decode()
    assert "A soft prompt (prompt tuning): the studio's local model server serves it" in registry
    serving = client.get(reverse("evaluation:serving-backend", args=[people.project.slug])).content.decode()
    assert f"run-{trained.id}=" in serving and f"run-{soft_prompt.id}=" not in serving  # no TGI line for it
    page = client.get(reverse("training:run", args=[people.project.slug, soft_prompt.id])).content.decode()
    assert "Merge into the base model" not in page and "Nothing to merge into the model" in page
    response = client.post(reverse("training:merge-run", args=[people.project.slug, soft_prompt.id]), follow=True)
    assert "has no weights to fold into the model" in response.content.decode()
    assert not soft_prompt.merges.exists()


def test_a_project_tgi_server_says_it_cannot_load_a_soft_prompt(people, soft_prompt):
    from evaluation.core.backends import BackendError
    from evaluation.evaluating import backend_for
    from evaluation.models import ServingBackend

    ServingBackend.objects.create(project=people.project, kind="tgi", base_url="https://tgi.example/")
    people.project.refresh_from_db()
    with pytest.raises(BackendError, match="a soft prompt \\(prompt tuning\\), which the project's"):
        backend_for(people.project, [soft_prompt], in_process=False)


def test_a_soft_prompt_is_no_parent_for_a_preference_run(people, soft_prompt, trained):
    from training.runs import has_adapter

    assert has_adapter(trained) and not has_adapter(soft_prompt)


def test_the_launch_form_offers_prompt_tuning_and_names_a_rate_that_cannot_work(as_user, people, soft_prompt):
    url = reverse("training:launch-run", args=[people.project.slug])
    client = as_user(people.lead)
    page = client.get(url).content.decode()
    assert 'value="prompt_tuning"' in page and "Soft prompt length (prompt tuning)" in page
    form = launch_form(
        soft_prompt.dataset_version,
        soft_prompt.base_model,
        name="pt-launch",
        method="prompt_tuning",
        num_virtual_tokens=12,
        epochs=1,
        max_length=384,
        early_stopping_patience=0,
        action="launch",
    )
    page = client.post(url, form).content.decode()
    assert "needs a rate near 0.03" in page
    assert not TrainingRun.objects.filter(name="pt-launch").exists()
    response = client.post(url, {**form, "learning_rate": 0.03})
    run = TrainingRun.objects.get(name="pt-launch")
    assert response.status_code == 302
    assert run.config["method"] == "prompt_tuning" and run.config["num_virtual_tokens"] == 12
