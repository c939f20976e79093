"""The path a person takes, in Debian's Chromium driven by Playwright against the live server."""

import pytest
from django.core.management import call_command

from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(tiny_model_dir, django_user_model):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    django_user_model.objects.create_user("outsider", password="outsider-pass")


def test_annotator_signs_in_and_reaches_the_demo_project(page, live_server, demo):
    sign_in(page, live_server, "annotator", "studio-demo")
    page.get_by_role("link", name="Support ticket triage").click()
    page.wait_for_url("**/p/support-triage/")
    assert page.get_by_role("heading", name="Your role: Annotator").is_visible()
    assert "write and edit examples" in page.locator("#your-role").inner_text()
    from curation.models import Example

    assert page.locator("#examples-summary .big-number").inner_text() == str(
        Example.objects.filter(project__slug="support-triage").count()
    )
    assert page.get_by_role("link", name="Members").count() == 0


def test_outsider_cannot_see_the_demo_project(page, live_server, demo):
    sign_in(page, live_server, "outsider", "outsider-pass")
    assert page.get_by_text("You are not a member of any project yet.").is_visible()
    response = page.goto(live_server.url + "/p/support-triage/")
    assert response.status == 404
    assert "Support ticket triage" not in page.content()


def test_lead_changes_a_role_without_reloading(page, live_server, demo):
    sign_in(page, live_server, "lead", "studio-demo")
    page.goto(live_server.url + "/p/support-triage/members/")
    page.get_by_label("Role of annotator").select_option("reviewer")
    page.locator('tr[data-username="annotator"]').get_by_role("button", name="Save").click()
    assert page.get_by_role("status").inner_text() == "annotator is now a reviewer."
    page.reload()
    assert page.get_by_label("Role of annotator").input_value() == "reviewer"
    # the last lead cannot step down; the panel says why, in place
    page.get_by_label("Role of lead").select_option("annotator")
    page.locator('tr[data-username="lead"]').get_by_role("button", name="Save").click()
    assert page.get_by_role("alert").inner_text().startswith("lead is the only lead")


def test_lead_adds_a_member_and_sees_mistakes_explained(page, live_server, demo):
    sign_in(page, live_server, "lead", "studio-demo")
    page.goto(live_server.url + "/p/support-triage/members/")
    page.get_by_label("Username or e-mail").fill("ghost")
    page.get_by_role("button", name="Add").click()
    assert "No active account is called “ghost”" in page.get_by_role("alert").inner_text()
    page.get_by_label("Username or e-mail").fill("outsider")
    page.get_by_label("Role", exact=True).select_option("reviewer")
    page.get_by_role("button", name="Add").click()
    assert page.get_by_label("Role of outsider").input_value() == "reviewer"
