"""A lead reads the readiness of a recipe dataset (not the demo's) before freezing, in Chromium
against the live server: the verdict, a flagged class, and the examples of that class."""

import json
import os

import pytest

from curation.models import Example
from studio.celery import app as celery_app
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DISHES = {
    "italian": [
        "How do I make a creamy risotto with {x}?",
        "Best sauce for fresh {x} pasta?",
        "Pizza dough with {x} flour",
    ],
    "mexican": ["Recipe for {x} tacos al pastor", "How spicy is a {x} salsa verde?", "Tamales filled with {x}"],
    "thai": ["Green curry with {x} and coconut milk"],
}
FILLINGS = ["chicken", "mushrooms", "spinach", "beans", "pumpkin", "shrimp", "tofu", "beef", "peppers", "corn"]


@pytest.fixture
def recipes(people):
    n = 0
    for cuisine, prompts in DISHES.items():
        count = 4 if cuisine == "thai" else 30
        for i in range(count):
            Example.objects.create(
                project=people.project,
                author=people.annotator,
                status=Example.Status.APPROVED,
                instruction=prompts[i % len(prompts)].format(x=FILLINGS[(i + n) % len(FILLINGS)]),
                output=json.dumps({"cuisine": cuisine, "difficulty": ["easy", "medium"][i % 2]}),
            )
            n += 1
    celery_app.conf.task_always_eager = True  # the report runs inside the request, as a worker would
    yield
    celery_app.conf.task_always_eager = False


def test_lead_reads_readiness_and_opens_the_examples_of_a_flagged_class(page, live_server, people, recipes):
    sign_in(page, live_server, people.lead.username, "pw-" + people.lead.username)
    page.goto(f"{live_server.url}/p/{people.project.slug}/stats/")
    page.get_by_text("Not measured yet.").wait_for()
    page.get_by_role("link", name="Balance, topics, outliers and consistency of the approved examples").click()
    page.get_by_label("Examples at least").fill("50")
    page.get_by_label("Examples preferred").fill("60")
    page.get_by_role("button", name="Measure readiness").click()
    page.get_by_role("link", name="Open the readiness report").click()
    verdict = page.locator("#verdict")
    assert verdict.get_by_role("heading").inner_text() in ("Ready, with warnings", "Not ready")
    assert "cuisine = thai (4)" in verdict.inner_text()
    balance = page.locator("#balance")
    assert balance.locator("svg[aria-label='Examples by cuisine'] rect").count() >= 3
    row = balance.get_by_role("row").filter(has_text="thai")
    assert "under the 10 you set" in row.inner_text()
    os.makedirs("var/screenshots", exist_ok=True)
    page.screenshot(path="var/screenshots/readiness.png", full_page=True)
    row.get_by_role("link", name="Show its examples").click()
    page.get_by_text("Answer has cuisine=thai").wait_for()
    rows = page.locator("#example-rows tbody tr")
    assert rows.count() == 4
    assert all("Green curry" in rows.nth(i).inner_text() for i in range(4))
