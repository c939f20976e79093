"""The pages an annotator uses all day (the example list, the editor, a save) make a fixed number
of database queries, whatever the size of the project: 300 realistic examples by a dozen authors,
with findings, contradictions, review comments and the demo's JSON-Schema rules. A query per row
or per author would show up here as hundreds (benchmarks/load.py measures the time)."""

import pytest

from curation.checking import check_example, scan_project
from curation.core.demo_tickets import make_examples, planted_faults
from curation.models import Example, ExampleKey, FormatRuleSet, PairFinding, ReviewComment, Revision
from studio.models import Membership, Role

pytestmark = pytest.mark.django_db

RULES = {
    "output_json": True,
    "json_schema": {
        "type": "object",
        "required": ["category", "priority", "reply"],
        "properties": {"category": {"type": "string"}, "priority": {"type": "string"}, "reply": {"type": "string"}},
    },
    "banned_phrases": ["As an AI language model"],
}


@pytest.fixture
def busy_project(people, django_user_model):
    """300 demo tickets (plus planted duplicates and contradictions) written by 12 annotators,
    half of them reviewed with a comment, checked by a full scan."""
    authors = [people.annotator] + [
        django_user_model.objects.create_user(username=f"writer{i:02d}", password="x") for i in range(11)
    ]
    Membership.objects.bulk_create(
        [Membership(project=people.project, user=u, role=Role.ANNOTATOR) for u in authors[1:]]
    )
    tickets = make_examples(n=300)
    tickets += planted_faults(tickets)
    statuses = list(Example.Status)
    examples = Example.objects.bulk_create(
        Example(
            project=people.project,
            author=authors[i % len(authors)],
            status=statuses[i % len(statuses)],
            instruction=t.instruction,
            input=t.input,
            output=t.output,
        )
        for i, t in enumerate(tickets)
    )
    Revision.objects.bulk_create(Revision.of(e, e.author, "created") for e in examples)
    ReviewComment.objects.bulk_create(
        ReviewComment(example=e, author=people.reviewer, decision="request_changes", text="Be kinder.", version=1)
        for e in examples[::2]
    )
    FormatRuleSet.objects.create(project=people.project, rules=RULES)
    scan_project(people.project)
    return examples


def annotators_example_with_a_contradiction(people):
    """An example of the annotator's that the scan found contradicting another."""
    mine = set(Example.objects.filter(project=people.project, author=people.annotator).values_list("id", flat=True))
    for pair in PairFinding.objects.filter(project=people.project):
        for example_id in (pair.low_id, pair.high_id):
            if example_id in mine:
                return Example.objects.get(id=example_id)
    return Example.objects.filter(id__in=mine).order_by("id").first()


def test_the_list_makes_eight_queries_for_a_page_of_fifty(
    busy_project, as_user, people, curation_url, django_assert_max_num_queries
):
    client = as_user(people.annotator)
    # session, user, membership, the open studies this member rates (blinding), rows, findings, pairs, authors
    with django_assert_max_num_queries(8):
        response = client.get(curation_url("example-list"))
    assert len(response.context["rows"]) == 50
    page = response.content.decode()
    assert page.count("<tr>") == 51 and "writer10" in page  # the rows and every author to filter by
    with django_assert_max_num_queries(8):
        client.get(curation_url("example-list") + response.context["next_url"])


def test_the_editor_makes_eleven_queries_with_findings_and_comments(
    busy_project, as_user, people, curation_url, django_assert_max_num_queries
):
    example = annotators_example_with_a_contradiction(people)
    ReviewComment.objects.create(example=example, author=people.reviewer, decision="comment", text="Hm.", version=1)
    client = as_user(people.annotator)
    with django_assert_max_num_queries(11):  # one of them: the open studies this member rates (blinding)
        page = client.get(curation_url("example", example.id)).content.decode()
    assert "Hm." in page and "Save" in page


def test_a_save_with_its_check_makes_a_bounded_number_of_queries(
    busy_project, as_user, people, curation_url, django_assert_max_num_queries
):
    example = annotators_example_with_a_contradiction(people)
    client = as_user(people.annotator)
    form = {
        "instruction": example.instruction,
        "input": example.input,
        "output": example.output.replace('"reply": "', '"reply": "Thanks for writing. '),
        "version": example.version,
    }
    # request (3), example (1), one transaction for the save, its revision and the check (about
    # 15: the rules, findings, how many share each of the answer's edit keys, neighbours by index
    # key, their prompts, the answers of the few whose prompts match (long answers are not read for
    # the rest), pairs, keys and the edited answer's keys),
    # the semantic layer (2: the
    # project's vectors changed since the last save, this example's vector; the project's word
    # rarities once per process, cached), the editor again (8: one of them reads the answers of
    # the examples it contradicts, to tell each contradiction from this example's side)
    with django_assert_max_num_queries(31):  # and the open studies this member rates (blinding)
        response = client.post(curation_url("example", example.id), form, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert f"Saved (version {example.version + 1})" in page
    assert f"Written by {people.annotator.username}" in page
    example.refresh_from_db()
    assert example.output.startswith(form["output"][:20]) and example.version == form["version"] + 1
    assert list(example.revisions.values_list("version", "action"))[0] == (example.version, "edited")


def test_an_edited_answer_keeps_the_index_keys_and_an_edited_prompt_meets_its_new_twin(make_example):
    example = make_example(input="My parcel from Lisbon is late again.")
    twin = make_example(input="The printer shows error E42 after the update.", output='{"category": "technical"}')
    keys = sorted(ExampleKey.objects.filter(example=example, kind="near").values_list("id", flat=True))
    assert keys
    edits = set(ExampleKey.objects.filter(example=example, kind="edit").values_list("key", flat=True))
    example.output = '{"category": "shipping", "priority": "low"}'
    example.save()
    check_example(example)
    # the prompt's keys untouched; the answer's edit keys follow the answer
    assert sorted(ExampleKey.objects.filter(example=example, kind="near").values_list("id", flat=True)) == keys
    assert set(ExampleKey.objects.filter(example=example, kind="edit").values_list("key", flat=True)) != edits
    example.input = twin.input
    example.save()
    check_example(example)
    assert not set(ExampleKey.objects.filter(example=example).values_list("id", flat=True)) & set(keys)
    assert PairFinding.involving([example.id]).get().kind == "contradiction"
