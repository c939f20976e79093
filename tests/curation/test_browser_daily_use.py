"""Bugs of a day in the editor and the list (issue 16), as a person meets them in Chromium."""

import re

import pytest

from curation.models import Example, FormatRuleSet
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def write_ticket(page, text="My kettle leaks from the bottom after two days."):
    page.get_by_label("Instruction").fill("Triage this customer support ticket and answer in JSON.")
    page.get_by_label("Input (optional)").fill(text)
    page.get_by_label("Output").fill('{"category": "returns", "priority": "high"}')


def settle(page):
    """Let every request the page started finish (a second submit lands after the first)."""
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    page.wait_for_load_state("networkidle")


def test_ctrl_enter_and_cmd_enter_submit_for_review(page, live_server, people, make_example):
    sign_in(page, live_server, "arjun", "pw-arjun")
    page.goto(live_server.url + f"/p/{people.project.slug}/examples/new/")
    write_ticket(page)
    page.keyboard.press("Control+Enter")
    page.get_by_text("submitted for review").wait_for()
    assert Example.objects.get().status == Example.Status.SUBMITTED

    draft = make_example(input="The courier left my parcel in the rain.")
    page.goto(live_server.url + f"/p/{people.project.slug}/examples/{draft.id}/")
    page.get_by_label("Output").focus()
    page.keyboard.press("Meta+Enter")
    page.get_by_text(f"#{draft.id} submitted for review").wait_for()
    draft.refresh_from_db()
    assert draft.status == Example.Status.SUBMITTED


def test_back_after_filtering_shows_the_whole_list_page(page, live_server, people, make_example):
    approved = make_example(input="An approved ticket about a refund.", status=Example.Status.APPROVED)
    make_example(input="A draft about a late parcel.")
    sign_in(page, live_server, "arjun", "pw-arjun")
    page.goto(live_server.url + f"/p/{people.project.slug}/examples/")
    page.get_by_label("Status").select_option("approved")
    page.wait_for_url(re.compile(r"status=approved"))
    page.get_by_text("A draft about a late parcel.").wait_for(state="detached")
    page.get_by_role("link", name="An approved ticket about a refund.").click()
    page.wait_for_url(re.compile(rf"/examples/{approved.id}/$"))
    page.go_back()
    page.wait_for_url(re.compile(r"status=approved"))
    page.get_by_role("heading", name="Examples").wait_for()
    assert page.get_by_role("navigation", name="Project").is_visible()
    assert page.get_by_label("Status").input_value() == "approved"
    assert page.get_by_role("link", name="An approved ticket about a refund.").is_visible()
    assert page.evaluate("getComputedStyle(document.body).margin") != "8px"  # the stylesheet is there


def test_a_double_click_on_save_makes_one_example(page, live_server, people):
    sign_in(page, live_server, "arjun", "pw-arjun")
    page.goto(live_server.url + f"/p/{people.project.slug}/examples/new/")
    write_ticket(page)
    page.get_by_role("button", name="Save Ctrl S").dblclick()
    page.get_by_text("Saved as a draft").wait_for()
    settle(page)
    assert Example.objects.count() == 1


def test_ctrl_s_pressed_three_times_makes_one_example(page, live_server, people):
    sign_in(page, live_server, "arjun", "pw-arjun")
    page.goto(live_server.url + f"/p/{people.project.slug}/examples/new/")
    write_ticket(page)
    for _ in range(3):
        page.keyboard.press("Control+s")
    page.get_by_text("Saved as a draft").wait_for()
    settle(page)
    example = Example.objects.get()
    assert page.url.endswith(f"/examples/{example.id}/")


def test_the_same_form_sent_twice_at_once_makes_one_example(page, live_server, people):
    """As a page without htmx, or a browser resending, would: the server's token guard alone."""
    sign_in(page, live_server, "arjun", "pw-arjun")
    page.goto(live_server.url + f"/p/{people.project.slug}/examples/new/")
    write_ticket(page)
    statuses = page.evaluate(
        """async () => {
            const form = document.getElementById("example-form");
            const send = () => fetch(form.action, {method: "POST", body: new FormData(form)});
            return (await Promise.all([send(), send()])).map(r => r.status);
        }"""
    )
    assert statuses == [200, 200]  # both followed the redirect to the one example
    assert Example.objects.count() == 1


def test_searching_words_of_a_chat_finds_it(page, live_server, people, make_example):
    chat = make_example(
        messages=[
            {"role": "user", "content": "Chloé's kettle whistles all night."},
            {"role": "assistant", "content": "Descale it with vinegar; if it still whistles, we replace it."},
        ]
    )
    make_example(input="My toaster burns everything.")
    sign_in(page, live_server, "arjun", "pw-arjun")
    page.goto(live_server.url + f"/p/{people.project.slug}/examples/")
    page.get_by_label("Search").press_sequentially("vinegar")  # the list follows the typing
    page.get_by_text("My toaster burns everything.").wait_for(state="detached")
    rows = page.locator("#example-rows tbody tr")
    assert rows.count() == 1 and rows.first.get_by_role("link", name=str(chat.id)).is_visible()


def test_saving_an_empty_chat_keeps_the_chat_editor(page, live_server, people):
    sign_in(page, live_server, "arjun", "pw-arjun")
    page.goto(live_server.url + f"/p/{people.project.slug}/examples/new/?kind=chat")
    page.get_by_role("button", name="Save Ctrl S").click()
    page.get_by_role("alert").get_by_text("Write at least one turn.").wait_for()
    assert page.get_by_role("heading", name="New chat").is_visible()
    assert page.get_by_label("Turn 1", exact=True).is_visible()
    assert page.get_by_label("Instruction").count() == 0
    page.get_by_label("Turn 1", exact=True).fill("Where is my parcel?")
    page.get_by_role("button", name="Save Ctrl S").click()
    page.get_by_text("Saved as a draft").wait_for()
    assert Example.objects.get().messages == [{"role": "user", "content": "Where is my parcel?"}]


def test_a_reviewer_is_warned_before_approving_an_example_with_errors(page, live_server, people, make_example):
    FormatRuleSet.objects.update_or_create(project=people.project, defaults={"rules": {"output_json": True}})
    broken = make_example(input="My kettle leaks.", output='{"category": "returns"', status=Example.Status.SUBMITTED)
    sign_in(page, live_server, "rosa", "pw-rosa")
    page.goto(live_server.url + f"/p/{people.project.slug}/review/")
    page.get_by_role("button", name="Approve").click()
    alert = page.get_by_role("alert").filter(has_text="still has 1 error")
    alert.wait_for()
    assert "output is not valid JSON" in alert.inner_text()
    broken.refresh_from_db()
    assert broken.status == Example.Status.SUBMITTED
    page.get_by_role("button", name="Approve anyway").click()
    page.get_by_text(f"#{broken.id}: approved.").wait_for()
    broken.refresh_from_db()
    assert broken.status == Example.Status.APPROVED


def test_an_annotator_moves_their_own_draft_to_the_trash(page, live_server, people, make_example):
    draft = make_example(input="A ticket written twice by mistake.")
    sign_in(page, live_server, "arjun", "pw-arjun")
    page.goto(live_server.url + f"/p/{people.project.slug}/examples/{draft.id}/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Move to the trash").click()
    page.get_by_text(f"#{draft.id} moved to the trash").wait_for()
    draft.refresh_from_db()
    assert draft.deleted_at is not None


def test_a_reviewers_comment_survives_a_change_made_meanwhile(page, live_server, people, make_example):
    example = make_example(input="My kettle leaks.", status=Example.Status.SUBMITTED)
    sign_in(page, live_server, "rosa", "pw-rosa")
    page.goto(live_server.url + f"/p/{people.project.slug}/examples/{example.id}/")
    comment = "The priority should be urgent: water near a kettle's electrics is a safety issue, as the guide says."
    page.get_by_label("Comment for the author").fill(comment)
    Example.objects.filter(id=example.id).update(input="My kettle leaks badly.", version=example.version + 1)
    page.get_by_role("button", name="Request changes").click()
    page.get_by_text("changed while you were reading it").wait_for()
    assert page.get_by_label("Comment for the author").input_value().strip() == comment


def test_a_lead_redacts_personal_data_left_in_the_history(page, live_server, people, make_example):
    from curation.models import Revision

    example = make_example(input="Write to jane.doe@example.com about the refund.")
    Example.objects.filter(id=example.id).update(input="Write to the customer about the refund.", version=2)
    example.refresh_from_db()
    Revision.record(example, people.annotator, "edited")
    sign_in(page, live_server, "lena", "pw-lena")
    page.goto(live_server.url + f"/p/{people.project.slug}/examples/{example.id}/history/")
    assert "jane" in page.locator("ol.history").inner_text()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Redact personal data from the history").click()
    page.get_by_text("Redacted from the history of").wait_for()
    assert "jane" not in page.locator("ol.history").inner_text()
    assert "Redacted by lena" in page.locator("ol.history").inner_text()


def test_chat_turns_are_added_and_removed_in_the_page_and_saved_once(page, live_server, people):
    sign_in(page, live_server, "arjun", "pw-arjun")
    page.goto(live_server.url + f"/p/{people.project.slug}/examples/new/?kind=chat")
    page.get_by_label("Turn 1", exact=True).fill("My order never arrived.")
    page.get_by_role("button", name="Add a turn").click()
    assert page.get_by_label("Role of turn 2").input_value() == "assistant"
    page.get_by_label("Turn 2", exact=True).fill("A mistaken reply.")
    page.get_by_role("button", name="Add a turn").click()
    page.get_by_label("Turn 3", exact=True).fill("Sorry about that: I have sent a replacement today.")
    page.get_by_label("Role of turn 3").select_option("assistant")
    page.get_by_role("button", name="Remove turn 2").click()  # no save in between
    page.get_by_role("button", name="Save", exact=False).first.click()
    page.get_by_text("Saved as a draft").wait_for()
    example = Example.objects.get()
    assert example.messages == [
        {"role": "user", "content": "My order never arrived."},
        {"role": "assistant", "content": "Sorry about that: I have sent a replacement today."},
    ]
    assert example.revisions.count() == 1  # one save


def test_search_takes_words_in_any_order(page, live_server, people, make_example):
    box = make_example(input="The box arrived damaged and Zoë is upset.")
    make_example(input="My toaster burns everything.")
    make_example(input="The box is fine.")
    sign_in(page, live_server, "arjun", "pw-arjun")
    page.goto(live_server.url + f"/p/{people.project.slug}/examples/")
    rows = page.locator("#example-rows tbody tr")
    page.get_by_label("Search").press_sequentially("damaged zoe box")  # "zoe" finds "Zoë"
    page.get_by_text("My toaster burns everything.").wait_for(state="detached")
    page.get_by_text("The box is fine.").wait_for(state="detached")
    assert rows.count() == 1 and rows.first.get_by_role("link", name=str(box.id)).is_visible()


# --- paths with view tests only until now: the merge, bulk approve, self-review, the lead's next steps


def test_after_a_conflict_saving_again_keeps_the_fields_only_the_other_person_changed(
    browser, page, live_server, people, make_example
):
    example = make_example(instruction="Triage the ticket.", input="My kettle leaks.", output='{"category": "x"}')
    url = live_server.url + f"/p/{people.project.slug}/examples/{example.id}/"
    sign_in(page, live_server, "arjun", "pw-arjun")
    page.goto(url)  # the annotator opens version 1 ...
    lead = browser.new_context().new_page()  # ... while the lead, in their own browser, fixes the instruction
    sign_in(lead, live_server, "lena", "pw-lena")
    lead.goto(url)
    lead.get_by_label("Instruction").fill("Triage this support ticket into JSON.")
    lead.get_by_role("button", name="Save Ctrl S").click()
    lead.get_by_text("Saved (version 2)").wait_for()
    lead.context.close()

    page.get_by_label("Output").fill('{"category": "returns"}')
    page.get_by_role("button", name="Save Ctrl S").click()
    panel = page.get_by_role("alert").filter(has_text="Someone else saved this example")
    panel.wait_for()
    assert "Their change to instruction" in panel.inner_text() and "Your change to output" in panel.inner_text()
    assert page.get_by_label("Instruction").input_value() == "Triage this support ticket into JSON."
    page.get_by_role("button", name="Save Ctrl S").click()
    page.get_by_text("Saved (version 3)").wait_for()
    example.refresh_from_db()
    assert (example.instruction, example.output) == ("Triage this support ticket into JSON.", '{"category": "returns"}')


def test_bulk_approve_states_what_is_not_ready_and_approves_only_the_ready_ones(
    page, live_server, people, make_example
):
    FormatRuleSet.objects.create(project=people.project, rules={"output_json": True})
    ready = make_example(input="A clean ticket about a refund.", status=Example.Status.SUBMITTED)
    draft = make_example(input="A draft nobody submitted.")
    broken = make_example(input="A ticket with a broken answer.", output="{not json", status=Example.Status.SUBMITTED)
    sign_in(page, live_server, "lena", "pw-lena")
    page.goto(live_server.url + f"/p/{people.project.slug}/examples/")
    page.get_by_text("Bulk actions").click()
    page.get_by_label("Action").select_option("approve")
    page.get_by_role("button", name="Review the count…").click()
    page.get_by_role("heading", name="Approve 3 examples?").wait_for()
    warning = page.get_by_role("alert").inner_text()
    assert "1 was never submitted for review" in warning and "1 still has errors" in warning
    page.get_by_role("button", name="Approve the 1 submitted without errors").click()
    page.wait_for_url(re.compile(r"/examples/"))
    statuses = {e.id: e.status for e in Example.objects.all()}
    assert statuses[ready.id] == Example.Status.APPROVED
    assert statuses[draft.id] == Example.Status.DRAFT
    assert statuses[broken.id] == Example.Status.SUBMITTED


def test_a_lead_allows_self_review_and_approves_their_own_example_in_the_editor(
    page, live_server, people, make_example
):
    own = make_example(input="The lead's own ticket.", author=people.lead, status=Example.Status.SUBMITTED)
    sign_in(page, live_server, "lena", "pw-lena")
    page.goto(live_server.url + f"/p/{people.project.slug}/examples/{own.id}/")
    page.get_by_text("You wrote this example: someone else reviews it").wait_for()
    assert page.get_by_role("button", name=re.compile("^Approve")).count() == 0
    page.goto(live_server.url + f"/p/{people.project.slug}/settings/")
    page.get_by_label("Reviewers may approve their own examples").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state("networkidle")
    page.goto(live_server.url + f"/p/{people.project.slug}/examples/{own.id}/")
    page.get_by_role("button", name=re.compile("^Approve")).click()
    page.wait_for_load_state("networkidle")
    own.refresh_from_db()
    assert own.status == Example.Status.APPROVED and own.reviewer == people.lead


def test_the_leads_next_step_leads_to_the_freeze(page, live_server, people, make_example):
    for text in ("My kettle leaks.", "My parcel is late.", "I was charged twice."):
        make_example(input=text, status=Example.Status.APPROVED)
    sign_in(page, live_server, "lena", "pw-lena")
    page.goto(live_server.url + f"/p/{people.project.slug}/")
    step = page.locator(".next-steps li").filter(has_text="in no version yet")
    assert "3 approved examples are in no version yet" in step.inner_text()
    step.get_by_role("link", name="freeze a version").click()
    page.wait_for_url(re.compile(r"/versions/new/|/freeze"))
    assert page.get_by_role("button", name=re.compile("Freeze")).first.is_visible()
