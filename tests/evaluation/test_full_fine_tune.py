"""A full fine-tune flows downstream like a LoRA run: evaluated, put in a study, tried in the
playground and called through /v1, its whole model folder served beside the base model."""

import pytest
from django.urls import reverse

from evaluation.models import EvaluationRun

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_a_full_fine_tune_is_evaluated_and_served(as_user, people, full_trained, model_server, settings):
    from evaluation.evaluating import execute, served_folder, start

    kind, folder = served_folder(full_trained)
    assert kind == "model" and (folder / "config.json").is_file()
    settings.LOCAL_MODEL_SERVER_URL = model_server[1]  # as under make run
    ev = start(full_trained, people.lead)
    assert ev.claim()
    execute(ev)
    ev.refresh_from_db()
    assert ev.status == EvaluationRun.Status.SUCCEEDED, ev.message
    tests = full_trained.dataset_version.counts["test"]
    assert ev.generations.filter(side="tuned").count() == tests == ev.generations.filter(side="base").count()
    # the tuned model answers from its own weights: not the base model's answers again
    base = dict(ev.generations.filter(side="base").values_list("item_id", "text"))
    tuned = dict(ev.generations.filter(side="tuned").values_list("item_id", "text"))
    assert any(base[i] != tuned[i] for i in base)
    page = as_user(people.lead).post(
        reverse("evaluation:playground", args=[people.project.slug]),
        {"base": "1", "run": [full_trained.id], "message": "My parcel is late.", "max_new_tokens": "8"},
    )
    assert page.status_code == 200 and page.content.decode().count('class="card reply"') == 2


def test_a_full_fine_tune_in_process_without_a_server(people, full_trained, settings):
    from evaluation.core.backends import Decoding, Request
    from evaluation.evaluating import adapter_name, backend_for

    settings.LOCAL_MODEL_SERVER_URL = ""
    backend, described = backend_for(people.project, [full_trained])
    assert described["models"] == {adapter_name(full_trained): str(full_trained.output_dir) + "/model"}
    base, tuned = backend.generate(
        [Request(prompt="Hello", adapter=""), Request(prompt="Hello", adapter=adapter_name(full_trained))],
        Decoding(max_new_tokens=6),
    )
    assert base.completion_tokens and tuned.completion_tokens
    assert backend.gives_nll


def test_a_full_fine_tune_goes_into_a_blind_study(
    as_user, people, full_trained, model_server, settings, django_capture_on_commit_callbacks
):
    from evaluation.models import Study
    from studio.celery import app as celery_app

    settings.LOCAL_MODEL_SERVER_URL = model_server[1]
    celery_app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            as_user(people.lead).post(
                reverse("evaluation:create-study", args=[people.project.slug]),
                {
                    "name": "Full vs base",
                    "runs": [full_trained.id],
                    "raters": [people.reviewer.id],
                    "ratings_per_item": 1,
                    "repeat_share": 0,
                    "max_items": 4,
                },
            )
    finally:
        celery_app.conf.task_always_eager = False
    study = Study.objects.get()
    assert study.status == Study.Status.OPEN, study.preparation.message
    assert study.outputs.filter(system=f"run-{full_trained.id}").count() == study.outputs.filter(system="base").count()


def test_the_run_page_offers_no_merge_for_a_full_fine_tune(as_user, people, full_trained):
    page = (
        as_user(people.lead).get(reverse("training:run", args=[people.project.slug, full_trained.id])).content.decode()
    )
    assert "Merge into the base model" not in page
