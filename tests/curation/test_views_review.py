"""review_example and review_queue."""

import pytest
from django.utils import timezone

from curation.models import Example, ReviewComment

pytestmark = pytest.mark.django_db


def decide(example, decision, text="", **extra):
    return {"decision": decision, "text": text, "version": example.version, **extra}


@pytest.fixture
def submitted(make_example):
    return make_example(
        instruction="Triage the ticket.",
        input="My parcel is late.",
        output='{"priority": "high"}',
        status=Example.Status.SUBMITTED,
    )


# --- review_example ---------------------------------------------------------------------------


def test_reviewer_approves_a_submitted_example(as_user, people, submitted, curation_url):
    response = as_user(people.reviewer).post(
        curation_url("review-example", submitted.id), decide(submitted, "approve"), follow=True
    )
    assert f"#{submitted.id}: approved." in response.content.decode()
    assert response.redirect_chain[-1][0] == curation_url("example", submitted.id)
    submitted.refresh_from_db()
    assert (submitted.status, submitted.reviewer, submitted.version) == (Example.Status.APPROVED, people.reviewer, 2)
    assert submitted.reviewed_at is not None
    assert list(submitted.comments.values_list("author__username", "decision", "version")) == [("rosa", "approve", 1)]
    assert submitted.revisions.first().action == "approved"


def test_asking_for_changes_needs_a_comment_that_the_author_then_reads(as_user, people, submitted, curation_url):
    client = as_user(people.reviewer)
    response = client.post(curation_url("review-example", submitted.id), decide(submitted, "request_changes", "  "))
    assert response.status_code == 200
    assert "Say what should change (or why it is rejected)" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Example.Status.SUBMITTED
    assert not ReviewComment.objects.exists()

    client.post(
        curation_url("review-example", submitted.id), decide(submitted, "request_changes", "Priority should be urgent.")
    )
    submitted.refresh_from_db()
    assert submitted.status == Example.Status.CHANGES_REQUESTED
    page = as_user(people.annotator).get(curation_url("example", submitted.id)).content.decode()
    assert "Priority should be urgent." in page
    assert "asked for changes version 1" in page


def test_reviewer_rejects_with_a_reason(as_user, people, submitted, curation_url):
    as_user(people.reviewer).post(
        curation_url("review-example", submitted.id), decide(submitted, "reject", "Not a real ticket.")
    )
    submitted.refresh_from_db()
    assert submitted.status == Example.Status.REJECTED
    assert submitted.comments.get().text == "Not a real ticket."


def test_a_review_of_an_older_version_is_refused(as_user, people, submitted, curation_url):
    stale = decide(submitted, "approve")
    as_user(people.annotator).post(
        curation_url("example", submitted.id),
        {
            "instruction": submitted.instruction,
            "input": submitted.input,
            "output": "Changed.",
            "version": submitted.version,
            "then": "submit",
        },
    )
    submitted.refresh_from_db()
    assert (submitted.status, submitted.version) == (Example.Status.SUBMITTED, 3)
    response = as_user(people.reviewer).post(curation_url("review-example", submitted.id), stale, follow=True)
    assert "changed while you were reading it; here is the new version" in response.content.decode()
    submitted.refresh_from_db()
    assert (submitted.status, submitted.version) == (Example.Status.SUBMITTED, 3)
    assert not ReviewComment.objects.exists()


def test_only_submitted_examples_can_be_reviewed(as_user, people, make_example, curation_url):
    draft = make_example(output="Not ready.")
    response = as_user(people.reviewer).post(
        curation_url("review-example", draft.id), decide(draft, "approve"), follow=True
    )
    assert f"#{draft.id} is draft, not waiting for review." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Example.Status.DRAFT


def test_a_review_from_the_queue_returns_to_the_queue(as_user, people, submitted, curation_url):
    response = as_user(people.reviewer).post(
        curation_url("review-example", submitted.id), decide(submitted, "approve", **{"from": "queue"})
    )
    assert response["Location"] == curation_url("review-queue")
    response = as_user(people.reviewer).post(
        curation_url("review-example", submitted.id),
        decide(submitted, "approve", **{"from": "queue"}),
        HTTP_HX_REQUEST="true",
    )
    assert response["HX-Redirect"] == curation_url("review-queue")


def test_a_review_from_the_queue_that_needs_a_comment_stays_in_the_queue(as_user, people, submitted, curation_url):
    response = as_user(people.reviewer).post(
        curation_url("review-example", submitted.id), decide(submitted, "reject", **{"from": "queue"})
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Review queue" in page and "Say what should change (or why it is rejected)" in page
    submitted.refresh_from_db()
    assert submitted.status == Example.Status.SUBMITTED


def test_a_lead_may_review_too(as_user, people, submitted, curation_url):
    as_user(people.lead).post(curation_url("review-example", submitted.id), decide(submitted, "approve"))
    submitted.refresh_from_db()
    assert (submitted.status, submitted.reviewer) == (Example.Status.APPROVED, people.lead)


def test_an_example_in_the_trash_cannot_be_reviewed(as_user, people, submitted, curation_url):
    # A lead trashes the example while a reviewer has it open (the version does not change).
    review = decide(submitted, "approve")
    Example.objects.filter(id=submitted.id).update(deleted_at=timezone.now())
    as_user(people.reviewer).post(curation_url("review-example", submitted.id), review)
    submitted.refresh_from_db()
    assert submitted.status == Example.Status.SUBMITTED
    assert not ReviewComment.objects.exists()


def test_review_example_outsider_and_wrong_role(as_user, people, submitted, make_example, curation_url):
    target = curation_url("review-example", submitted.id)
    assert as_user(people.outsider).post(target, decide(submitted, "approve")).status_code == 404
    assert as_user(people.annotator).post(target, decide(submitted, "approve")).status_code == 403
    assert as_user(people.reviewer).get(target).status_code == 405
    foreign = make_example(project=people.other_project, author=people.outsider, status=Example.Status.SUBMITTED)
    assert (
        as_user(people.reviewer)
        .post(curation_url("review-example", foreign.id), decide(foreign, "approve"))
        .status_code
        == 404
    )
    submitted.refresh_from_db()
    foreign.refresh_from_db()
    assert (submitted.status, foreign.status) == (Example.Status.SUBMITTED, Example.Status.SUBMITTED)
    assert not ReviewComment.objects.exists()


# --- review_queue -----------------------------------------------------------------------------


def test_queue_offers_the_oldest_submitted_example_and_can_skip_it(as_user, people, make_example, curation_url):
    first = make_example(instruction="First in line.", status=Example.Status.SUBMITTED)
    second = make_example(instruction="Second in line.", status=Example.Status.SUBMITTED)
    make_example(instruction="A draft is not offered.")
    make_example(instruction="Nor is a deleted one.", status=Example.Status.SUBMITTED, deleted_at=timezone.now())
    client = as_user(people.reviewer)
    response = client.get(curation_url("review-queue"))
    page = response.content.decode()
    assert response.context["example"] == first
    assert "2 waiting" in page
    assert "First in line." in page and "Second in line." not in page
    assert f'href="?skip={first.id}"' in page
    skipped = client.get(curation_url("review-queue") + f"?skip={first.id}")
    assert skipped.context["example"] == second
    assert "Second in line." in skipped.content.decode()


def test_queue_never_offers_ones_own_examples(as_user, people, make_example, curation_url):
    make_example(instruction="The lead's own example.", author=people.lead, status=Example.Status.SUBMITTED)
    page = as_user(people.lead).get(curation_url("review-queue")).content.decode()
    assert "Nothing waits for your review." in page and "0 waiting" in page
    page = as_user(people.reviewer).get(curation_url("review-queue")).content.decode()
    assert "The lead&#x27;s own example." in page


def test_queue_shows_the_most_similar_approved_examples(as_user, people, make_example, curation_url):
    alike = make_example(
        instruction="Triage the ticket.",
        input="My parcel from Berlin is very late again.",
        output='{"priority": "high"}',
        status=Example.Status.APPROVED,
    )
    make_example(
        instruction="Triage the ticket.",
        input="My parcel from Berlin is very late again.",
        output='{"priority": "low"}',
        status=Example.Status.DRAFT,
        author=people.lead,
    )
    unrelated = make_example(
        instruction="Write a short poem about autumn leaves.", output="Leaves fall.", status=Example.Status.APPROVED
    )
    waiting = make_example(
        instruction="Triage the ticket.",
        input="My parcel from Berlin is very late.",
        output='{"priority": "high"}',
        status=Example.Status.SUBMITTED,
    )
    response = as_user(people.reviewer).get(curation_url("review-queue"))
    assert response.context["example"] == waiting
    assert [other for other, _ in response.context["similar"]] == [alike]
    page = response.content.decode()
    side = page[page.index("Most similar approved examples") :]
    assert f"#{alike.id}</a>" in side and "% alike" in side
    assert f"#{unrelated.id}</a>" not in side
    assert "Write a short poem" not in page


def _queue_with(make_example, waiting_input, approved_inputs):
    approved = [
        make_example(instruction="Triage the ticket.", input=text, output='{"priority": "high"}', status="approved")
        for text in approved_inputs
    ]
    make_example(
        instruction="Triage the ticket.", input=waiting_input, output='{"priority": "high"}', status="submitted"
    )
    return approved


def test_queue_lists_only_examples_alike_by_the_checks_measure(as_user, people, make_example, curation_url):
    """Approved examples that merely share words with the waiting one ("8% alike") are not shown:
    the list uses the checks' own similarity, most alike first, with its percentage."""
    reworded, shares_words = _queue_with(
        make_example,
        "The parcel I ordered from Berlin has still not arrived.",
        ["The parcel I ordered from Berlin still has not arrived!", "I ordered a lamp and it arrived broken."],
    )
    response = as_user(people.reviewer).get(curation_url("review-queue"))
    similar = response.context["similar"]
    assert [other for other, _ in similar] == [reworded]
    assert similar[0][1] >= 0.72
    page = response.content.decode()
    assert f"{round(similar[0][1] * 100)}% alike" in page
    assert f"#{shares_words.id}</a>" not in page


def test_queue_similar_examples_without_the_meaning_layer(as_user, people, make_example, curation_url, monkeypatch):
    """Where the embedding model is missing, the word index and the wording similarity decide."""
    from curation import vectors

    monkeypatch.setattr(vectors, "ready", lambda: False)
    one_word_apart, other = _queue_with(
        make_example,
        "My parcel from Berlin is very late.",
        ["My parcel from Berlin is very late again.", "My invoice from Hamburg is wrong."],
    )
    similar = as_user(people.reviewer).get(curation_url("review-queue")).context["similar"]
    assert [o for o, _ in similar] == [one_word_apart]
    assert 0.86 <= similar[0][1] < 1


def test_queue_says_when_no_approved_example_is_alike(as_user, people, make_example, curation_url):
    make_example(instruction="Triage the ticket.", input="Card declined.", status=Example.Status.SUBMITTED)
    page = as_user(people.reviewer).get(curation_url("review-queue")).content.decode()
    assert "No approved example is like this one yet." in page


def test_review_queue_outsider_and_wrong_role(as_user, people, curation_url):
    assert as_user(people.outsider).get(curation_url("review-queue")).status_code == 404
    assert as_user(people.annotator).get(curation_url("review-queue")).status_code == 403


def test_a_review_of_an_older_version_is_refused_and_the_comment_shown(as_user, people, make_example, curation_url):
    example = make_example(status=Example.Status.SUBMITTED)
    read = example.version
    Example.objects.filter(id=example.id).update(output="changed meanwhile", version=read + 1)
    long_comment = "Looks right to me, " + "and here is why at length. " * 30  # longer than any message shows
    client = as_user(people.reviewer)
    response = client.post(
        curation_url("review-example", example.id),
        {"decision": "approve", "text": long_comment, "version": read},
        follow=True,
    )
    example.refresh_from_db()
    assert example.status == Example.Status.SUBMITTED
    page = response.content.decode()
    assert "changed while you were reading it" in page and "Your comment is still in the review form" in page
    assert f"{long_comment.strip()}</textarea>" in page  # whole, in the form, ready to send again
    assert not example.comments.exists()
    assert long_comment.strip() not in client.get(curation_url("example", example.id)).content.decode()  # once


@pytest.mark.parametrize("where", ["example", "queue"])
def test_approving_an_example_with_errors_warns_first_and_then_approves_knowingly(
    as_user, people, make_example, curation_url, where
):
    from curation.models import FormatRuleSet

    FormatRuleSet.objects.update_or_create(project=people.project, defaults={"rules": {"output_json": True}})
    broken = make_example(input="My parcel is late.", output="{priority: high", status=Example.Status.SUBMITTED)
    client = as_user(people.reviewer)
    first = client.post(curation_url("review-example", broken.id), decide(broken, "approve", **{"from": where}))
    page = first.content.decode()
    assert first.status_code == 200 and "still has 1 error" in page and "output is not valid JSON" in page
    assert "Approve anyway" in page
    broken.refresh_from_db()
    assert broken.status == Example.Status.SUBMITTED  # nothing decided yet
    client.post(
        curation_url("review-example", broken.id), decide(broken, "approve", approve_anyway="1", **{"from": where})
    )
    broken.refresh_from_db()
    assert broken.status == Example.Status.APPROVED


def test_an_example_without_errors_is_approved_at_once(as_user, people, submitted, curation_url):
    response = as_user(people.reviewer).post(curation_url("review-example", submitted.id), decide(submitted, "approve"))
    assert response.status_code == 302


def test_one_rule_for_reviewing_ones_own_example_in_the_queue_and_the_editor(
    as_user, people, make_example, curation_url
):
    own = make_example(input="The lead's own ticket.", author=people.lead, status=Example.Status.SUBMITTED)
    client = as_user(people.lead)
    editor = client.get(curation_url("example", own.id)).content.decode()
    assert "You wrote this example: someone else reviews it" in editor and "Approve <kbd>" not in editor
    assert client.post(curation_url("review-example", own.id), decide(own, "approve")).status_code == 403
    assert "Nothing waits" in client.get(curation_url("review-queue")).content.decode() or str(own.id) not in (
        client.get(curation_url("review-queue")).content.decode()
    )
    own.refresh_from_db()
    assert own.status == Example.Status.SUBMITTED
    # the lead allows self-review in the settings: both places follow
    from django.urls import reverse

    client.post(
        reverse("studio:project-settings", args=[people.project.slug]),
        {"name": people.project.name, "description": "", "self_review": "on"},
    )
    people.project.refresh_from_db()
    assert people.project.self_review
    assert "Approve <kbd>" in client.get(curation_url("example", own.id)).content.decode()
    assert f"#{own.id}" in client.get(curation_url("review-queue")).content.decode()
    client.post(curation_url("review-example", own.id), decide(own, "approve"))
    own.refresh_from_db()
    assert own.status == Example.Status.APPROVED
