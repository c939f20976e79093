"""A lead generates synthetic drafts in Chromium and reaches them for review; a lead launches a
preference run from a closed study's votes."""

import re

import pytest

from curation.models import Example
from evaluation.models import Vote
from evaluation.studying import close
from studio.celery import app as celery_app
from tests.conftest import sign_in
from training.models import TrainingRun

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_lead_generates_answers_to_new_inputs_and_opens_the_drafts_for_review(
    page, live_server, people, trained, model_server, settings
):
    settings.LOCAL_MODEL_SERVER_URL = model_server[1]
    sign_in(page, live_server, "lena", "pw-lena")
    page.goto(f"{live_server.url}/p/{people.project.slug}/examples/")
    page.get_by_text("Bulk actions").click()
    page.get_by_role("link", name="Generate synthetic drafts").click()
    page.get_by_label("Answer these new inputs").check()
    page.get_by_label("Model").fill(f"run-{trained.id}")
    page.get_by_role("textbox", name="Instruction").fill("Triage this customer support ticket and answer in JSON.")
    page.get_by_label("New inputs, one per line").fill("My kettle leaks from the base.\nThe courier lost my parcel.")
    page.get_by_label("Longest reply (tokens)").fill("16")
    celery_app.conf.task_always_eager = True
    try:
        page.get_by_role("button", name="Generate drafts").click()
        page.wait_for_url(re.compile(r"/synthesis/\d+/$"))
    finally:
        celery_app.conf.task_always_eager = False
    page.reload()
    page.get_by_text("2 synthetic drafts made").wait_for()
    page.get_by_role("link", name="Review the 2 drafts").click()
    rows = page.locator("#example-rows tbody tr")
    rows.first.wait_for()
    assert rows.count() == 2
    assert {e.input for e in Example.objects.filter(synthetic__isnull=False)} == {
        "My kettle leaks from the base.",
        "The courier lost my parcel.",
    }


def test_a_lead_launches_a_preference_run_from_a_closed_studys_votes(page, live_server, people, study, trained):
    for a in study.assignments.all():
        Vote.objects.create(assignment=a, choice="left" if a.left != "base" else "right")
    close(study)
    sign_in(page, live_server, "lena", "pw-lena")
    page.goto(f"{live_server.url}/p/{people.project.slug}/studies/{study.id}/")
    page.get_by_role("link", name="Train on the votes").click()
    pairs = study.assignments.filter(repeat_of="").values("item_id").distinct().count()
    assert f"{pairs} pairs" in page.locator("main").inner_text()
    assert page.get_by_label("Continue the run").input_value() == str(trained.id)
    page.get_by_label("Epochs").fill("1")
    page.get_by_role("button", name="Launch the preference run").click()
    page.wait_for_url(re.compile(r"/runs/\d+/$"))
    run = TrainingRun.objects.get(parent=trained)
    assert page.get_by_text("A preference run (DPO)").is_visible() and run.config["method"] == "dpo"
