"""Evaluation runs: base and tuned outputs for the test split, scored, shown side by side."""


import pytest
from django.urls import reverse

from curation.core.demo_tickets import make_examples
from curation.core.splits import SplitConfig
from curation.models import Example
from curation.versions import freeze
from evaluation.models import EvaluationRun
from studio.celery import app as celery_app
from training.core.engine import TrainConfig, train
from training.core.model_info import inspect_model_folder
from training.models import BaseModel, TrainingRun

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def trained(people, tiny_model_dir, tmp_path):
    base = BaseModel.objects.create(project=people.project, name="Tiny", path=str(tiny_model_dir))
    base.record_inspection(info=inspect_model_folder(tiny_model_dir))
    Example.objects.bulk_create(Example(project=people.project, author=people.annotator, status=Example.Status.APPROVED, instruction=e.instruction, input=e.input, output=e.output) for e in make_examples(n=60))
    version = freeze(people.project, people.lead, name="v1", note="", config=SplitConfig(ratios=(0.8, 0.0, 0.2)), leakage_override="templated")
    out = tmp_path / "run"
    records = [i.record() for i in version.items.filter(split="train")]
    train(TrainConfig(base_model=str(tiny_model_dir), epochs=2, batch_size=8, learning_rate=3e-3, max_length=384, early_stopping_patience=0), records, [], out)
    return TrainingRun.objects.create(project=people.project, name="r1", dataset_version=version, base_model=base, config={}, status=TrainingRun.Status.SUCCEEDED, output_dir=str(out))


def url(name, people, *args):
    return reverse(f"evaluation:{name}", args=[people.project.slug, *args])


def test_lead_evaluates_a_run_and_reads_tuned_versus_base(as_user, people, trained, django_capture_on_commit_callbacks):
    celery_app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = as_user(people.lead).post(url("start-evaluation", people, trained.id))
    finally:
        celery_app.conf.task_always_eager = False
    ev = EvaluationRun.objects.get()
    assert response["Location"] == url("evaluation", people, ev.id)
    assert ev.status == EvaluationRun.Status.DONE, ev.error
    tests = trained.dataset_version.counts["test"]
    assert ev.generations.count() == 2 * tests
    assert ev.decoding["temperature"] == 0.0 and ev.generations.filter(side="base").first().metrics
    m = ev.summary["metrics"]["token_f1"]
    assert m["low"] <= m["diff"] <= m["high"]
    assert m["tuned"] >= m["base"]
    assert ev.summary["perplexity"]["tuned"] < ev.summary["perplexity"]["base"]
    generation = ev.generations.first()
    generation.text = "<script>alert('x')</script>"
    generation.save()
    page = as_user(people.reviewer).get(url("evaluation", people, ev.id)).content.decode()
    assert "Tuned versus base" in page and "Token F1" in page
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page  # model output is untrusted text


def test_evaluation_outsider_and_wrong_role(as_user, people, trained):
    assert as_user(people.outsider).post(url("start-evaluation", people, trained.id)).status_code == 404
    assert as_user(people.annotator).post(url("start-evaluation", people, trained.id)).status_code == 403
    assert as_user(people.reviewer).post(url("start-evaluation", people, trained.id)).status_code == 403
    assert not EvaluationRun.objects.exists()


def test_a_failure_goes_back_to_curation_as_a_linked_draft(as_user, people, trained, django_capture_on_commit_callbacks):
    from curation.models import Example
    from evaluation.evaluating import execute, start

    with django_capture_on_commit_callbacks(execute=False):
        ev = start(trained, people.lead)
    EvaluationRun.objects.filter(id=ev.id).update(status=EvaluationRun.Status.RUNNING)
    execute(ev.id)
    item_id = ev.generations.first().item_id
    target = url("to-curation", people, ev.id, item_id)
    assert as_user(people.outsider).post(target).status_code == 404
    assert as_user(people.reviewer).post(target).status_code == 403
    before = Example.objects.count()
    response = as_user(people.annotator).post(target)
    draft = Example.objects.latest("id")
    assert Example.objects.count() == before + 1
    assert response["Location"] == reverse("curation:example", args=[people.project.slug, draft.id])
    assert draft.status == Example.Status.DRAFT and draft.source.startswith(f"evaluation {ev.id} of r1")
    as_user(people.annotator).post(target)
    assert Example.objects.count() == before + 1  # one click, one draft
