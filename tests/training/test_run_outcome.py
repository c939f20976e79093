"""How a finished run reads: an early stop is said with its reason, and a run that finished its
plan reads step N of N, whatever the launch estimate said."""

import pytest
from django.urls import reverse

from tests.conftest import succeeded_run
from training.models import TrainingRun
from training.runs import _finish

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(people, tiny_model_dir):
    from curation.core.demo_tickets import make_examples

    run = succeeded_run(people, tiny_model_dir, make_examples(n=20))
    TrainingRun.objects.filter(id=run.id).update(
        status=TrainingRun.Status.RUNNING, total=210, done=190, config={"early_stopping_patience": 3}
    )
    run.refresh_from_db()
    return run


def page(as_user, people, run):
    return as_user(people.reviewer).get(reverse("training:run", args=[people.project.slug, run.id])).content.decode()


def test_an_early_stop_is_said_on_the_run_page(as_user, people, running):
    _finish(running, 0, {"kind": "done", "summary": {"steps": 200, "max_steps": 210, "stopped_early": True}}, "")
    running.refresh_from_db()
    assert running.status == TrainingRun.Status.SUCCEEDED
    assert (running.done, running.total) == (200, 210)
    text = page(as_user, people, running)
    assert "Stopped early at step 200 of 210" in text and "did not improve for 3 evaluations" in text


def test_a_run_that_finished_its_plan_reads_step_n_of_n(as_user, people, running):
    _finish(running, 0, {"kind": "done", "summary": {"steps": 20, "max_steps": 20, "stopped_early": False}}, "")
    running.refresh_from_db()
    assert (running.done, running.total, running.percent) == (20, 20, 100)
    text = page(as_user, people, running)
    assert "step 20 of 20" in text and "Stopped early" not in text


def test_a_cancel_is_no_early_stop(as_user, people, running):
    TrainingRun.objects.filter(id=running.id).update(cancel_requested=True)
    _finish(running, 0, {"kind": "done", "summary": {"steps": 50, "max_steps": 210, "stopped_early": True}}, "")
    running.refresh_from_db()
    assert running.status == TrainingRun.Status.CANCELLED and "Stopped early" not in running.message
