"""live_check: the editor's findings panel as one types (what Save would find, storing nothing),
and checking.preview against check_example on the same texts."""

import re

import pytest

from curation import checking
from curation.models import Example, ExampleKey, ExampleVector, Finding, PairFinding, Revision

pytestmark = pytest.mark.django_db

ORDERS_SQL = (
    "SELECT COUNT(*) FROM orders o JOIN customers c ON c.id = o.customer_id "
    "WHERE c.country = 'Canada' AND o.year = 2023"
)


def stored_rows():
    """Everything a check or a save writes, counted."""
    return [m.objects.count() for m in (Example, Revision, Finding, PairFinding, ExampleKey, ExampleVector)]


def panel_items(html):
    """The findings panel's entries as a person reads them: tags stripped, spaces collapsed."""
    section = re.search(r'<section class="card findings" id="findings".*?</section>', html, re.S).group(0)
    items = re.findall(r"<li[^>]*>(.*?)</li>", section, re.S)
    return sorted(" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items)


# --- the view ---------------------------------------------------------------------------------


def test_a_draft_that_rewords_an_existing_example_shows_the_duplicate_and_writes_nothing(
    as_user, people, make_example, curation_url
):
    original = make_example(instruction="How many orders did customers from Canada place in 2023?", output=ORDERS_SQL)
    make_example(instruction="What is the capital of Australia?", output="Canberra")
    make_example(
        instruction="List the customers who joined in March.", output="SELECT name FROM customers WHERE month = 3"
    )
    before = stored_rows()
    response = as_user(people.annotator).post(
        curation_url("live-check-new"),
        {"instruction": "In 2023, how many orders were placed by customers from Canada?", "output": ORDERS_SQL},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="{curation_url("example", original.id)}"' in html
    (item,) = panel_items(html)
    assert re.fullmatch(
        rf"duplicate The same request as #{original.id} , with the same answer: the same request in other words \(\d+% alike\)\.",
        item,
    )
    assert "Checked as typed, not saved yet" in html
    assert stored_rows() == before


def test_a_duplicate_in_other_words_of_answer_says_it_agrees_not_that_it_is_the_same(
    as_user, people, make_example, curation_url
):
    original = make_example(instruction="What is the capital of France?", output="Paris")
    response = as_user(people.annotator).post(
        curation_url("live-check-new"),
        {"instruction": "What is the capital of France?", "output": "It is Paris."},
        HTTP_HX_REQUEST="true",
    )
    (item,) = panel_items(response.content.decode())
    assert f"#{original.id} , with an answer that agrees" in item and "the same answer" not in item


def test_an_edit_is_checked_as_typed_without_touching_the_saved_example(as_user, people, make_example, curation_url):
    shipping = make_example(input="My parcel never arrived.", output='{"category": "shipping", "priority": "high"}')
    mine = make_example(input="I was charged twice.", output='{"category": "billing", "priority": "low"}')
    before = stored_rows()
    response = as_user(people.annotator).post(
        curation_url("live-check", mine.id),
        {
            "instruction": mine.instruction,
            "input": "My parcel never arrived.",
            "output": '{"category": "billing", "priority": "high"}',
            "version": mine.version,
        },
    )
    assert response.status_code == 200
    items = panel_items(response.content.decode())
    assert items == [
        f"contradiction The same request as #{shipping.id} but a conflicting answer: JSON $.category: “billing” vs “shipping”."
    ]
    assert stored_rows() == before
    mine.refresh_from_db()
    assert (mine.input, mine.version) == ("I was charged twice.", 1)
    assert not PairFinding.involving([mine.id]).exists()


def test_a_vague_chat_turn_and_a_clean_one(as_user, people, curation_url):
    client = as_user(people.annotator)
    vague = client.post(
        curation_url("live-check-new"),
        {"kind": "chat", "role_0": "user", "content_0": "Help", "role_1": "assistant", "content_1": ""},
    )
    clean = client.post(
        curation_url("live-check-new"),
        {
            "kind": "chat",
            "role_0": "user",
            "content_0": "Which plan includes phone support, Basic or Pro?",
            "role_1": "assistant",
            "content_1": "Only Pro includes phone support; Basic has email support.",
        },
    )
    assert vague.status_code == clean.status_code == 200
    assert any("assistant" in item and "format" in item for item in panel_items(vague.content.decode()))
    assert "✓ No problems found." in clean.content.decode()
    assert not Example.objects.exists()


def test_live_and_saved_findings_read_the_same(as_user, people, make_example, curation_url):
    make_example(instruction="Which city is the capital of Australia?", output="Canberra")
    make_example(instruction="Triage the ticket.", input="Refund please", output='{"category": "billing"}')
    fields = {"instruction": "What city is the capital of Australia?", "output": "Sydney (ann@example.org)"}
    client = as_user(people.annotator)
    live = panel_items(client.post(curation_url("live-check-new"), fields).content.decode())
    client.post(curation_url("new-example"), fields)
    saved_example = Example.objects.get(output="Sydney (ann@example.org)")
    saved = panel_items(client.get(curation_url("example", saved_example.id)).content.decode())
    assert live == saved, live
    assert any(item.startswith("contradiction") for item in live)
    assert any(item.startswith("pii") for item in live)


def test_silenced_pairs_stay_silent_as_one_types(as_user, people, make_example, curation_url):
    from curation.models import SilencedPair

    first = make_example(instruction="Which city is the capital of Australia?", output="Canberra")
    second = make_example(instruction="Which city is the capital of Australia ?", output="Canberra")
    SilencedPair.objects.create(project=people.project, low=first, high=second, by=people.lead)
    response = as_user(people.annotator).post(
        curation_url("live-check", second.id), {"instruction": second.instruction, "output": "Canberra"}
    )
    assert "✓ No problems found." in response.content.decode()


def test_live_check_outsider_gets_404(as_user, people, make_example, curation_url):
    example = make_example()
    client = as_user(people.outsider)
    assert client.post(curation_url("live-check-new"), {"instruction": "Hi", "output": "Hello"}).status_code == 404
    assert client.post(curation_url("live-check", example.id), {"instruction": "x", "output": "y"}).status_code == 404
    # and a member cannot reach another project's example through their own project's URL
    other = make_example(project=people.other_project, author=people.outsider)
    response = as_user(people.annotator).post(curation_url("live-check", other.id), {"instruction": "x", "output": "y"})
    assert response.status_code == 404


def test_live_check_wrong_role_or_someone_elses_example_gets_403(
    as_user, people, make_example, curation_url, second_annotator
):
    example = make_example()
    fields = {"instruction": "Triage the ticket.", "output": "{}"}
    assert as_user(people.reviewer).post(curation_url("live-check-new"), fields).status_code == 403
    assert as_user(people.reviewer).post(curation_url("live-check", example.id), fields).status_code == 403
    assert as_user(second_annotator).post(curation_url("live-check", example.id), fields).status_code == 403
    assert as_user(people.lead).post(curation_url("live-check", example.id), fields).status_code == 200


def test_live_check_only_answers_post(as_user, people, curation_url):
    assert as_user(people.annotator).get(curation_url("live-check-new")).status_code == 405


def test_an_example_in_the_trash_is_not_checked_as_typed(as_user, people, make_example, curation_url):
    example = make_example()
    example.move_to_trash(user=people.lead)
    response = as_user(people.annotator).post(curation_url("live-check", example.id), {"instruction": "x"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        (
            {"kind": "chat", "role_0": "user", "content_0": "Hi", "content_1": "Hello"},
            "Turn 2 has no role_1: each turn is posted as role_1 and content_1.",
        ),
        (
            {"kind": "chat", "role_0": "user", "content_0": "Hi", "role_2": "assistant", "content_2": "Hello"},
            "Turn 2 (role_1, content_1) is missing: turns are numbered from 0 without gaps.",
        ),
        (
            {"kind": "chat", "role_x": "user", "content_x": "Hi"},
            "role_x: a turn&#x27;s number must be a whole number from 0",
        ),
        ({"kind": "chat", "role_0": "user", "content_0": " "}, "Write at least one turn."),
        ({"instruction": " ", "output": ""}, "Write an instruction and an output."),
        ({"kind": "poem", "instruction": "Hi", "output": "Hello"}, "kind must be “chat” or left out."),
        (
            {"instruction": "Summarise this.", "input": "word " * 250_000},
            "the limit is 1 MB (the MAX_EXAMPLE_BYTES setting)",
        ),
    ],
)
def test_bad_input_is_refused_with_a_reason_in_the_panel(as_user, people, curation_url, fields, reason):
    response = as_user(people.annotator).post(curation_url("live-check-new"), fields)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="findings"' in html
    assert "Not checked: " in html
    assert reason in html
    assert not Example.objects.exists()


def test_the_editor_wires_the_form_to_the_live_check(as_user, people, make_example, curation_url):
    example = make_example()
    client = as_user(people.annotator)
    for page, url in [
        (client.get(curation_url("new-example")), curation_url("live-check-new")),
        (client.get(curation_url("new-example") + "?kind=chat"), curation_url("live-check-new")),
        (client.get(curation_url("example", example.id)), curation_url("live-check", example.id)),
    ]:
        html = page.content.decode()
        assert f'hx-post="{url}"' in html
        assert 'hx-trigger="input changed delay:600ms from:#example-form"' in html
        assert "checking…" in html
    # a reviewer reads the example without a form: nothing to check as they type
    assert 'id="live-check"' not in as_user(people.reviewer).get(curation_url("example", example.id)).content.decode()


# --- preview and save agree -------------------------------------------------------------------


def as_found(single, pairs):
    return (
        sorted((f.check, f.severity, f.message, f.field) for f in single),
        sorted(pairs),
    )


def as_stored(example):
    single, pairs = checking.findings_of(example)
    return sorted((f.kind, f.severity, f.message, f.field) for f in single), sorted(pairs)


CASES = {
    "paraphrase": {
        "instruction": "In 2023, how many orders were placed by customers from Canada?",
        "output": ORDERS_SQL,
    },
    "another year (a sibling, not a duplicate)": {
        "instruction": "How many orders did customers from Canada place in 2022?",
        "output": ORDERS_SQL.replace("2023", "2022"),
    },
    "contradiction in JSON": {
        "instruction": "Triage the ticket.",
        "input": "My parcel never arrived and tracking has not moved in a week.",
        "output": '{"category": "billing", "priority": "high"}',
    },
    "contradiction in a short answer": {"instruction": "What is the capital of Australia ?", "output": "Sydney"},
    "near-identical wording": {"instruction": "Which city is the capital of Australia?", "output": "Canberra"},
    "vague instruction": {"instruction": "Help", "output": "Sure, happy to."},
    "pii and a short answer": {
        "instruction": "Reply to the customer.",
        "input": "Call me on +44 20 7946 0958",
        "output": "Ok",
    },
    "chat": {
        "messages": [
            {"role": "user", "content": "What is the capital of Australia?"},
            {"role": "assistant", "content": "Canberra"},
        ]
    },
}


@pytest.mark.parametrize("case", list(CASES))
def test_preview_finds_what_saving_stores(people, make_example, case):
    make_example(instruction="How many orders did customers from Canada place in 2023?", output=ORDERS_SQL)
    make_example(
        instruction="Triage the ticket.",
        input="My parcel never arrived and tracking has not moved in a week.",
        output='{"category": "shipping", "priority": "high"}',
    )
    make_example(instruction="What is the capital of Australia?", output="Canberra")
    draft = Example(project=people.project, author=people.annotator, **CASES[case])
    before = stored_rows()
    previewed = checking.preview(draft)
    assert stored_rows() == before
    draft.save()
    checking.check_example(draft)
    assert as_found(*previewed) == as_stored(draft)
    expected_kinds = {
        "paraphrase": {"duplicate"},
        "another year (a sibling, not a duplicate)": set(),
        "contradiction in JSON": {"contradiction"},
        "contradiction in a short answer": {"contradiction"},
        "near-identical wording": {"duplicate"},
        "vague instruction": {"quality"},
        "pii and a short answer": {"pii", "quality"},
        "chat": {"duplicate"},
    }[case]
    found_kinds = {f.check for f in previewed[0]} | {kind for _, kind, _ in previewed[1]}
    assert found_kinds == expected_kinds


def test_preview_of_a_saved_example_excludes_itself_and_matches_its_next_save(people, make_example):
    make_example(instruction="What is the capital of Australia?", output="Canberra")
    mine = make_example(instruction="Name the largest desert in Africa.", output="The Sahara")
    mine.instruction, mine.output = "What is the capital city of Australia?", "Sydney"
    previewed = checking.preview(mine)
    assert all(other != mine.id for other, _, _ in previewed[1])
    mine.save()
    checking.check_example(mine)
    assert as_found(*previewed) == as_stored(mine)
    assert {kind for _, kind, _ in previewed[1]} == {"contradiction"}


SCHEMA = (
    "Tables: customers(id, name, country, city); orders(id, customer_id, order_date, total); "
    "employees(id, name, department, salary)"
)


def assert_a_contradiction_on_save_and_in_the_scan(people, draft, asked):
    """The live check shows `draft` contradicting `asked` alone, Save stores what it showed, and
    the scan of the whole project says the same of the two."""
    from curation.core.dataset import check_records

    previewed = checking.preview(draft)
    assert [(other, kind) for other, kind, _ in previewed[1]] == [(asked.id, "contradiction")]
    draft.save()
    checking.check_example(draft)
    assert as_found(*previewed) == as_stored(draft)
    rows = list(Example.objects.filter(project=people.project).order_by("id"))
    found = check_records([e.record() for e in rows])
    where = {e.id: n for n, e in enumerate(rows)}
    assert [f.check for f in found[where[draft.id]] if where[asked.id] in f.related] == ["contradiction"]


def test_a_question_over_a_shared_schema_is_checked_by_its_question_on_save_as_in_the_scan(people, make_example):
    """Every example's input is the one table schema: the input tells none apart, so Save compares
    the questions (as the scan does), and a reworded question with another query is a contradiction."""

    topics = [
        ("List the employees of the {} department.", "SELECT name FROM employees WHERE department = '{}'"),
        ("What is the average salary in {}?", "SELECT AVG(salary) FROM employees WHERE department = '{}'"),
        ("Which customers live in {}?", "SELECT name FROM customers WHERE city = '{}'"),
        ("Who earns the most in {}?", "SELECT name FROM employees WHERE department = '{}' ORDER BY salary DESC"),
        (
            "Show the orders shipped to {}.",
            "SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.city = '{}'",
        ),
    ]  # 75 questions: the project's meaning threshold is measured on them
    places = "Sales Legal Lisbon Oslo Kenya Chile Support Quito Peru Finance Tokyo Cairo Lima Dublin Ghana".split()
    for question, query in topics:
        for place in places:
            make_example(instruction=question.format(place), input=SCHEMA, output=query.format(place), check=False)
    brazil = ORDERS_SQL.replace("Canada", "Brazil").replace("2023", "2021")
    asked = make_example(
        instruction="How many orders did customers from Brazil place in 2021?", input=SCHEMA, output=brazil
    )
    draft = Example(
        project=people.project,
        author=people.annotator,
        instruction="Count the orders placed in 2021 by customers located in Brazil.",
        input=SCHEMA,
        output=brazil.replace("COUNT(*)", "COUNT(DISTINCT c.id)"),
    )
    assert_a_contradiction_on_save_and_in_the_scan(people, draft, asked)
    # another year is another question
    sibling = Example(
        project=people.project,
        author=people.annotator,
        instruction="Count the orders placed in 2020 by customers located in Brazil.",
        input=SCHEMA,
        output=brazil.replace("2021", "2020"),
    )
    assert checking.preview(sibling)[1] == []


DIVERSE = """Explain how photosynthesis turns light into sugar.
Write a haiku about autumn rain in the mountains.
What causes the tides along the coast?
Summarise the plot of Hamlet in three sentences.
How do I reset a forgotten router password?
Give tips for sleeping better after night shifts.
Why is the sky blue during the day but red at sunset?
Describe the rules of chess castling.
What is the difference between a virus and a bacterium?
Suggest a vegetarian dinner using chickpeas and spinach.
How does a bicycle gear system work?
Write a polite email declining a meeting invitation.
What were the main causes of the French Revolution?
How can I remove a red wine stain from a carpet?
Explain recursion to a ten-year-old.
Which houseplants survive in low light?
What does a mortgage broker actually do?
Compose a short birthday toast for a colleague.
How do vaccines train the immune system?
List good habits for learning a new language.
Why do cats purr?
Describe how a refrigerator keeps food cold.
What is the role of the Supreme Court?
How should I prepare for a job interview at a startup?
Explain the offside rule in football.
What makes sourdough bread rise without yeast packets?
Give a short history of the printing press.
How do noise-cancelling headphones work?
Recommend stretches for lower back pain.""".splitlines()


def test_a_reworded_question_naming_the_same_numbers_is_found_among_its_templates_siblings(people, make_example):
    """A template asked of many quantities fills every neighbour place with siblings naming other
    numbers, which never match. Neighbours name the same numbers as the prompt (on Save as in the
    scan), and prompts naming the same numbers are looked at from the meaning a shared answer
    needs: the reworded conversion whose answer has another value is reported."""

    units = [("feet", "metres", 3.2808), ("miles", "kilometres", 0.6214), ("pounds", "kilograms", 2.2046)]
    units += [("inches", "centimetres", 0.3937), ("US gallons", "litres", 0.2642)]
    for to, unit, factor in units:
        for n in (1, 2, 3, 5, 8, 10, 12, 15, 20, 25, 30, 40, 50, 75, 100):
            make_example(
                instruction=f"How many {to} are in {n} {unit}?",
                output=f"{n} {unit} is about {n * factor:.2f} {to}.",
                check=False,
            )
    for text in DIVERSE:  # the project's meaning threshold is measured on varied prompts, as in a real set
        make_example(instruction=text, output=f"An answer about {text.lower()}", check=False)
    asked = Example.objects.get(project=people.project, instruction="How many feet are in 8 metres?")
    draft = Example(
        project=people.project,
        author=people.annotator,
        instruction="If something measures 8 metres, what is that in feet?",
        output="8 metres is about 28.87 feet.",
    )
    checking.scan_project(people.project)  # the stored vectors and number keys Save looks among
    assert_a_contradiction_on_save_and_in_the_scan(people, draft, asked)
    # the same words of another quantity, or the other way round, are other requests
    for instruction, output in (
        ("If something measures 12 metres, what is that in feet?", "12 metres is about 42.00 feet."),
        ("If something measures 8 feet, what is that in metres?", "8 feet is about 2.44 metres."),
    ):
        other = Example(project=people.project, author=people.annotator, instruction=instruction, output=output)
        assert asked.id not in [other_id for other_id, _, _ in checking.preview(other)[1]]


def test_a_reworded_request_whose_answer_is_one_value_apart_is_found_among_many_siblings(people, make_example):
    """Two wordings of one template over many things: the siblings in the draft's own wording fill
    every nearest-neighbour place and read more alike to it than the example it rewords. Answers
    one value apart share an edit key (stored by the scan, looked up on Save), so the reworded
    request with a flipped sort order is reported against its own example, not its siblings."""
    nouns = (
        "scores prices ages weights heights salaries distances temperatures speeds ratings votes "
        "totals balances durations counts sizes lengths widths depths volumes areas grades points "
        "bids offers fees rents wages taxes costs budgets profits losses margins yields returns "
        "deposits loans"
    ).split()
    for noun in nouns:
        make_example(
            instruction=f"Write a Python function that returns the 5 largest {noun} from a list.",
            output=f"def pick_{noun}(values):\n    return sorted(values, reverse=True)[:5]",
            check=False,
        )
    for noun in nouns[1:]:
        make_example(
            instruction=f"Give me Python code that keeps only the 5 biggest {noun} of a list.",
            output=f"def pick_{noun}(values):\n    return sorted(values, reverse=True)[:5]",
            check=False,
        )
    for text in DIVERSE:
        make_example(instruction=text, output=f"An answer about {text.lower()}", check=False)
    asked = Example.objects.get(
        project=people.project, instruction="Write a Python function that returns the 5 largest scores from a list."
    )
    draft = Example(
        project=people.project,
        author=people.annotator,
        instruction="Give me Python code that keeps only the 5 biggest scores of a list.",
        output="def pick_scores(values):\n    return sorted(values, reverse=False)[:5]",
    )
    checking.scan_project(people.project)
    assert_a_contradiction_on_save_and_in_the_scan(people, draft, asked)
