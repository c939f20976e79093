"""Bugs annotators and reviewers met in a day of use (issue 16), at the level of the views: a form
sent twice, searching chats, an empty chat, contradictions told from each side, and wording."""

import re
import threading
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from curation.listing import Filters
from curation.models import Example, FormToken, Job, PairFinding
from studio.models import Membership, Role

pytestmark = pytest.mark.django_db

TICKET = {
    "instruction": "Triage the ticket.",
    "input": "My parcel from Lisbon is three days late.",
    "output": '{"category": "shipping", "priority": "high"}',
}


def text_of(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


# --- a new example's form sent twice -----------------------------------------------------------


def test_the_same_new_example_form_sent_three_times_makes_one_example(as_user, people, curation_url):
    client = as_user(people.annotator)
    token = str(uuid.uuid4())
    responses = [
        client.post(curation_url("new-example"), {**TICKET, "token": token}, HTTP_HX_REQUEST="true") for _ in range(3)
    ]
    example = Example.objects.get(project=people.project)
    assert [r["HX-Redirect"] for r in responses] == [curation_url("example", example.id)] * 3
    assert example.revisions.count() == 1
    assert FormToken.objects.get().example == example


def test_a_form_sent_twice_with_then_submit_submits_once(as_user, people, curation_url):
    client = as_user(people.annotator)
    token = str(uuid.uuid4())
    for _ in range(2):
        client.post(curation_url("new-example"), {**TICKET, "token": token, "then": "submit"})
    example = Example.objects.get(project=people.project)
    assert example.status == Example.Status.SUBMITTED
    assert list(example.revisions.values_list("action", flat=True)) == ["submitted", "created"]


def test_two_forms_make_two_examples_even_with_the_same_text(as_user, people, curation_url):
    client = as_user(people.annotator)
    for _ in range(2):
        client.post(curation_url("new-example"), {**TICKET, "token": str(uuid.uuid4())})
    client.post(curation_url("new-example"), TICKET)  # a form without a token (an old page) still saves
    assert Example.objects.filter(project=people.project).count() == 3


def test_a_token_taken_by_someone_else_neither_leaks_their_example_nor_fails(
    as_user, people, curation_url, second_annotator
):
    token = str(uuid.uuid4())
    as_user(people.annotator).post(curation_url("new-example"), {**TICKET, "token": token})
    theirs = Example.objects.get()
    response = as_user(second_annotator).post(
        curation_url("new-example"), {**TICKET, "input": "Mine, not theirs.", "token": token}
    )
    mine = Example.objects.exclude(id=theirs.id).get()
    assert mine.author == second_annotator and mine.input == "Mine, not theirs."
    assert response["Location"] == curation_url("example", mine.id)


def test_every_new_example_form_carries_a_fresh_token(as_user, people, curation_url):
    client = as_user(people.annotator)
    pages = [client.get(curation_url("new-example") + query).content.decode() for query in ("", "", "?kind=chat")]
    tokens = [re.search(r'name="token" value="([0-9a-f-]{36})"', page)[1] for page in pages]
    assert len(set(tokens)) == 3


def test_an_outsider_and_a_reviewer_cannot_create_with_a_token(as_user, people, curation_url):
    token = str(uuid.uuid4())
    assert as_user(people.outsider).post(curation_url("new-example"), {**TICKET, "token": token}).status_code == 404
    assert as_user(people.reviewer).post(curation_url("new-example"), {**TICKET, "token": token}).status_code == 403
    assert not Example.objects.exists() and not FormToken.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_requests_with_one_token_at_the_same_moment_make_one_example(people, curation_url):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    token = str(uuid.uuid4())
    start = threading.Barrier(2)
    answers = []

    def send():
        client = Client()
        client.force_login(people.annotator)
        start.wait()
        try:
            answers.append(client.post(curation_url("new-example"), {**TICKET, "token": token}, HTTP_HX_REQUEST="true"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    example = Example.objects.get(project=people.project)
    assert [a["HX-Redirect"] for a in answers] == [curation_url("example", example.id)] * 2


# --- an empty chat -------------------------------------------------------------------------------


def test_an_empty_chat_stays_a_chat_with_the_reason(as_user, people, curation_url):
    response = as_user(people.annotator).post(
        curation_url("new-example"), {"kind": "chat", "role_0": "user", "content_0": "  "}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert "Write at least one turn." in page
    assert 'name="kind" value="chat"' in page and 'name="content_0"' in page
    assert 'name="instruction"' not in page and "New chat" in page
    assert not Example.objects.exists()


# --- searching chats -----------------------------------------------------------------------------


@pytest.fixture
def chats(make_example):
    return {
        "lisbon": make_example(
            messages=[
                {"role": "user", "content": "Mi paquete de Lisboa llega tarde."},
                {"role": "assistant", "content": 'We "escalated" it to the courier.\nTracking: LX-889.'},
            ]
        ),
        "kettle": make_example(
            messages=[
                {"role": "system", "content": "You are a support agent."},
                {"role": "user", "content": "Chloé's kettle leaks."},
                {"role": "assistant", "content": "Sorry to hear that; a replacement ships today."},
            ]
        ),
        "pair": make_example(input="The courier left the box in the rain.", output='{"category": "shipping"}'),
        "street": make_example(instruction="Deliver to Müllerstraße 5.", input="Ask for Zoe at the café."),
    }


@pytest.mark.parametrize(
    "words, found",
    [
        ("lisboa", {"lisbon"}),  # a user turn, any case
        ("REPLACEMENT SHIPS", {"kettle"}),  # an assistant turn
        ("support agent", {"kettle"}),  # a system turn
        ("chloé's", {"kettle"}),
        ('"escalated"', {"lisbon"}),  # quotes inside a turn (stored escaped in JSON)
        ("courier", {"lisbon", "pair"}),  # chats and pairs together
        ("assistant", set()),  # a role is not text: no chat matches by its roles
        ("content", set()),  # nor by the keys of its turns
        ('"tarde. We"', set()),  # nor a quoted phrase across two turns
        ("tarde. We", {"lisbon"}),  # while separate words may sit in different turns
        ("box rain", {"pair"}),  # words in any order
        ("rain box courier", {"pair"}),
        ('"box in the rain"', {"pair"}),
        ('"rain box"', set()),  # a quoted phrase keeps its order
        ("courier kettle", set()),  # every word must be found
        ("chloé leaks", {"kettle"}),
        ("lx-889", {"lisbon"}),  # signs in a word are taken as they are
        ("100%", set()),
        # accents and case folded on both sides, in pairs and in chats alike
        ("chloe leaks", {"kettle"}),
        ("CHLOÉ", {"kettle"}),
        ("zoë", {"street"}),
        ("cafe", {"street"}),
        ("MULLERSTRASSE", {"street"}),
        ("lísbóa", {"lisbon"}),
        ("mueller", set()),  # folding drops accents; it does not transliterate
        ("cafes", set()),
    ],
)
def test_text_search_finds_words_in_chat_turns(chats, people, words, found):
    ids = set(Filters(q=words).apply(people.project).values_list("id", flat=True))
    assert ids == {chats[name].id for name in found}


def test_the_list_shows_chats_found_by_their_words(chats, as_user, people, curation_url):
    page = as_user(people.annotator).get(curation_url("example-list") + "?q=leaks").content.decode()
    assert f"examples/{chats['kettle'].id}/" in page and f"examples/{chats['lisbon'].id}/" not in page


def test_a_bulk_action_by_text_reaches_chats(chats, as_user, people, curation_url):
    client = as_user(people.lead)
    confirm = client.get(curation_url("bulk-action"), {"action": "approve", "q": "courier"})
    assert confirm.context["count"] == 2
    client.post(curation_url("bulk-action"), {"action": "approve", "q": "courier", "confirm": "yes"})
    approved = set(Example.objects.filter(status=Example.Status.APPROVED).values_list("id", flat=True))
    assert approved == {chats["lisbon"].id, chats["pair"].id}


# --- Back after filtering --------------------------------------------------------------------------


def test_the_rows_fragment_is_kept_apart_from_the_page_in_caches(make_example, as_user, people, curation_url):
    make_example()
    client = as_user(people.annotator)
    url = curation_url("example-list") + "?status=draft&fragment=rows"
    fragment = client.get(url, HTTP_HX_REQUEST="true")
    assert fragment.content.decode().lstrip().startswith('<div id="example-rows"')
    assert "HX-Request" in fragment["Vary"] and "no-store" in fragment["Cache-Control"]
    page = client.get(url)  # the same URL without htmx (Back, a reload): the whole page
    assert "<html" in page.content.decode() and "HX-Request" in page["Vary"]
    restored = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in restored.content.decode()  # htmx restoring its history wants the page too


# --- contradictions told from each side --------------------------------------------------------------


@pytest.fixture
def contradiction(make_example):
    """#low answers "returns", #high (saved later, so its check found the pair) "billing"."""
    prompt = "I was charged twice for the blender I sent back last week."
    low = make_example(input=prompt, output='{"category": "returns", "priority": "low"}')
    high = make_example(input=prompt, output='{"category": "billing", "priority": "low"}')
    assert PairFinding.objects.get(low=low, high=high).kind == "contradiction"
    return low, high


def test_each_side_of_a_contradiction_names_its_own_answer_first(contradiction, as_user, people, curation_url):
    low, high = contradiction
    client = as_user(people.annotator)
    on_low = text_of(client.get(curation_url("example", low.id)))
    on_high = text_of(client.get(curation_url("example", high.id)))
    assert re.search(r"“returns” vs “billing”", on_low) and "“billing” vs “returns”" not in on_low
    assert re.search(r"“billing” vs “returns”", on_high) and "“returns” vs “billing”" not in on_high


def test_the_review_queue_names_the_reviewed_examples_answer_first(contradiction, people, as_user, curation_url):
    low, high = contradiction
    low.status = high.status = Example.Status.SUBMITTED
    low.save()
    high.save()
    page = text_of(as_user(people.reviewer).get(curation_url("review-queue")))  # the oldest first: #low
    assert "“returns” vs “billing”" in page


def test_the_report_names_the_first_numbered_examples_answer_first(contradiction, as_user, people, curation_url):
    low, high = contradiction
    page = text_of(as_user(people.lead).get(curation_url("check-report") + "?kind=contradiction"))
    assert re.search(rf"#{low.id} and #{high.id}: JSON \S+ “returns” vs “billing”", page)


# --- wording -----------------------------------------------------------------------------------------


def test_a_saved_approved_example_warns_without_a_wrong_article(make_example, as_user, people, curation_url):
    example = make_example(status=Example.Status.APPROVED)
    page = text_of(as_user(people.annotator).get(curation_url("example", example.id)))
    assert "This example is approved. Saving a change makes it a draft again: it leaves the next version" in page
    assert "a approved" not in page
    submitted = make_example(status=Example.Status.SUBMITTED)
    page = text_of(as_user(people.annotator).get(curation_url("example", submitted.id)))
    assert "This example is submitted; saving changes makes it a draft again" in page


def test_a_role_change_says_an_annotator(as_user, people):
    from django.urls import reverse

    membership = Membership.objects.get(project=people.project, user=people.reviewer)
    response = as_user(people.lead).post(
        reverse("studio:change-member-role", args=[people.project.slug, membership.id]), {"role": Role.ANNOTATOR}
    )
    page = text_of(response) if response.status_code == 200 else text_of(as_user(people.lead).get(response["Location"]))
    assert "rosa is now an annotator." in page


def test_an_annotators_refused_delete_says_what_was_refused(make_example, as_user, people, curation_url):
    example = make_example(status=Example.Status.SUBMITTED)  # their own, but submitted: the team's now
    response = as_user(people.annotator).post(curation_url("delete-example", example.id))
    assert response.status_code == 403
    assert "You may move only your own drafts to the trash; ask a lead for others." in text_of(response)
    assert as_user(people.reviewer).post(curation_url("delete-example", example.id)).status_code == 403
    assert "A reviewer may not move examples to the trash in this project." in text_of(
        as_user(people.reviewer).post(curation_url("delete-example", example.id))
    )
    assert "project settings" not in text_of(response)
    assert as_user(people.outsider).post(curation_url("delete-example", example.id)).status_code == 404


def test_an_import_of_blank_lines_says_the_file_is_empty_once(
    as_user, people, curation_url, media, eager_tasks, django_capture_on_commit_callbacks
):
    client = as_user(people.annotator)
    upload = SimpleUploadedFile("tickets.jsonl", b"\n\n   \n\n", content_type="application/jsonl")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(curation_url("import"), {"file": upload, "status": "draft"})
    page = text_of(client.get(curation_url("job", Job.objects.get().id)))
    assert page.count("the file is empty") == 1
    assert Job.objects.get().status == Job.Status.FAILED and not Example.objects.exists()


@pytest.mark.parametrize(
    "kind, tab",
    [
        (Job.Kind.IMPORT, "Import"),
        (Job.Kind.SCAN, "Checks"),
        (Job.Kind.FREEZE, "Versions"),
        (Job.Kind.EXPORT, "Versions"),
    ],
)
def test_a_job_page_is_under_the_tab_it_was_started_from(as_user, people, curation_url, kind, tab):
    job = Job.objects.create(project=people.project, kind=kind, user=people.lead)
    page = as_user(people.lead).get(curation_url("job", job.id)).content.decode()
    current = re.findall(r'<a href="[^"]*" aria-current="page">([^<]+)</a>', page)
    assert current == [tab]


def test_an_edit_sent_twice_is_saved_once_without_a_conflict(make_example, as_user, people, curation_url):
    example = make_example(**TICKET)
    client = as_user(people.annotator)
    edit = {**TICKET, "output": '{"category": "shipping", "priority": "low"}', "version": example.version}
    first, second = (client.post(curation_url("example", example.id), edit) for _ in range(2))
    assert "Saved (version 2)" in text_of(first)
    assert "Saved (version 2)" in text_of(second) and "Someone else saved" not in text_of(second)
    assert list(example.revisions.values_list("version", flat=True)) == [2, 1]
    other = {**edit, "output": '{"category": "billing", "priority": "low"}'}  # a stale page with other text
    assert "Someone else saved" in text_of(client.post(curation_url("example", example.id), other))
