"""A lead picks prompt tuning on the launch form in Chromium: a LoRA-sized learning rate is named
as the field at fault, with the rate that works; the run then launches with its soft prompt's
length."""

import re

import pytest

from curation.core.demo_tickets import make_examples
from tests.conftest import frozen_version, sign_in
from training.models import TrainingRun

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_lead_launches_prompt_tuning_and_is_told_the_rate_it_needs(page, live_server, people, tiny_model_dir):
    base, version = frozen_version(people, tiny_model_dir, make_examples(n=40))
    people.project.base_model = base
    people.project.save(update_fields=["base_model"])
    sign_in(page, live_server, "lena", "pw-lena")
    page.goto(f"{live_server.url}/p/{people.project.slug}/runs/new/")
    page.get_by_label("Name").fill("soft-prompt")
    page.get_by_label("Method").select_option("prompt_tuning")
    page.get_by_label("Soft prompt length (prompt tuning)").fill("16")
    page.get_by_label("Learning rate").fill("0.0002")
    page.get_by_label("Epochs").fill("1")
    page.get_by_role("button", name="Launch").click()
    error = page.locator(".field", has=page.get_by_label("Learning rate")).get_by_role("alert")
    error.wait_for()
    assert "needs a rate near 0.03" in error.inner_text()
    assert not TrainingRun.objects.exists()
    page.get_by_label("Learning rate").fill("0.03")
    page.get_by_role("button", name="Launch").click()
    page.wait_for_url(re.compile(r"/runs/\d+/$"))
    run = TrainingRun.objects.get()
    assert (run.name, run.config["method"], run.config["num_virtual_tokens"]) == ("soft-prompt", "prompt_tuning", 16)
    assert run.dataset_version == version
