"""A lead launches runs on the demo project in Chromium, watches one finish live, and compares
them; a real Celery worker trains them."""

import re

import pytest
from django.core.management import call_command

from tests.conftest import sign_in, wait_for
from training.models import TrainingRun

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


def launch(page, live_server, name, learning_rate, method="lora"):
    page.goto(live_server.url + "/p/support-triage/runs/new/")
    # the form starts from what the demo model recommends, and says so
    assert "Starting from the settings recommended for" in page.locator("#recommended-note").inner_text()
    assert "Recommended for this model." in page.locator(".field", has=page.get_by_label("Learning rate")).inner_text()
    page.get_by_label("Name").fill(name)
    page.get_by_label("Method").select_option(method)
    page.get_by_label("Learning rate").fill(learning_rate)
    page.get_by_label("Epochs").fill("1")
    page.get_by_label("Max sequence length").fill("384")
    page.get_by_role("button", name="Estimate").click()
    assert "python manage.py launch_run support-triage" in page.locator(".estimate pre").inner_text()
    page.get_by_role("button", name="Launch").click()
    page.get_by_text("queued; a GPU worker will pick it up").wait_for()


def test_lead_launches_runs_watches_one_finish_and_compares(page, live_server, tiny_model_dir, start_worker):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    process, log = start_worker()
    sign_in(page, live_server, "lead", "studio-demo")
    launch(page, live_server, "careful", "0.0002")
    page.get_by_text("Succeeded").wait_for(timeout=120_000)  # the page follows the run by itself
    assert page.locator("svg.line-chart polyline").count() >= 1
    # the adapter's zip is built by the worker; its page follows it and then offers the file
    page.get_by_role("button", name="Adapter (safetensors + adapter config)").click()
    link = page.get_by_role("link", name=re.compile(r"Download support-triage-run\d+-adapter\.zip"))
    link.wait_for(timeout=60_000)
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith("-adapter.zip")
    page.get_by_role("link", name="careful").click()
    launch(page, live_server, "bold", "0.003")
    wait_for(
        lambda: TrainingRun.objects.filter(status=TrainingRun.Status.SUCCEEDED).count() == 2, 120, "the second run", log
    )
    page.goto(live_server.url + "/p/support-triage/runs/")
    for box in page.get_by_role("checkbox").all():
        box.check()
    page.get_by_role("button", name="Compare the ticked runs").click()
    assert page.locator("svg.line-chart polyline").count() >= 2
    differing = page.locator("table").first.inner_text()
    assert "learning_rate" in differing and "0.003" in differing
