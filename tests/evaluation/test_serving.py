"""Per-project serving settings, and an evaluation generated through a TGI-speaking server."""

from pathlib import Path

import pytest
from django.urls import reverse

from evaluation.core.backends import LocalBackend
from evaluation.core.local_server import serve
from evaluation.evaluating import execute, start
from evaluation.models import EvaluationRun, ServingBackend

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def tgi_server(trained):
    backend = LocalBackend(trained.base_model.path, {f"run-{trained.id}": str(Path(trained.output_dir) / "adapter")})
    server, url = serve(backend)
    yield url
    server.shutdown()


def test_an_evaluation_runs_through_tgi_when_the_project_says_so(
    people, trained, tgi_server, django_capture_on_commit_callbacks
):
    ServingBackend.objects.create(project=people.project, kind="tgi", base_url=tgi_server)
    with django_capture_on_commit_callbacks(execute=False):
        ev = start(trained, people.lead)
    assert ev.claim()
    execute(ev)
    ev.refresh_from_db()
    assert ev.status == EvaluationRun.Status.SUCCEEDED
    assert ev.backend == {"kind": "tgi", "url": tgi_server}
    assert ev.generations.count() == 2 * trained.dataset_version.counts["test"]
    assert ev.summary["perplexity"] == {"base": None, "tuned": None}  # servers give no reference log-probabilities here
    base_texts = set(ev.generations.filter(side="base").values_list("text", flat=True))
    tuned_texts = set(ev.generations.filter(side="tuned").values_list("text", flat=True))
    assert base_texts != tuned_texts  # adapter_id reached the server


def test_serving_page_saves_tests_and_shows_the_recipe(as_user, people, trained, tgi_server, settings):
    settings.SERVING_ALLOW_PRIVATE = True  # the test server listens on 127.0.0.1
    url = reverse("evaluation:serving-backend", args=[people.project.slug])
    page = (
        as_user(people.lead)
        .post(url, {"kind": "tgi", "base_url": tgi_server, "timeout": 10, "concurrency": 2, "action": "test"})
        .content.decode()
    )
    assert "The server answered" in page
    assert (
        f"--lora-adapters run-{trained.id}={trained.output_dir}/adapter" in page
        and f"--lora-modules run-{trained.id}=" in page
    )
    assert ServingBackend.objects.get(project=people.project).kind == "tgi"
    page = (
        as_user(people.lead)
        .post(url, {"kind": "openai", "base_url": "", "timeout": 10, "concurrency": 2})
        .content.decode()
    )
    assert "A server needs its address." in page


def test_serving_page_outsider_and_wrong_role(as_user, people):
    url = reverse("evaluation:serving-backend", args=[people.project.slug])
    assert as_user(people.outsider).get(url).status_code == 404
    assert as_user(people.reviewer).post(url, {"kind": "local", "timeout": 10, "concurrency": 2}).status_code == 403
    assert not ServingBackend.objects.exists()
