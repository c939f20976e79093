"""Evaluation runs: base and tuned outputs for the test split, scored, shown side by side."""

import pytest
from django.urls import reverse

from curation.models import Example
from evaluation.models import EvaluationRun
from studio.celery import app as celery_app

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


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
    assert ev.status == EvaluationRun.Status.SUCCEEDED, ev.error
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
    # the demo's answers are JSON: each field scored, its classes with a confusion matrix, and latency
    fields = {f["field"]: f for f in ev.summary["fields"]["fields"]}
    assert {"category", "priority"} <= set(fields) and fields["category"]["classes"]["tuned"]["per_class"]
    assert "Fields of the JSON answers" in page and "Confusion matrix of category, tuned" in page
    assert ev.summary["latency"]["tuned"]["median_seconds"] > 0 and "Median per answer" in page
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page  # model output is untrusted text
    # a blank answer says so; rates are drawn on 0-100%, so a small F1 is a short bar
    other = ev.generations.exclude(id=generation.id).first()
    other.text = "  \n"
    other.save()
    summary = dict(ev.summary)
    summary["metrics"] = {**summary["metrics"], "token_f1": {**m, "base": 0.02, "tuned": 0.051}}
    EvaluationRun.objects.filter(id=ev.id).update(summary=summary)
    page = as_user(people.reviewer).get(url("evaluation", people, ev.id)).content.decode()
    assert "(empty answer: only whitespace)" in page
    f1_row = page.split("Token F1", 1)[1].split("</tr>", 1)[0]
    assert 'data-bar-width="2" title="base"' in f1_row and 'data-bar-width="5" title="tuned"' in f1_row


def test_evaluation_outsider_and_wrong_role(as_user, people, trained):
    assert as_user(people.outsider).post(url("start-evaluation", people, trained.id)).status_code == 404
    assert as_user(people.annotator).post(url("start-evaluation", people, trained.id)).status_code == 403
    assert as_user(people.reviewer).post(url("start-evaluation", people, trained.id)).status_code == 403
    assert not EvaluationRun.objects.exists()


def test_a_failure_goes_back_to_curation_as_a_linked_draft(
    as_user, people, trained, django_capture_on_commit_callbacks
):
    from evaluation.evaluating import execute, start

    with django_capture_on_commit_callbacks(execute=False):
        ev = start(trained, people.lead)
    assert ev.claim()
    execute(ev)
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
    # a correction task: the draft holds the tuned model's answer, the reference beside it
    tuned = ev.generations.get(item_id=item_id, side="tuned")
    reference = ev.generations.get(item_id=item_id, side="tuned").item.record().answer()
    assert draft.record().answer() == tuned.text
    (comment,) = draft.comments.all()
    assert comment.text.startswith("Correction task") and reference in comment.text
    page = as_user(people.annotator).get(response["Location"]).content.decode()
    assert "Correction task" in page
    as_user(people.annotator).post(target)
    assert Example.objects.count() == before + 1  # one click, one draft


def test_the_regression_set_is_answered_by_both_models(as_user, people, trained, django_capture_on_commit_callbacks):
    from evaluation.evaluating import execute, start
    from evaluation.models import RegressionPrompt

    target = reverse("evaluation:regression", args=[people.project.slug])
    assert as_user(people.reviewer).post(target, {"prompt": "x"}).status_code == 403
    assert as_user(people.outsider).get(target).status_code == 404
    as_user(people.lead).post(target, {"prompt": "What is the capital of France?", "reference": "Paris"})
    as_user(people.lead).post(target, {"prompt": "Write a haiku about rain."})
    assert RegressionPrompt.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=False):
        ev = start(trained, people.lead)
    assert ev.claim()
    execute(ev)
    ev.refresh_from_db()
    reg = ev.summary["regression"]
    assert reg["count"] == 2 and reg["base_f1"] is not None and 0 <= reg["changed"] <= 1
    page = as_user(people.lead).get(url("evaluation", people, ev.id)).content.decode()
    assert "Regression set" in page and "Write a haiku about rain." in page
