"""bulk_action, format_rules, check_report, start_scan, silence_pair, keep_one, job_detail."""

import re

import pytest

from curation import checking
from curation.models import Example, Finding, FormatRuleSet, Job, PairFinding, Revision, SilencedPair

pytestmark = pytest.mark.django_db

PROMPT = {"instruction": "Triage the ticket.", "input": "My parcel is late."}


@pytest.fixture
def contradiction(make_example):
    """Two examples with the same prompt and conflicting answers, and a third agreeing with the
    second: one cluster with two contradiction pairs and one duplicate pair."""
    high = make_example(**PROMPT, output='{"priority": "high"}')
    low = make_example(**PROMPT, output='{"priority": "low"}')
    again = make_example(**PROMPT, output='{"priority": "low"}')
    return high, low, again


# --- bulk_action ------------------------------------------------------------------------------


def test_bulk_action_first_shows_the_count_and_changes_nothing(as_user, people, make_example, curation_url):
    make_example(instruction="One.", status=Example.Status.SUBMITTED)
    make_example(instruction="Two.", status=Example.Status.SUBMITTED)
    make_example(instruction="A draft.")
    response = as_user(people.lead).get(curation_url("bulk-action") + "?action=approve&status=submitted")
    page = response.content.decode()
    assert "Approve 2 examples?" in page
    assert "status: submitted" in page
    assert '<input type="hidden" name="confirm" value="yes">' in page
    assert not Example.objects.filter(status=Example.Status.APPROVED).exists()
    # A POST without the confirmation asks again.
    response = as_user(people.lead).post(curation_url("bulk-action"), {"action": "approve", "status": "submitted"})
    assert "Approve 2 examples?" in response.content.decode()
    assert not Example.objects.filter(status=Example.Status.APPROVED).exists()


def test_bulk_approve_changes_only_the_matching_examples(as_user, people, make_example, curation_url):
    one = make_example(instruction="One.", status=Example.Status.SUBMITTED)
    two = make_example(instruction="Two.", status=Example.Status.SUBMITTED)
    draft = make_example(instruction="A draft.")
    response = as_user(people.lead).post(
        curation_url("bulk-action"), {"action": "approve", "status": "submitted", "confirm": "yes"}, follow=True
    )
    assert "Approved 2 examples." in response.content.decode()
    for example in (one, two):
        example.refresh_from_db()
        assert (example.status, example.reviewer, example.version) == (Example.Status.APPROVED, people.lead, 2)
        assert example.revisions.first().action == "bulk approve"
        assert example.revisions.first().status == Example.Status.APPROVED
    draft.refresh_from_db()
    assert (draft.status, draft.version) == (Example.Status.DRAFT, 1)


def test_bulk_approve_states_the_drafts_and_errors_and_offers_only_the_ready_ones(
    as_user, people, make_example, curation_url, contradiction
):
    ready = make_example(instruction="Ready.", input="A clean ticket.", status=Example.Status.SUBMITTED)
    draft = make_example(instruction="Never submitted.", input="Another ticket.")
    high, low, again = contradiction  # drafts, and two of them in a contradiction
    page = as_user(people.lead).get(curation_url("bulk-action") + "?action=approve").content.decode()
    assert "Approve 5 examples?" in page
    assert "4 were never submitted for review" in page and "3 still have errors" in page
    assert "Only 1 is submitted and without errors." in page
    assert "Approve the 1 submitted without errors" in page and "Approve all 5" in page
    as_user(people.lead).post(curation_url("bulk-action"), {"action": "approve", "confirm": "yes", "only_ready": "1"})
    statuses = {e.id: e.status for e in Example.objects.all()}
    assert statuses[ready.id] == Example.Status.APPROVED
    assert statuses[draft.id] == statuses[high.id] == Example.Status.DRAFT


def test_bulk_approve_with_none_ready_says_so_and_offers_no_partial_approval(
    as_user, people, curation_url, contradiction
):
    page = as_user(people.lead).get(curation_url("bulk-action") + "?action=approve").content.decode()
    assert "None of them is both submitted and without errors." in page and "Only 0" not in page
    assert "Approve the 0" not in page and "Approve all 3" in page


def test_bulk_reject_by_author(as_user, people, make_example, curation_url):
    mine = make_example(instruction="By the lead.", author=people.lead)
    theirs = make_example(instruction="By the annotator.")
    as_user(people.lead).post(curation_url("bulk-action"), {"action": "reject", "author": "lena", "confirm": "yes"})
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, theirs.status) == (Example.Status.REJECTED, Example.Status.DRAFT)


def test_bulk_delete_moves_to_the_trash_and_drops_findings(as_user, people, make_example, curation_url):
    flagged = make_example(instruction="Flagged.", input="Reach me at ann@example.org")
    clean = make_example(instruction="Clean.", input="My parcel is late.")
    assert flagged.findings.exists()
    response = as_user(people.lead).post(
        curation_url("bulk-action"), {"action": "delete", "finding": "pii", "confirm": "yes"}, follow=True
    )
    assert "Deleted 1 example." in response.content.decode()
    flagged.refresh_from_db()
    clean.refresh_from_db()
    assert flagged.deleted_at is not None and clean.deleted_at is None
    assert not Finding.objects.filter(example=flagged).exists()
    assert flagged.revisions.first().action == "bulk delete"


def test_bulk_action_needs_a_known_action(as_user, people, make_example, curation_url):
    example = make_example(instruction="Kept.")
    response = as_user(people.lead).post(
        curation_url("bulk-action"), {"action": "explode", "status": "draft", "confirm": "yes"}, follow=True
    )
    assert response.redirect_chain[0][0] == curation_url("example-list") + "?status=draft"
    assert "Choose approve, reject or delete." in response.content.decode()
    example.refresh_from_db()
    assert (example.status, example.deleted_at) == (Example.Status.DRAFT, None)


def test_bulk_action_outsider_and_wrong_roles(as_user, people, make_example, curation_url):
    example = make_example(instruction="Untouched.")
    data = {"action": "delete", "confirm": "yes"}
    assert as_user(people.outsider).get(curation_url("bulk-action") + "?action=delete").status_code == 404
    assert as_user(people.outsider).post(curation_url("bulk-action"), data).status_code == 404
    for user in (people.annotator, people.reviewer):
        assert as_user(user).get(curation_url("bulk-action") + "?action=delete").status_code == 403
        assert as_user(user).post(curation_url("bulk-action"), data).status_code == 403
    example.refresh_from_db()
    assert example.deleted_at is None
    # A lead's bulk action never reaches another project.
    foreign = make_example(instruction="Theirs.", project=people.other_project, author=people.outsider)
    as_user(people.lead).post(curation_url("bulk-action"), data)
    foreign.refresh_from_db()
    assert foreign.deleted_at is None


# --- format_rules -----------------------------------------------------------------------------


def test_lead_sets_format_rules_that_new_saves_are_checked_against(as_user, people, make_example, curation_url):
    client = as_user(people.lead)
    response = client.post(
        curation_url("format-rules"),
        {"output_regex": "(yes|no)", "max_output_chars": "10", "banned_phrases": "As an AI\n\n  sorry  "},
        follow=True,
    )
    assert "Format rules saved." in response.content.decode()
    rules = FormatRuleSet.objects.get(project=people.project)
    assert (
        rules.rules["output_regex"],
        rules.rules["max_output_chars"],
        rules.rules["banned_phrases"],
        rules.updated_by,
    ) == ("(yes|no)", 10, ["As an AI", "sorry"], people.lead)
    page = client.get(curation_url("format-rules")).content.decode()
    assert 'value="(yes|no)"' in page and 'value="10"' in page
    example = make_example(instruction="Is the parcel late?", output="maybe")
    example.refresh_from_db()
    assert list(example.findings.filter(kind="format").values_list("message", flat=True)) == [
        "output does not match the pattern (yes|no)"
    ]


def test_a_json_schema_rule_is_kept_and_shown_again(as_user, people, curation_url):
    schema = '{"type": "object", "required": ["priority"]}'
    as_user(people.lead).post(curation_url("format-rules"), {"output_json": "on", "json_schema": schema})
    rules = FormatRuleSet.objects.get(project=people.project).rules
    assert (rules["output_json"], rules["json_schema"]) == (True, {"type": "object", "required": ["priority"]})
    page = as_user(people.lead).get(curation_url("format-rules")).content.decode()
    assert "&quot;required&quot;: [" in page


@pytest.mark.parametrize(
    "data, field, message",
    [
        (
            {"output_regex": "(yes|no"},
            "output_regex",
            "Not a valid regular expression (missing ), unterminated subpattern at position 0).",
        ),
        (
            {"output_json": "on", "json_schema": "{not json"},
            "json_schema",
            "Not valid JSON: Expecting property name enclosed in double quotes at line 1, column 2.",
        ),
        ({"output_json": "on", "json_schema": '{"type": "nonsense"}'}, "json_schema", "Not a valid JSON Schema ("),
        ({"json_schema": '{"type": "object"}'}, "json_schema", "A schema needs “output must be JSON” switched on."),
        ({"min_output_chars": "20", "max_output_chars": "10"}, "min_output_chars", "20 is more than the maximum 10."),
    ],
)
def test_a_bad_rule_is_refused_under_its_field(as_user, people, curation_url, data, field, message):
    response = as_user(people.lead).post(curation_url("format-rules"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert errors[field][0].startswith(message)
    page = response.content.decode()
    block = page[page.index(f'for="id_{field}"') :]
    block = block[: block.index("</div>")]
    assert 'class="error" role="alert"' in block
    assert not FormatRuleSet.objects.exists()


def test_format_rules_outsider_and_wrong_roles(as_user, people, curation_url):
    data = {"output_regex": "(yes|no)"}
    assert as_user(people.outsider).get(curation_url("format-rules")).status_code == 404
    assert as_user(people.outsider).post(curation_url("format-rules"), data).status_code == 404
    for user in (people.annotator, people.reviewer):
        assert as_user(user).get(curation_url("format-rules")).status_code == 403
        assert as_user(user).post(curation_url("format-rules"), data).status_code == 403
    assert not FormatRuleSet.objects.exists()


# --- check_report -----------------------------------------------------------------------------


def test_check_report_shows_contradictions_side_by_side(as_user, people, contradiction, make_example, curation_url):
    high, low, again = contradiction
    make_example(instruction="Close the ticket.", input="Reach me at ann@example.org")
    response = as_user(people.lead).get(curation_url("check-report"))
    page = response.content.decode()
    assert response.context["counts"] == {"contradiction": 2, "duplicate": 1, "pii": 1}
    assert "3 examples that ask the same thing, with answers that disagree" in page
    counted = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert (
        "2 contradiction pairs" in counted and "1 duplicate pair " in counted and "1 personal data finding " in counted
    )
    assert f"#{high.id} and #{low.id}: JSON $.priority: “high” vs “low”" in page  # #high's answer first
    assert "Keep this one" in page and "Intended variation" in page
    duplicates = as_user(people.lead).get(curation_url("check-report") + "?kind=duplicate").content.decode()
    assert f"#{low.id} and #{again.id}: the same prompt and the same answer" in duplicates
    assert f"#{high.id} and #{low.id}" not in duplicates


def test_check_report_without_findings(as_user, people, make_example, curation_url):
    make_example(instruction="Triage the ticket.", input="Card declined.")
    page = as_user(people.annotator).get(curation_url("check-report") + "?kind=bogus").content.decode()
    assert "No contradictions found." in page
    assert "No full check of every example has run yet." in page


def test_check_report_outsider_gets_404_and_only_leads_get_the_actions(as_user, people, contradiction, curation_url):
    # Every member may read the report (no role is refused); only leads see the buttons that act.
    assert as_user(people.outsider).get(curation_url("check-report")).status_code == 404
    for user in (people.annotator, people.reviewer):
        response = as_user(user).get(curation_url("check-report"))
        page = response.content.decode()
        assert response.status_code == 200
        assert "3 examples that ask the same thing" in page
        assert (
            "Keep this one" not in page and "Intended variation…" not in page and "Check every example now" not in page
        )


def test_the_last_check_linked_from_the_report_opens_for_every_member(as_user, people, curation_url):
    job = Job.objects.create(
        project=people.project,
        kind=Job.Kind.SCAN,
        user=people.lead,
        status=Job.Status.SUCCEEDED,
        message="Checked 0 examples: no findings.",
    )
    link = curation_url("job", job.id)
    for user in (people.annotator, people.reviewer):
        client = as_user(user)
        page = client.get(curation_url("check-report")).content.decode()
        assert link not in page or client.get(link).status_code == 200


# --- start_scan -------------------------------------------------------------------------------


def test_start_scan_checks_every_example_in_the_background(
    as_user, people, make_example, curation_url, eager_tasks, django_capture_on_commit_callbacks
):
    high = make_example(**PROMPT, output='{"priority": "high"}', check=False)
    low = make_example(**PROMPT, output='{"priority": "low"}', check=False)
    make_example(instruction="Close the ticket.", input="Reach me at ann@example.org", check=False)
    assert not PairFinding.objects.exists() and not Finding.objects.exists()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = as_user(people.lead).post(curation_url("start-scan"))
    assert len(callbacks) == 1
    job = Job.objects.get(project=people.project, kind=Job.Kind.SCAN)
    assert response["Location"] == curation_url("job", job.id)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.message.startswith("Checked 3 examples: ") and job.message.endswith(
        ": 1 contradiction pair, 1 pii finding."
    )
    assert list(PairFinding.objects.values_list("low_id", "high_id", "kind")) == [(high.id, low.id, "contradiction")]
    assert Finding.objects.get().kind == "pii"
    page = as_user(people.lead).get(response["Location"]).content.decode()
    assert job.message in page
    assert "hx-trigger" not in page


def test_start_scan_joins_a_scan_already_under_way(as_user, people, curation_url, django_capture_on_commit_callbacks):
    running = Job.objects.create(
        project=people.project, kind=Job.Kind.SCAN, user=people.lead, status=Job.Status.RUNNING
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = as_user(people.lead).post(curation_url("start-scan"))
    assert response["Location"] == curation_url("job", running.id)
    assert callbacks == []
    assert Job.objects.count() == 1


def test_start_scan_outsider_and_wrong_roles(as_user, people, curation_url):
    assert as_user(people.outsider).post(curation_url("start-scan")).status_code == 404
    assert as_user(people.annotator).post(curation_url("start-scan")).status_code == 403
    assert as_user(people.reviewer).post(curation_url("start-scan")).status_code == 403
    assert as_user(people.lead).get(curation_url("start-scan")).status_code == 405
    assert not Job.objects.exists()


# --- silence_pair -----------------------------------------------------------------------------


def test_silencing_a_pair_stops_it_being_reported(as_user, people, contradiction, curation_url):
    high, low, again = contradiction
    next_url = curation_url("check-report") + "?kind=contradiction"
    response = as_user(people.lead).post(
        curation_url("silence-pair", high.id, low.id), {"reason": "Both are fine.", "next": next_url}, follow=True
    )
    assert response.redirect_chain[0][0] == next_url
    assert f"#{high.id} and #{low.id} marked as intended variation" in response.content.decode()
    silence = SilencedPair.objects.get()
    assert (silence.low, silence.high, silence.by, silence.reason) == (high, low, people.lead, "Both are fine.")
    assert not PairFinding.objects.filter(low=high, high=low).exists()
    # Checking either example again does not bring the pair back; the other pairs stay.
    checking.check_example(low)
    checking.check_example(high)
    assert set(PairFinding.objects.values_list("low_id", "high_id", "kind")) == {
        (high.id, again.id, "contradiction"),
        (low.id, again.id, "duplicate"),
    }


def test_silence_pair_outsider_wrong_roles_and_foreign_examples(
    as_user, people, contradiction, make_example, curation_url
):
    high, low, _ = contradiction
    target = curation_url("silence-pair", high.id, low.id)
    assert as_user(people.outsider).post(target).status_code == 404
    assert as_user(people.annotator).post(target).status_code == 403
    assert as_user(people.reviewer).post(target).status_code == 403
    assert as_user(people.lead).get(target).status_code == 405
    foreign = make_example(**PROMPT, project=people.other_project, author=people.outsider)
    assert as_user(people.lead).post(curation_url("silence-pair", high.id, foreign.id)).status_code == 404
    assert not SilencedPair.objects.exists()
    assert PairFinding.objects.filter(low=high, high=low).exists()


def test_silence_pair_never_sends_the_browser_to_another_site(as_user, people, contradiction, curation_url):
    high, low, _ = contradiction
    response = as_user(people.lead).post(
        curation_url("silence-pair", high.id, low.id), {"next": "https://evil.example/phish"}
    )
    assert SilencedPair.objects.filter(low=high, high=low).exists()
    assert response["Location"] == curation_url("check-report")


def test_silenced_pairs_are_listed_with_who_why_and_when(as_user, people, contradiction, curation_url):
    high, low, _ = contradiction
    lead = as_user(people.lead)
    lead.post(curation_url("silence-pair", low.id, high.id), {"reason": "  Two regions, two rules. "})
    page = lead.get(curation_url("check-report") + "?kind=silenced").content.decode()
    assert "Intended variation (1)" in page
    assert f"#{high.id}</a> and <a" in page and f">#{low.id}</a>" in page
    assert "Two regions, two rules." in page and people.lead.username in page
    assert "Report again</button>" in page
    # The pair is off the contradictions tab; a reviewer sees the list but cannot undo it.
    assert f"#{high.id} and #{low.id}" not in lead.get(curation_url("check-report")).content.decode()
    as_reviewer = as_user(people.reviewer).get(curation_url("check-report") + "?kind=silenced").content.decode()
    assert "Two regions, two rules." in as_reviewer and "Report again<" not in as_reviewer


def test_report_again_checks_the_pair_at_once(as_user, people, contradiction, curation_url):
    high, low, again = contradiction
    lead = as_user(people.lead)
    lead.post(curation_url("silence-pair", high.id, low.id))
    response = lead.post(curation_url("unsilence-pair", low.id, high.id), follow=True)
    assert f"#{high.id} and #{low.id} will be reported again; the checks find them a contradiction pair" in (
        response.content.decode()
    )
    assert response.redirect_chain[0][0] == curation_url("check-report") + "?kind=silenced"
    assert not SilencedPair.objects.exists()
    assert PairFinding.objects.filter(low=high, high=low, kind="contradiction").exists()
    # Undoing twice says nothing was marked.
    response = lead.post(curation_url("unsilence-pair", high.id, low.id), follow=True)
    assert "were not marked as intended variation; nothing changed" in response.content.decode()


def test_report_again_says_when_the_pair_is_no_longer_one(as_user, people, contradiction, curation_url):
    high, low, _ = contradiction
    lead = as_user(people.lead)
    lead.post(curation_url("silence-pair", high.id, low.id))
    low.instruction, low.input = "Write a haiku about autumn.", ""
    low.save()
    response = lead.post(curation_url("unsilence-pair", high.id, low.id), follow=True)
    assert "the checks no longer find them a pair" in response.content.decode()
    assert not PairFinding.objects.filter(low=high, high=low).exists()


def test_report_again_outsider_wrong_roles_and_foreign_examples(
    as_user, people, contradiction, make_example, curation_url
):
    high, low, _ = contradiction
    as_user(people.lead).post(curation_url("silence-pair", high.id, low.id))
    target = curation_url("unsilence-pair", high.id, low.id)
    assert as_user(people.outsider).post(target).status_code == 404
    assert as_user(people.annotator).post(target).status_code == 403
    assert as_user(people.reviewer).post(target).status_code == 403
    assert as_user(people.lead).get(target).status_code == 405
    foreign = make_example(**PROMPT, project=people.other_project, author=people.outsider)
    assert as_user(people.lead).post(curation_url("unsilence-pair", high.id, foreign.id)).status_code == 404
    assert SilencedPair.objects.count() == 1


# --- keep_one ---------------------------------------------------------------------------------


def duplicates_of(make_example, n, **prompt):
    """n examples with the same prompt and the same answer: one duplicate cluster of n."""
    prompt = prompt or {"instruction": "Summarise the refund policy.", "input": "Order 5512, paid by card."}
    return [make_example(**prompt, output="Refunds are issued within 14 days.") for _ in range(n)]


def keep(as_user, user, url, shown, kind="duplicate", **extra):
    return as_user(user).post(url, {"shown": [e.id for e in shown], "kind": kind, **extra}, follow=True)


def test_the_report_shows_every_member_of_a_large_cluster(as_user, people, make_example, curation_url):
    members = duplicates_of(make_example, 7)
    other = make_example(instruction="Translate to French.", input="Good morning.", output="Bonjour.")
    page = as_user(people.lead).get(curation_url("check-report") + "?kind=duplicate").content.decode()
    assert "7 examples that ask the same thing" in page
    assert "more.</p>" not in page
    for e in members:
        assert f'href="{curation_url("example", e.id)}">#{e.id}</a>' in page
        assert page.count(f'name="shown" value="{e.id}"') == 7  # every member's form names every member
    assert f"#{other.id}" not in page
    assert page.count("Keep this one") == 7


def test_keep_one_moves_the_rest_of_the_cluster_to_the_trash(as_user, people, make_example, curation_url):
    first, *rest = duplicates_of(make_example, 5)
    bystander = make_example(instruction="Translate to French.", input="Good night.", output="Bonne nuit.")
    response = keep(as_user, people.lead, curation_url("keep-one", first.id), [first, *rest])
    moved = ", ".join(f"#{e.id}" for e in rest[:-1]) + f" and #{rest[-1].id}"
    assert f"Kept #{first.id}; moved {moved} to the trash." in response.content.decode()
    for example in rest:
        example.refresh_from_db()
        assert example.deleted_at is not None
        assert example.revisions.first().action == f"deleted, #{first.id} kept"
    first.refresh_from_db()
    bystander.refresh_from_db()
    assert first.deleted_at is None and bystander.deleted_at is None
    assert not PairFinding.objects.exists()


def test_keep_one_refuses_when_a_member_joined_since_the_page_was_shown(as_user, people, make_example, curation_url):
    members = duplicates_of(make_example, 4)
    page = as_user(people.lead).get(curation_url("check-report") + "?kind=duplicate").content.decode()
    assert "4 examples that ask the same thing" in page
    late = duplicates_of(make_example, 1)[0]  # someone saves a fifth copy before the lead clicks
    response = keep(as_user, people.lead, curation_url("keep-one", members[0].id), members)
    text = response.content.decode()
    assert f"Nothing was moved: this cluster changed since the page was shown (#{late.id} joined it)" in text
    assert not Example.objects.filter(deleted_at__isnull=False).exists()


def test_keep_one_refuses_when_a_member_left_or_went_to_the_trash(as_user, people, make_example, curation_url):
    members = duplicates_of(make_example, 4)
    gone, edited = members[2], members[3]
    gone.move_to_trash(user=people.lead)
    checking.forget_examples([gone.id])
    assert edited.save_content(
        user=people.annotator,
        expected_version=edited.version,
        content={**edited.content(), "instruction": "Write a haiku about autumn.", "input": ""},
    )
    checking.check_example(edited)
    assert not PairFinding.involving([edited.id]).exists()
    response = keep(as_user, people.lead, curation_url("keep-one", members[0].id), members)
    text = response.content.decode()
    assert f"(#{gone.id}, #{edited.id} left it or went to the trash)" in text
    assert Example.objects.filter(deleted_at__isnull=False).get() == gone
    # A fresh look shows the two that are left; keeping one of them works.
    page = as_user(people.lead).get(curation_url("check-report") + "?kind=duplicate").content.decode()
    assert "2 examples that ask the same thing" in page
    response = keep(as_user, people.lead, curation_url("keep-one", members[1].id), members[:2])
    assert f"Kept #{members[1].id}; moved #{members[0].id} to the trash." in response.content.decode()


def test_keep_one_never_reaches_examples_outside_the_cluster(as_user, people, make_example, curation_url):
    first, second = duplicates_of(make_example, 2)
    bystander = make_example(instruction="Translate to French.", input="Good night.", output="Bonne nuit.")
    foreign = make_example(
        instruction="Summarise the refund policy.",
        input="Order 5512, paid by card.",
        output="Refunds are issued within 14 days.",
        project=people.other_project,
        author=people.outsider,
    )
    for shown in ([first, second, bystander], [first, second, foreign], [second]):
        response = keep(as_user, people.lead, curation_url("keep-one", first.id), shown)
        assert "Nothing was moved" in response.content.decode()
    # the wrong kind of cluster, or no cluster named at all
    response = keep(as_user, people.lead, curation_url("keep-one", first.id), [first, second], kind="contradiction")
    assert "Nothing was moved" in response.content.decode()
    response = as_user(people.lead).post(curation_url("keep-one", first.id), {"drop": [second.id]}, follow=True)
    assert "Nothing was moved: keep one from a cluster on the check report." in response.content.decode()
    assert not Example.objects.filter(deleted_at__isnull=False).exists()


def test_keep_one_outsider_and_wrong_roles(as_user, people, make_example, curation_url):
    members = duplicates_of(make_example, 3)
    target = curation_url("keep-one", members[0].id)
    data = {"shown": [e.id for e in members], "kind": "duplicate"}
    assert as_user(people.outsider).post(target, data).status_code == 404
    assert as_user(people.annotator).post(target, data).status_code == 403
    assert as_user(people.reviewer).post(target, data).status_code == 403
    assert as_user(people.lead).get(target).status_code == 405
    assert not Example.objects.filter(deleted_at__isnull=False).exists()
    assert Revision.objects.count() == 3


# --- job_detail -------------------------------------------------------------------------------


def test_job_page_polls_until_the_job_is_finished(as_user, people, curation_url):
    job = Job.objects.create(
        project=people.project,
        kind=Job.Kind.IMPORT,
        user=people.annotator,
        filename="tickets.jsonl",
        status=Job.Status.RUNNING,
        done=3,
        total=10,
    )
    client = as_user(people.annotator)
    page = client.get(curation_url("job", job.id)).content.decode()
    assert "Import: tickets.jsonl" in page and "3 of 10" in page
    assert 'hx-trigger="every 1s"' in page and "A worker is on it" in page
    Job.objects.filter(id=job.id).update(status=Job.Status.QUEUED)
    page = client.get(curation_url("job", job.id)).content.decode()
    assert "Waiting for a worker to pick it up" in page and "A worker is on it" not in page
    Job.objects.filter(id=job.id).update(status=Job.Status.RUNNING)
    fragment = client.get(curation_url("job", job.id), HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="job-status"') and "<html" not in fragment
    job.finish("Imported 10 examples from tickets.jsonl.")
    fragment = client.get(curation_url("job", job.id), HTTP_HX_REQUEST="true").content.decode()
    assert "Imported 10 examples from tickets.jsonl." in fragment
    assert "hx-trigger" not in fragment
    assert "Import another file" in fragment


def test_job_detail_outsider_someone_elses_job_and_foreign_jobs(as_user, people, curation_url, second_annotator):
    import_job = Job.objects.create(
        project=people.project, kind=Job.Kind.IMPORT, user=people.annotator, filename="a.jsonl"
    )
    assert as_user(people.outsider).get(curation_url("job", import_job.id)).status_code == 404
    assert as_user(people.reviewer).get(curation_url("job", import_job.id)).status_code == 403
    assert as_user(second_annotator).get(curation_url("job", import_job.id)).status_code == 403
    assert as_user(people.lead).get(curation_url("job", import_job.id)).status_code == 200
    foreign = Job.objects.create(project=people.other_project, kind=Job.Kind.SCAN, user=people.outsider)
    assert as_user(people.lead).get(curation_url("job", foreign.id)).status_code == 404


def test_a_catastrophic_pattern_does_not_stall_a_save(as_user, people, make_example, curation_url):
    import time

    as_user(people.lead).post(curation_url("format-rules"), {"output_regex": "(a|aa)+$"})
    started = time.monotonic()
    example = make_example(instruction="Say a", output="a" * 40 + "b")
    assert time.monotonic() - started < 5
    (message,) = example.findings.filter(kind="format").values_list("message", flat=True)
    assert message.startswith("output could not be checked against the pattern (a|aa)+$")
