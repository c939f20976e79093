"""A full fine-tune, in Chromium, from the launch form to a blind vote: a lead launches it on the
demo, a real Celery worker trains it and prepares a study with it, a reviewer votes, and the
lead's report names it; on the way the lead downloads it as a GGUF file and quantized to 4 bits. (The view tests cover evaluation, serving and /v1 for full fine-tunes.)"""

import re
import zipfile

import pytest
from django.core.management import call_command

from evaluation.models import Study, Vote
from tests.conftest import sign_in, wait_for
from tests.training.test_browser_training import launch
from training.models import TrainingRun

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


def download(page, button, artifact):
    """Ask for an artifact on the run page, wait for the worker to build its zip, download it."""
    page.get_by_role("button", name=button).click()
    link = page.get_by_role("link", name=re.compile(rf"Download support-triage-run\d+-{artifact}\.zip"))
    link.wait_for(timeout=60_000)
    with page.expect_download() as started:
        link.click()
    return started.value.path()


def test_a_full_fine_tune_goes_from_the_launch_form_to_a_blind_vote(page, live_server, tiny_model_dir, start_worker):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    _, log = start_worker()
    sign_in(page, live_server, "lead", "studio-demo")
    launch(page, live_server, "whole model", "0.0005", method="full")
    page.get_by_text("Succeeded").wait_for(timeout=180_000)
    run = TrainingRun.objects.get(name="whole model")
    assert run.config["method"] == "full"
    # the whole model also leaves as one GGUF file for llama.cpp, which the worker writes
    with zipfile.ZipFile(
        download(page, "GGUF, 8-bit (Q8_0), for llama.cpp, Ollama or LM Studio", "gguf-q8_0")
    ) as zipped:
        assert sorted(zipped.namelist()) == ["studio_run.json", f"support-triage-run{run.id}-q8_0.gguf"]
    # and quantized to 4 bits by bitsandbytes, for transformers
    page.goto(live_server.url + f"/p/support-triage/runs/{run.id}/")
    with zipfile.ZipFile(download(page, "4-bit (bitsandbytes NF4), loads with transformers", "bnb-4bit")) as zipped:
        assert '"load_in_4bit": true' in zipped.read("config.json").decode()
        assert {"model.safetensors", "README.md", "studio_run.json"} <= set(zipped.namelist())
    # what the Models page promises for it is true: it is served as a whole model
    page.goto(live_server.url + "/p/support-triage/models/")
    assert "whole model" in page.locator("main").inner_text()

    page.goto(live_server.url + "/p/support-triage/studies/new/")
    page.get_by_label("Name").fill("Full fine-tune round")
    page.get_by_label("whole model").check()
    page.get_by_label("reviewer").check()
    page.get_by_label("Items (at most)").fill("3")
    page.get_by_role("button", name="Create the study").click()
    opened = Study.objects.filter(name="Full fine-tune round", status=Study.Status.OPEN)
    wait_for(opened.exists, 180, "the study's outputs (base and the full fine-tune)", log)
    study = opened.get()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, "reviewer", "studio-demo")
    page.goto(live_server.url + "/p/support-triage/studies/")
    page.get_by_role("link", name="Start rating").click()
    # blind: the page names neither model
    assert "whole model" not in page.locator("main").inner_text()
    page.get_by_role("button", name="A is better").click()
    wait_for(lambda: Vote.objects.filter(assignment__study=study).count() == 1, 30, "the vote", log)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, "lead", "studio-demo")
    page.goto(live_server.url + f"/p/support-triage/studies/{study.id}/")
    assert page.get_by_role("cell", name="whole model").first.is_visible()
