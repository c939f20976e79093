"""example_list, new_example, example_detail (the editor), submit_example, example_history,
delete_example, restore_example."""

import pytest
from django.utils import timezone

from curation.listing import PAGE_SIZE
from curation.models import Example, Finding, Revision

pytestmark = pytest.mark.django_db

TICKET = {
    "instruction": "Triage the ticket.",
    "input": "My parcel is late.",
    "output": '{"category": "shipping", "priority": "high"}',
}


def editor_post(example, **changes):
    return {
        **{k: getattr(example, k) for k in ("instruction", "input", "output")},
        "version": example.version,
        **changes,
    }


# --- example_list -----------------------------------------------------------------------------


def test_list_shows_examples_newest_first_with_their_findings(as_user, people, make_example, curation_url):
    older = make_example(instruction="Close the duplicate ticket.", input="Reach me at ann@example.org")
    newer = make_example(instruction="Refund the damaged order.")
    page = as_user(people.lead).get(curation_url("example-list")).content.decode()
    assert page.index("Refund the damaged order.") < page.index("Reach me at ann@example.org")
    row = page[page.index(f">{older.id}</a>") :]
    row = row[: row.index("</tr>")]
    assert ">pii</span>" in row
    assert f">{newer.id}</a>" in page


def test_list_filters_by_status_author_words_and_finding(as_user, people, make_example, curation_url):
    make_example(instruction="Draft about parcels.")
    invoices = make_example(instruction="Submitted about invoices.", status=Example.Status.SUBMITTED)
    make_example(instruction="Lead wrote this one.", author=people.lead, input="Mail bob@example.org")
    client = as_user(people.reviewer)

    def shown(query):
        page = client.get(curation_url("example-list") + query).content.decode()
        return {
            text
            for text in ("Draft about parcels.", "Submitted about invoices.", "Lead wrote this one.")
            if text in page
        }

    assert shown("") == {"Draft about parcels.", "Submitted about invoices.", "Lead wrote this one."}
    assert shown("?status=submitted") == {"Submitted about invoices."}
    assert shown("?author=lena") == {"Lead wrote this one."}
    assert shown("?q=INVOICES") == {"Submitted about invoices."}
    assert shown("?finding=pii") == {"Lead wrote this one."}
    assert shown("?finding=none") == {"Draft about parcels.", "Submitted about invoices."}
    assert shown("?finding=none&status=submitted") == {"Submitted about invoices."}
    assert shown(f"?q=%23{invoices.id}") == {"Submitted about invoices."}
    assert shown("?status=approved") == set()


def test_a_vague_instruction_is_counted_on_the_report_and_found_by_the_list_filter(
    as_user, people, make_example, curation_url
):
    make_example(instruction="Classify the ticket by urgency.", input="The server is down for everyone.")
    vague = make_example(instruction="same again")
    client = as_user(people.lead)
    report = client.get(curation_url("check-report")).content.decode()
    box = report[report.index("?finding=quality") :]
    assert '<span class="big-number">1</span> quality' in box[: box.index("</a>")]
    page = client.get(curation_url("example-list") + "?finding=quality").content.decode()
    assert f">{vague.id}</a>" in page and "Classify the ticket by urgency." not in page


def test_list_pages_by_keyset_with_older_and_newer_links(as_user, people, make_example, curation_url):
    examples = [
        make_example(instruction=f"Ticket number {n:03d} to triage.", check=False) for n in range(PAGE_SIZE + 1)
    ]
    client = as_user(people.annotator)
    first = client.get(curation_url("example-list"))
    assert first.context["rows"][0] == examples[-1]
    assert len(first.context["rows"]) == PAGE_SIZE
    assert "Ticket number 000 to triage." not in first.content.decode()
    assert first.context["prev_url"] == ""
    second = client.get(curation_url("example-list") + first.context["next_url"])
    assert [e.id for e in second.context["rows"]] == [examples[0].id]
    assert "Ticket number 000 to triage." in second.content.decode()
    back = client.get(curation_url("example-list") + second.context["prev_url"])
    assert [e.id for e in back.context["rows"]] == [e.id for e in reversed(examples[1:])]


def test_list_htmx_fragment_is_the_rows_alone(as_user, people, make_example, curation_url):
    make_example(instruction="Only the rows please.")
    response = as_user(people.lead).get(curation_url("example-list") + "?fragment=rows&q=rows", HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="example-rows">')
    assert "<html" not in page and "Only the rows please." in page


def test_list_trash_holds_only_deleted_examples(as_user, people, make_example, curation_url):
    make_example(instruction="Still here.")
    make_example(instruction="Thrown away.", deleted_at=timezone.now())
    client = as_user(people.lead)
    page = client.get(curation_url("example-list")).content.decode()
    assert "Still here." in page and "Thrown away." not in page
    trash = client.get(curation_url("example-list") + "?trash=1").content.decode()
    assert "Thrown away." in trash and "Still here." not in trash


def test_list_shows_bulk_actions_to_leads_only(as_user, people, curation_url):
    assert "Bulk actions" in as_user(people.lead).get(curation_url("example-list")).content.decode()
    for user in (people.annotator, people.reviewer):
        page = as_user(user).get(curation_url("example-list")).content.decode()
        assert "Bulk actions" not in page
    assert "New example" not in as_user(people.reviewer).get(curation_url("example-list")).content.decode()


def test_list_outsider_gets_404_and_every_role_may_look(as_user, people, make_example, curation_url):
    # Every role may see the list, so there is no wrong role for this page.
    make_example(instruction="Visible to members.")
    assert as_user(people.outsider).get(curation_url("example-list")).status_code == 404
    for user in (people.lead, people.annotator, people.reviewer):
        assert as_user(user).get(curation_url("example-list")).status_code == 200


# --- new_example ------------------------------------------------------------------------------


def test_annotator_writes_a_draft_that_is_checked_and_kept(as_user, people, curation_url):
    client = as_user(people.annotator)
    response = client.post(curation_url("new-example"), {**TICKET, "input": "Reach me at ann@example.org"})
    example = Example.objects.get(project=people.project)
    assert response.status_code == 302
    assert response["Location"] == curation_url("example", example.id)
    assert (example.author, example.status, example.version, example.input) == (
        people.annotator,
        Example.Status.DRAFT,
        1,
        "Reach me at ann@example.org",
    )
    assert list(example.revisions.values_list("version", "action")) == [(1, "created")]
    assert example.findings.filter(kind="pii").exists()
    page = client.get(response["Location"]).content.decode()
    assert "Saved as a draft." in page
    assert "Reach me at ann@example.org" in page


def test_new_example_can_be_submitted_at_once(as_user, people, curation_url):
    as_user(people.annotator).post(curation_url("new-example"), {**TICKET, "then": "submit"})
    example = Example.objects.get(project=people.project)
    assert example.status == Example.Status.SUBMITTED
    assert list(example.revisions.values_list("action", flat=True)) == ["submitted", "created"]


def test_new_chat_keeps_its_turns_and_drops_the_blank_one(as_user, people, curation_url):
    client = as_user(people.lead)
    assert 'name="kind" value="chat"' in client.get(curation_url("new-example") + "?kind=chat").content.decode()
    client.post(
        curation_url("new-example"),
        {
            "kind": "chat",
            "role_0": "user",
            "content_0": "Where is my parcel?\r\nIt is late.",
            "role_1": "assistant",
            "content_1": "It ships tomorrow.",
            "role_2": "user",
            "content_2": "  ",
        },
    )
    example = Example.objects.get(project=people.project)
    assert example.messages == [
        {"role": "user", "content": "Where is my parcel?\nIt is late."},
        {"role": "assistant", "content": "It ships tomorrow."},
    ]
    assert example.instruction == ""


def test_chat_turns_removed_in_the_page_leave_gaps_that_change_nothing(as_user, people, curation_url):
    as_user(people.lead).post(
        curation_url("new-example"),
        {
            "kind": "chat",
            "role_0": "user",
            "content_0": "Where is my parcel?",
            "role_3": "user",  # turns 1 and 2 were removed in the page; 10 was added after them
            "content_3": "It is late.",
            "role_10": "assistant",
            "content_10": "It ships tomorrow.",
        },
    )
    assert [m["content"] for m in Example.objects.get(project=people.project).messages] == [
        "Where is my parcel?",
        "It is late.",
        "It ships tomorrow.",
    ]


def test_an_empty_example_is_refused_with_a_reason(as_user, people, curation_url):
    response = as_user(people.annotator).post(curation_url("new-example"), {"instruction": " ", "output": ""})
    assert response.status_code == 200
    assert "Write an instruction and an output." in response.content.decode()
    page = (
        as_user(people.annotator)
        .post(curation_url("new-example"), {"kind": "chat", "role_0": "user", "content_0": ""})
        .content.decode()
    )
    assert "Write at least one turn." in page
    assert not Example.objects.exists()


def test_new_example_under_htmx_redirects_the_browser(as_user, people, curation_url):
    response = as_user(people.annotator).post(curation_url("new-example"), TICKET, HTTP_HX_REQUEST="true")
    example = Example.objects.get(project=people.project)
    assert response.status_code == 200
    assert response["HX-Redirect"] == curation_url("example", example.id)


def test_new_example_outsider_and_wrong_role(as_user, people, curation_url):
    assert as_user(people.outsider).get(curation_url("new-example")).status_code == 404
    assert as_user(people.outsider).post(curation_url("new-example"), TICKET).status_code == 404
    assert as_user(people.reviewer).get(curation_url("new-example")).status_code == 403
    assert as_user(people.reviewer).post(curation_url("new-example"), TICKET).status_code == 403
    assert not Example.objects.exists()


# --- example_detail (the editor) ------------------------------------------------------------


def test_editor_shows_the_text_and_its_checks(as_user, people, make_example, curation_url):
    example = make_example(input="Reach me at ann@example.org")
    page = as_user(people.annotator).get(curation_url("example", example.id)).content.decode()
    assert f"Example #{example.id}" in page
    assert "Reach me at ann@example.org" in page
    assert ">pii</span>" in page
    assert 'id="example-form"' in page


def test_reviewer_sees_the_example_read_only_with_the_review_form_when_submitted(
    as_user, people, make_example, curation_url
):
    draft = make_example(output="Draft answer.")
    page = as_user(people.reviewer).get(curation_url("example", draft.id)).content.decode()
    assert "Draft answer." in page
    assert 'id="example-form"' not in page and "review-form" not in page
    submitted = make_example(output="Submitted answer.", status=Example.Status.SUBMITTED)
    page = as_user(people.reviewer).get(curation_url("example", submitted.id)).content.decode()
    assert 'id="example-form"' not in page
    assert 'class="review-form"' in page


def test_saving_keeps_a_revision_and_runs_the_checks_again(as_user, people, make_example, curation_url):
    example = make_example(**TICKET)
    assert not example.findings.exists()
    response = as_user(people.annotator).post(
        curation_url("example", example.id), editor_post(example, input="Reach me at ann@example.org")
    )
    assert response.status_code == 200
    assert "Saved (version 2)" in response.content.decode()
    example.refresh_from_db()
    assert (example.version, example.input) == (2, "Reach me at ann@example.org")
    assert list(example.revisions.values_list("version", "action")) == [(2, "edited"), (1, "created")]
    assert example.findings.filter(kind="pii").exists()


def test_saving_without_a_change_writes_no_new_version(as_user, people, make_example, curation_url):
    example = make_example(**TICKET)
    response = as_user(people.annotator).post(curation_url("example", example.id), editor_post(example))
    assert "Saved (version 1)" in response.content.decode()
    example.refresh_from_db()
    assert example.version == 1
    assert example.revisions.count() == 1


def test_editing_a_reviewed_example_makes_it_a_draft_again(as_user, people, make_example, curation_url):
    example = make_example(**TICKET, status=Example.Status.APPROVED)
    as_user(people.annotator).post(
        curation_url("example", example.id), editor_post(example, output='{"priority": "low"}')
    )
    example.refresh_from_db()
    assert (example.status, example.output) == (Example.Status.DRAFT, '{"priority": "low"}')


def test_save_and_submit_from_the_editor(as_user, people, make_example, curation_url):
    example = make_example(**TICKET)
    response = as_user(people.annotator).post(
        curation_url("example", example.id), editor_post(example, output="Changed.", then="submit")
    )
    assert response.status_code == 302
    example.refresh_from_db()
    assert (example.status, example.output, example.version) == (Example.Status.SUBMITTED, "Changed.", 3)


def test_a_stale_save_is_refused_and_shows_both_versions(as_user, people, make_example, curation_url):
    example = make_example(**TICKET)
    stale_version = example.version
    # The lead saves first ...
    as_user(people.lead).post(curation_url("example", example.id), editor_post(example, output="Lead's answer."))
    # ... then the annotator, who opened version 1, saves their own change.
    response = as_user(people.annotator).post(
        curation_url("example", example.id), editor_post(example, output="Annotator's answer.", version=stale_version)
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this example while you were editing" in page
    assert "lena saved version 2" in page
    assert "Annotator&#x27;s answer.</textarea>" in page  # nothing typed is lost
    assert "<del>Annotator</del><ins>Lead</ins>&#x27;s answer.</pre>" in page  # yours, theirs (word by word)
    example.refresh_from_db()
    assert (example.output, example.version) == ("Lead's answer.", 2)
    assert response.context["form"]["version"].value() == 2
    # Saving again, knowingly, replaces the lead's version.
    again = as_user(people.annotator).post(
        curation_url("example", example.id), editor_post(example, output="Annotator's answer.", version=2)
    )
    assert "Saved (version 3)" in again.content.decode()
    example.refresh_from_db()
    assert (example.output, example.version) == ("Annotator's answer.", 3)
    assert list(example.revisions.values_list("author__username", flat=True)) == ["arjun", "lena", "arjun"]


def test_an_invalid_save_changes_nothing(as_user, people, make_example, curation_url):
    example = make_example(**TICKET)
    page = (
        as_user(people.annotator)
        .post(curation_url("example", example.id), {"instruction": "", "output": "", "version": 1})
        .content.decode()
    )
    assert "Write an instruction and an output." in page
    example.refresh_from_db()
    assert (example.version, example.output) == (1, TICKET["output"])


def test_an_example_over_the_size_limit_is_not_saved_and_the_text_is_kept(as_user, people, make_example, curation_url):
    example = make_example(**TICKET)
    pasted = "Log line: disk quota exceeded.\n" * 40_000  # 1.24 MB, pasted into the input
    response = as_user(people.annotator).post(curation_url("example", example.id), editor_post(example, input=pasted))
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        "Not saved: the example is 1.2 MB of text; the limit is 1 MB (the MAX_EXAMPLE_BYTES setting). "
        "Split it or shorten it." in page
    )
    assert page.count("disk quota exceeded.") == 40_000  # what was typed stays in the form
    example.refresh_from_db()
    assert (example.version, example.input) == (1, TICKET["input"])
    # a new example and a chat turn are measured the same way; just under the limit is fine
    client = as_user(people.annotator)
    chat = {"kind": "chat", "role_0": "user", "content_0": "ü" * 300_000, "role_1": "assistant", "content_1": "ok"}
    assert (
        "Not saved: the example is 600,002 bytes" not in client.post(curation_url("new-example"), chat).content.decode()
    )
    assert Example.objects.filter(messages__isnull=False).count() == 1
    chat["content_1"] = "ö" * 200_001
    page = client.post(curation_url("new-example"), chat).content.decode()
    assert "Not saved: the example is 1,000,002 bytes of text; the limit is 1,000,000 bytes" in page
    assert Example.objects.filter(messages__isnull=False).count() == 1


def test_editor_outsider_wrong_role_and_someone_elses_example(
    as_user, people, make_example, curation_url, second_annotator
):
    example = make_example(**TICKET)
    target = curation_url("example", example.id)
    assert as_user(people.outsider).get(target).status_code == 404
    assert as_user(people.outsider).post(target, editor_post(example, output="x")).status_code == 404
    assert as_user(people.reviewer).post(target, editor_post(example, output="x")).status_code == 403
    assert as_user(second_annotator).post(target, editor_post(example, output="x")).status_code == 403
    example.refresh_from_db()
    assert (example.output, example.version) == (TICKET["output"], 1)


def test_editor_will_not_reach_another_projects_example(as_user, people, make_example, curation_url):
    foreign = make_example(project=people.other_project, author=people.outsider)
    assert as_user(people.lead).get(curation_url("example", foreign.id)).status_code == 404
    assert (
        as_user(people.lead).post(curation_url("example", foreign.id), editor_post(foreign, output="x")).status_code
        == 404
    )


def test_an_example_in_the_trash_cannot_be_edited(as_user, people, make_example, curation_url):
    example = make_example(**TICKET, deleted_at=timezone.now())
    page = as_user(people.lead).get(curation_url("example", example.id)).content.decode()
    assert "in the trash" in page and "Restore from the trash" in page
    assert (
        as_user(people.lead).post(curation_url("example", example.id), editor_post(example, output="x")).status_code
        == 403
    )
    example.refresh_from_db()
    assert example.output == TICKET["output"]


# --- submit_example ---------------------------------------------------------------------------


def test_submit_sends_the_draft_to_review_and_warns_of_errors(as_user, people, make_example, curation_url):
    example = make_example(instruction="Triage the ticket.", output="")
    assert example.findings.filter(severity="error").count() == 1
    response = as_user(people.annotator).post(curation_url("submit-example", example.id), follow=True)
    assert (
        f"#{example.id} submitted for review. It still has 1 error; the reviewer will see them."
        in response.content.decode()
    )
    example.refresh_from_db()
    assert (example.status, example.version) == (Example.Status.SUBMITTED, 2)
    assert example.revisions.first().action == "submitted"


def test_submit_goes_on_to_the_next_draft(as_user, people, make_example, curation_url):
    first = make_example(**TICKET)
    second = make_example(instruction="Close the ticket.", output="Closed.")
    response = as_user(people.annotator).post(curation_url("submit-example", first.id))
    assert response["Location"] == curation_url("example", second.id)


def test_submit_leaves_a_reviewed_example_alone(as_user, people, make_example, curation_url):
    example = make_example(**TICKET, status=Example.Status.APPROVED)
    response = as_user(people.annotator).post(curation_url("submit-example", example.id), follow=True)
    assert f"#{example.id} is approved; nothing to submit." in response.content.decode()
    example.refresh_from_db()
    assert (example.status, example.version) == (Example.Status.APPROVED, 1)


def test_submit_outsider_wrong_role_and_someone_elses_example(
    as_user, people, make_example, curation_url, second_annotator
):
    example = make_example(**TICKET)
    target = curation_url("submit-example", example.id)
    assert as_user(people.outsider).post(target).status_code == 404
    assert as_user(people.reviewer).post(target).status_code == 403
    assert as_user(second_annotator).post(target).status_code == 403
    assert as_user(people.annotator).get(target).status_code == 405
    example.refresh_from_db()
    assert example.status == Example.Status.DRAFT


# --- example_history --------------------------------------------------------------------------


def test_history_lists_every_version_with_what_changed(as_user, people, make_example, curation_url):
    example = make_example(instruction="Triage the ticket.", output="Old answer.")
    client = as_user(people.annotator)
    client.post(curation_url("example", example.id), editor_post(example, output="New answer."))
    client.post(curation_url("submit-example", example.id))
    page = as_user(people.reviewer).get(curation_url("example-history", example.id)).content.decode()
    assert "<strong>Version 3</strong>: submitted by arjun" in page
    assert "<strong>Version 2</strong>: edited by arjun" in page
    assert "<strong>Version 1</strong>: created by arjun" in page
    assert "<del>Old</del><ins>New</ins> answer." in page
    assert "First version." in page


def test_history_outsider_gets_404_and_every_role_may_read_it(as_user, people, make_example, curation_url):
    # Reading the history is part of viewing the project: no role is refused.
    example = make_example(**TICKET)
    assert as_user(people.outsider).get(curation_url("example-history", example.id)).status_code == 404
    for user in (people.lead, people.annotator, people.reviewer):
        assert as_user(user).get(curation_url("example-history", example.id)).status_code == 200
    foreign = make_example(project=people.other_project, author=people.outsider)
    assert as_user(people.lead).get(curation_url("example-history", foreign.id)).status_code == 404


# --- delete_example and restore_example ---------------------------------------------------------


def test_lead_moves_an_example_to_the_trash(as_user, people, make_example, curation_url):
    example = make_example(**{**TICKET, "input": "Reach me at ann@example.org"})
    response = as_user(people.lead).post(curation_url("delete-example", example.id), follow=True)
    assert f"#{example.id} moved to the trash" in response.content.decode()
    example.refresh_from_db()
    assert example.deleted_at is not None
    assert example.revisions.first().action == "deleted"
    assert not Finding.objects.filter(example=example).exists()
    page = as_user(people.lead).get(curation_url("example", example.id)).content.decode()
    assert "In the trash: not checked against the project." in page and "No problems found" not in page


def test_a_finding_reads_as_a_sentence_in_the_editor(as_user, people, make_example, curation_url):
    example = make_example(instruction="help", input="", output="Sure, what do you need help with today?")
    page = as_user(people.lead).get(curation_url("example", example.id)).content.decode()
    assert "The instruction is vague (“help”): say what to do, and with what." in page


def test_lead_restores_an_example_from_the_trash(as_user, people, make_example, curation_url):
    example = make_example(**{**TICKET, "input": "Reach me at ann@example.org"}, deleted_at=timezone.now(), check=False)
    response = as_user(people.lead).post(curation_url("restore-example", example.id), follow=True)
    assert f"#{example.id} restored." in response.content.decode()
    example.refresh_from_db()
    assert example.deleted_at is None
    assert example.revisions.first().action == "restored"
    assert Finding.objects.filter(example=example, kind="pii").exists()


@pytest.mark.parametrize("name", ["delete-example", "restore-example"])
def test_delete_and_restore_outsider_and_wrong_roles(as_user, people, make_example, curation_url, name):
    deleted_at = timezone.now() if name == "restore-example" else None
    example = make_example(**TICKET, deleted_at=deleted_at, status=Example.Status.SUBMITTED)
    target = curation_url(name, example.id)
    assert as_user(people.outsider).post(target).status_code == 404
    assert as_user(people.annotator).post(target).status_code == 403  # their own, but submitted: the team's
    assert as_user(people.reviewer).post(target).status_code == 403
    assert as_user(people.lead).get(target).status_code == 405
    foreign = make_example(project=people.other_project, author=people.outsider, deleted_at=deleted_at)
    assert as_user(people.lead).post(curation_url(name, foreign.id)).status_code == 404
    example.refresh_from_db()
    foreign.refresh_from_db()
    assert (example.deleted_at, foreign.deleted_at) == (deleted_at, deleted_at)
    assert Revision.objects.filter(example=example).count() == 1


def test_saving_without_a_change_keeps_spaces_status_and_version(as_user, people, make_example, curation_url):
    example = make_example(output="    return x\n", status=Example.Status.APPROVED)
    client = as_user(people.annotator)
    client.post(
        curation_url("example", example.id),
        {"instruction": example.instruction, "input": "", "output": "    return x\n", "version": example.version},
    )
    example.refresh_from_db()
    assert (example.output, example.status, example.version) == ("    return x\n", Example.Status.APPROVED, 1)


def test_an_annotator_trashes_and_restores_their_own_draft_only(as_user, people, make_example, curation_url):
    mine = make_example(**TICKET)
    leads = make_example(**TICKET, author=people.lead)
    client = as_user(people.annotator)
    page = client.get(curation_url("example", mine.id)).content.decode()
    assert "Move to the trash" in page
    assert "Move to the trash" not in client.get(curation_url("example", leads.id)).content.decode()
    response = client.post(curation_url("delete-example", mine.id), follow=True)
    assert "moved to the trash" in response.content.decode()
    mine.refresh_from_db()
    assert mine.deleted_at is not None
    assert "Restore from the trash" in client.get(curation_url("example", mine.id)).content.decode()
    assert "The trash</a> holds deleted examples" in client.get(curation_url("example-list")).content.decode()
    client.post(curation_url("restore-example", mine.id))
    mine.refresh_from_db()
    assert mine.deleted_at is None
    assert client.post(curation_url("delete-example", leads.id)).status_code == 403


def test_a_lead_redacts_personal_data_from_an_examples_history(as_user, people, make_example, curation_url):
    from curation.redaction import redact_text

    example = make_example(
        instruction="Triage the ticket.", input="Call me on +44 20 7946 0958 or write to jane.doe@example.com"
    )
    client = as_user(people.annotator)
    saved = client.post(curation_url("example", example.id), editor_post(example, input="Call me back please."))
    assert "Saved (version 2)" in saved.content.decode()
    history = curation_url("example-history", example.id)
    before = client.get(history).content.decode()
    assert "jane" in before and "7946" in before  # the edit left them in the history
    for who, status in ((people.outsider, 404), (people.annotator, 403), (people.reviewer, 403)):
        assert as_user(who).post(curation_url("redact-history", example.id)).status_code == status
    response = as_user(people.lead).post(curation_url("redact-history", example.id), follow=True)
    page = response.content.decode()
    assert "Redacted from the history of" in page and "1 e-mail address, 1 phone number" in page
    assert "jane" not in page and "7946" not in page
    assert "[redacted e-mail address]" in page and "Redacted by lena" in page
    first = example.revisions.get(version=1)
    assert first.redacted_by == people.lead and first.redaction == "1 e-mail address, 1 phone number"
    again = as_user(people.lead).post(curation_url("redact-history", example.id), follow=True).content.decode()
    assert "No personal data found in the history" in again
    assert redact_text("mail a@b.co now", __import__("collections").Counter()) == "mail [redacted e-mail address] now"


def test_saving_again_after_a_conflict_keeps_their_edits_in_fields_you_did_not_touch(
    as_user, people, make_example, curation_url
):
    example = make_example(**TICKET)
    # the lead fixes the output; meanwhile the annotator, on version 1, rewrites the input only
    as_user(people.lead).post(curation_url("example", example.id), editor_post(example, output='{"priority": "low"}'))
    response = as_user(people.annotator).post(
        curation_url("example", example.id), editor_post(example, input="My parcel is two weeks late.", version=1)
    )
    page = response.content.decode()
    assert "Their change to <strong>output</strong>, which you did not touch, is now in the form" in page
    assert "Your change to <strong>input</strong> stays" in page
    assert response.context["form"]["output"].value() == '{"priority": "low"}'
    again = as_user(people.annotator).post(
        curation_url("example", example.id),
        {**editor_post(example, input="My parcel is two weeks late.", version=2), "output": '{"priority": "low"}'},
    )
    assert "Saved (version 3)" in again.content.decode()
    example.refresh_from_db()
    assert (example.input, example.output) == ("My parcel is two weeks late.", '{"priority": "low"}')  # both kept


def test_a_conflict_on_the_same_field_keeps_yours_in_the_form_and_says_so(as_user, people, make_example, curation_url):
    example = make_example(**TICKET)
    as_user(people.lead).post(curation_url("example", example.id), editor_post(example, output="Lead's answer."))
    page = (
        as_user(people.annotator)
        .post(curation_url("example", example.id), editor_post(example, output="Annotator's answer.", version=1))
        .content.decode()
    )
    assert "You both changed <strong>output</strong>: yours is in the form" in page
