"""The paths annotators and reviewers take, in Chromium against the live server."""

import json

import pytest
from django.core.management import call_command

from curation.models import Example, Job
from studio.celery import app as celery_app
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(tiny_model_dir):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    celery_app.conf.task_always_eager = True  # imports run inside the request, as a worker would
    yield
    celery_app.conf.task_always_eager = False


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_annotator_fixes_a_schema_error_then_a_reviewer_approves(page, live_server, demo):
    sign_in(page, live_server, "annotator", "studio-demo")
    page.goto(live_server.url + "/p/support-triage/examples/new/")
    page.get_by_label("Instruction").fill("Triage this customer support ticket and answer in JSON.")
    page.get_by_label("Input (optional)").fill("My new kettle leaks from the bottom after two days.")
    page.get_by_label("Output").fill(
        '{"category": "broken", "priority": "high", "reply": "Sorry about the kettle, we will replace it."}'
    )
    page.get_by_role("button", name="Save Ctrl S").click()
    checks = page.locator("#findings")
    checks.get_by_text("output breaks the JSON Schema at $.category").wait_for()
    assert "'broken' is not one of" in checks.inner_text()

    page.get_by_label("Output").fill(
        '{"category": "returns", "priority": "high", "reply": "Sorry about the kettle, we will replace it."}'
    )
    page.keyboard.press("Control+s")  # the shortcut saves too
    page.get_by_text("✓ No problems found.").wait_for()
    page.get_by_role("button", name="Save and submit for review").click()
    page.get_by_text("submitted for review").wait_for()
    example = Example.objects.get(input__startswith="My new kettle")
    assert example.status == Example.Status.SUBMITTED
    assert example.revisions.count() == 3  # created, edited, submitted

    sign_out(page)
    sign_in(page, live_server, "reviewer", "studio-demo")
    page.goto(live_server.url + f"/p/support-triage/examples/{example.id}/")
    page.get_by_label("Comment for the author").fill("Clear and correct.")
    page.get_by_role("button", name="Approve").click()
    page.get_by_text(f"#{example.id}: approved.").wait_for()
    example.refresh_from_db()
    assert example.status == Example.Status.APPROVED
    assert example.reviewer.username == "reviewer"
    assert example.comments.get().text == "Clear and correct."


def test_import_with_a_bad_line_shows_the_line_and_imports_nothing(page, live_server, demo, tmp_path):
    before = Example.objects.count()
    bad = tmp_path / "tickets.jsonl"
    bad.write_text(
        json.dumps(
            {
                "instruction": "Triage the ticket.",
                "input": "Lost parcel",
                "output": '{"category": "shipping", "priority": "high", "reply": "We are looking into it now."}',
            }
        )
        + "\n"
        + '{"instruction": "Triage the ticket.", "output": }\n'
        + json.dumps({"prompt": "Triage: refund please", "completion": "ok"})
        + "\n",
        encoding="utf-8",
    )
    sign_in(page, live_server, "annotator", "studio-demo")
    page.goto(live_server.url + "/p/support-triage/import/")
    page.get_by_label("File").set_input_files(str(bad))
    page.get_by_role("button", name="Import").click()
    page.get_by_text("Nothing was imported").wait_for()
    assert "line 2: not valid JSON" in page.locator(".line-errors").inner_text()
    assert Example.objects.count() == before
    assert Job.objects.get().status == Job.Status.FAILED


def test_reviewer_works_through_the_queue_with_similar_examples(page, live_server, demo):
    sign_in(page, live_server, "reviewer", "studio-demo")
    page.goto(live_server.url + "/p/support-triage/review/")
    first = page.locator("h2 a").first.inner_text()
    assert page.get_by_role("heading", name="Most similar approved examples").is_visible()
    assert page.locator("details.similar").count() >= 1
    page.get_by_role("button", name="Request changes").click()
    assert "Say what should change" in page.get_by_role("alert").first.inner_text()
    page.get_by_label("Comment for the author").fill("The priority looks too low for an outage.")
    page.get_by_role("button", name="Request changes").click()
    page.get_by_role("status").get_by_text("asked for changes").wait_for()
    assert page.locator("h2 a").first.inner_text() != first
    assert Example.objects.get(id=int(first.lstrip("#"))).status == Example.Status.CHANGES_REQUESTED


def test_lead_freezes_a_version_and_opens_its_preflight(page, live_server, demo):
    from curation.models import DatasetVersion

    sign_in(page, live_server, "lead", "studio-demo")
    page.goto(live_server.url + "/p/support-triage/versions/")
    page.get_by_role("link", name="Freeze a version").click()
    page.get_by_label("Name").fill("v1")
    page.get_by_label("Stratify by").select_option("category")
    page.get_by_role("button", name="Freeze").click()
    # the demo's tickets are templated, so some test tickets closely resemble training ones
    page.get_by_text("Not frozen:").wait_for()
    assert page.get_by_role("heading", name="Test examples that resemble training examples").is_visible()
    page.get_by_role("link", name="Back to the freeze form").click()
    assert page.get_by_label("Name").input_value() == "v1"
    page.get_by_label("Stratify by").select_option("category")
    page.get_by_label("Freeze although test examples resemble training examples, because…").fill(
        "Templated demo tickets; accepted for the demo."
    )
    page.get_by_role("button", name="Freeze").click()
    page.get_by_role("link", name="Open the version").click()
    version = DatasetVersion.objects.get(name="v1")
    assert version.leakage_override.startswith("Templated demo tickets")
    assert page.get_by_text(version.content_hash).is_visible()
    page.get_by_role("link", name="Pre-flight").click()
    page.get_by_label("Max length (tokens)").fill("160")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("button", name="Run the pre-flight").click()
    page.get_by_text("examples rendered with the chat template").wait_for()
    page.goto(live_server.url + f"/p/support-triage/versions/{version.id}/preflight/?max_length=160")
    assert page.get_by_role("heading", name="Length histogram").is_visible()
    assert page.locator("svg.histogram rect").count() > 3
    page.locator(".inline-list a").first.click()
    assert page.locator(".tokens .tok.loss").count() > 5
    assert page.locator(".tokens .tok.prompt").count() > 5
