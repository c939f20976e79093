"""A lead freezes a second version of the demo and reads on the diff which examples changed
split and why, in Chromium against the live server."""

import re

import pytest
from django.core.management import call_command

from curation.models import DatasetVersion, Example
from studio.celery import app as celery_app
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(tiny_model_dir):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    celery_app.conf.task_always_eager = True  # the freeze runs inside the request, as a worker would
    yield
    celery_app.conf.task_always_eager = False


def one_slip(text):
    """The text with two letters of its longest word swapped: a near-duplicate."""
    word = max(re.findall(r"[A-Za-z]{5,}", text), key=len)
    return text.replace(word, word[0] + word[2] + word[1] + word[3:], 1)


def test_lead_freezes_v2_and_reads_the_split_moves_on_the_diff(page, live_server, demo):
    v1 = DatasetVersion.objects.get()
    items = {item.example_id: item for item in v1.items.all()}
    held_out = next(i for i in items.values() if i.split == "test")
    trained = next(i for i in items.values() if i.split == "train")
    # an annotator rewrites a training ticket into a near-copy of a test ticket
    Example.objects.filter(id=trained.example_id).update(
        instruction=held_out.instruction, input=one_slip(held_out.input), output=held_out.output, version=2
    )
    project = Example.objects.get(id=trained.example_id).project
    added = Example.objects.create(
        project=project,
        author=project.memberships.first().user,
        status=Example.Status.APPROVED,
        instruction=held_out.instruction,
        input="The espresso machine I bought on Monday hisses and leaks water everywhere.",
        output=held_out.output,
    )

    sign_in(page, live_server, "lead", "studio-demo")
    page.goto(live_server.url + "/p/support-triage/versions/")
    page.get_by_role("link", name="Freeze a version").click()
    assert page.get_by_text("Every example keeps the split it had in the latest version").is_visible()
    page.get_by_label("Name").fill("v2")
    page.get_by_label("Freeze although approved examples carry errors, because…").fill("Demo data.")
    page.get_by_label("Freeze although test examples resemble training examples, because…").fill(
        "Templated demo tickets; accepted for the demo."
    )
    page.get_by_role("button", name="Freeze").click()
    page.get_by_text("moved between splits since the previous version").wait_for()
    page.get_by_role("link", name="Open the version").click()

    v2 = DatasetVersion.objects.get(name="v2")
    assert v2.based_on_id == v1.id
    moved = {m["example"]: m for m in v2.split_moves}
    assert moved[trained.example_id]["to"] == "test"
    assert all(m["to"] != "train" for m in v2.split_moves)
    page.get_by_role("link", name=re.compile(r"examples? moved between splits")).click()

    page.get_by_role("heading", name="Moved between splits").wait_for()
    row = page.locator("#split-moves tr", has_text=f"#{trained.example_id}")
    assert row.locator("td").nth(1).inner_text() == "train"
    assert row.locator("td").nth(2).inner_text() == "test"
    assert f"edited #{trained.example_id} made it a near-duplicate of test example" in row.inner_text()
    assert f"#{held_out.example_id}" in row.inner_text()
    assert page.locator("#split-moves tbody tr").count() == len(v2.split_moves)
    assert page.get_by_text(f"#{added.id}").is_visible()  # listed as added, not as a move
