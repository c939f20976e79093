"""The API's periodic task through a real Celery worker (Redis, PostgreSQL), sent by name as
beat sends it: completions older than SERVED_LOG_DAYS (90 by default) go, recent ones stay."""

from datetime import timedelta

import pytest

from api.models import ServedCompletion
from curation.core.demo_tickets import make_examples
from studio.jobs import send
from tests.api.test_serving import serve
from tests.conftest import succeeded_run, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_beat_prunes_old_served_completions_on_a_worker(start_worker, people, tiny_model_dir):
    run = succeeded_run(people, tiny_model_dir, make_examples(n=10))
    old = serve(run, people.lead, ago=timedelta(days=91))
    recent = serve(run, people.lead, ago=timedelta(days=89))
    process, log = start_worker()
    send("api.tasks.prune_served_completions", {})
    wait_for(lambda: not ServedCompletion.objects.filter(id=old.id).exists(), 60, "the prune", log)
    assert list(ServedCompletion.objects.values_list("id", flat=True)) == [recent.id]
