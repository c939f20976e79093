"""A lead chats with the base model and a tuned run side by side in Chromium, and keeps a reply
as a draft."""

import pytest

from curation.models import Example
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_lead_compares_replies_and_keeps_one_as_a_draft(page, live_server, people, trained, model_server, settings):
    settings.LOCAL_MODEL_SERVER_URL = model_server[1]
    people.lead.set_password("pw")
    people.lead.save()
    sign_in(page, live_server, people.lead.username, "pw")
    page.goto(f"{live_server.url}/p/{people.project.slug}/")
    page.get_by_role("link", name="Playground").click()
    page.get_by_label("Message").fill("The app crashes when I open settings.")
    page.get_by_label("New tokens at most").fill("16")
    page.get_by_role("button", name="Send to every chosen model").click()
    replies = page.locator("section.reply")
    replies.nth(1).wait_for(timeout=60_000)
    assert replies.count() == 2
    assert "(base)" in replies.nth(0).get_by_role("heading").inner_text()
    assert replies.nth(1).get_by_role("heading").inner_text() == trained.name
    page.screenshot(path="var/screenshots/playground.png", full_page=True)
    replies.nth(1).get_by_role("button", name="Make this reply a draft").click()
    page.get_by_text(f"holds the reply of {trained.name}").wait_for()
    draft = Example.objects.latest("id")
    assert draft.instruction == "The app crashes when I open settings." and draft.status == Example.Status.DRAFT


def test_a_refusal_shows_its_reason_in_the_page(page, live_server, people, trained, settings):
    settings.LOCAL_MODEL_SERVER_URL = ""  # no model server: the web process never loads a model itself
    people.lead.set_password("pw")
    people.lead.save()
    sign_in(page, live_server, people.lead.username, "pw")
    page.goto(f"{live_server.url}/p/{people.project.slug}/playground/")
    page.get_by_label("Message").fill("Hello?")
    page.get_by_role("button", name="Send to every chosen model").click()
    alert = page.get_by_role("alert").filter(has_text="no local model server is configured")
    alert.wait_for()
    assert page.get_by_label("Message").input_value() == "Hello?"  # the form stays as typed
