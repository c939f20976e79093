"""An annotator writes preference pairs in the editor, in Chromium against the live server: the
rejected answer folds out, the checks see a reversed pair as one types, and a lead trains a
preference run on the pairs of the version they were frozen into."""

import re

import pytest

from curation.models import Example
from tests.conftest import sign_in
from tests.training.test_train_on_pairs import with_pairs
from training.models import TrainingRun

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ASK = "A customer asks whether an opened blender can be returned. Answer them."
GOOD = "Yes: within 30 days if it is undamaged; start the return from your orders page."
BAD = "No. Opened appliances are never taken back."


def write_pair(page, live_server, chosen, rejected):
    page.goto(live_server.url + "/p/ticket-triage/examples/new/")
    page.get_by_label("Instruction").fill(ASK)
    page.get_by_label("Output").fill(chosen)
    page.get_by_text("Preference pair: add a rejected answer").click()
    page.get_by_label("Rejected answer").fill(rejected)


def test_an_annotator_writes_a_pair_and_sees_a_reversed_one_flagged(page, live_server, people):
    sign_in(page, live_server, "arjun", "pw-arjun")
    write_pair(page, live_server, GOOD, BAD)
    page.get_by_role("button", name="Save Ctrl S").click()
    page.get_by_text("Output (the chosen answer)").wait_for()
    first = Example.objects.get(instruction=ASK)
    assert (first.output, first.rejected) == (GOOD, BAD)
    assert page.locator("details.preference-field").get_attribute("open") is not None  # a pair shows it open
    page.screenshot(path="/tmp/preference-pair-editor.png", full_page=True)

    # the same two answers the other way round: the live check names the contradiction before saving
    write_pair(page, live_server, BAD, GOOD)
    findings = page.locator("#findings")
    findings.get_by_text("reversed preference").wait_for()
    assert f"#{first.id}" in findings.inner_text()

    # the same answer twice is refused with the reason, nothing saved
    write_pair(page, live_server, GOOD, GOOD)
    page.get_by_role("button", name="Save Ctrl S").click()
    page.get_by_text("The rejected answer is the same as the output").wait_for()
    assert Example.objects.filter(instruction=ASK).count() == 1


def test_a_lead_trains_a_preference_run_on_the_pairs_of_a_version(page, live_server, people, trained):
    version = with_pairs(people)
    sign_in(page, live_server, "lena", "pw-lena")
    page.goto(f"{live_server.url}/p/{people.project.slug}/versions/{version.id}/")
    pairs = version.items.exclude(rejected="").count()
    page.get_by_text(f"{pairs} preference pairs").wait_for()
    page.get_by_role("link", name="Train on the preference pairs").click()
    train = version.items.filter(split="train").exclude(rejected="").count()
    assert f"{train} pairs from the train split" in page.locator("main").inner_text()
    assert page.get_by_label("Continue the run").input_value() == str(trained.id)
    page.get_by_label("Epochs").fill("1")
    page.get_by_role("button", name="Launch the preference run").click()
    page.wait_for_url(re.compile(r"/runs/\d+/$"))
    run = TrainingRun.objects.get(parent=trained)
    assert run.config["method"] == "dpo" and run.dataset_version == version
    page.get_by_text(f"on the {train} preference pairs in the train split of").wait_for()
