"""A real Celery worker, started as its own process against Redis and PostgreSQL, runs a real
task end to end: a lead registers a model folder in the browser-facing view, the task goes
through Redis, the worker inspects the folder and writes the result that the page then shows."""

import pytest
from django.urls import reverse

from tests.conftest import wait_for
from training.models import BaseModel

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(start_worker):
    return start_worker()


def test_a_real_worker_inspects_a_registered_model(worker, client, people, tiny_model_dir, settings):
    process, log = worker
    settings.MODEL_ROOTS = [tiny_model_dir.parent]
    broken = tiny_model_dir.parent / "broken-for-worker-test"
    broken.mkdir(exist_ok=True)
    client.force_login(people.lead)
    url = reverse("training:base-models", args=[people.project.slug])
    assert client.post(url, {"name": "Tiny", "path": str(tiny_model_dir)}).status_code == 302
    assert client.post(url, {"name": "Broken", "path": str(broken)}).status_code == 302

    def checked():
        assert process.poll() is None, "the worker exited"
        return not BaseModel.objects.filter(status=BaseModel.Status.CHECKING).exists()

    wait_for(checked, 90, "the worker to inspect both folders", log)
    good = BaseModel.objects.get(name="Tiny")
    bad = BaseModel.objects.get(name="Broken")
    assert good.status == BaseModel.Status.READY, good.error
    assert good.info["architecture"] == "LlamaForCausalLM"
    assert good.info["num_parameters"] > 100_000
    assert bad.status == BaseModel.Status.FAILED
    assert f"{broken}: no config.json" in bad.error
    log.seek(0)
    assert "training.tasks.inspect_base_model" in log.read()
    page = client.get(url).content.decode()
    assert "LlamaForCausalLM" in page and "no config.json" in page
