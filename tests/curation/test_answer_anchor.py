"""A specific answer that only a few examples share vouches for their prompts asking the same
thing: the scan and the check on save both find a paraphrase by it, and store the same keys."""

import numpy as np
import pytest

from curation import checking
from curation.models import ExampleKey, PairFinding

pytestmark = pytest.mark.django_db

QUERY = "SELECT name FROM employees WHERE department = 'Engineering' AND hire_date >= '2022-01-01';"


def pairs():
    return set(PairFinding.objects.values_list("low_id", "high_id", "kind"))


def test_a_save_finds_a_paraphrase_by_its_answer_and_the_scan_agrees(people, make_example):
    first = make_example(
        instruction="Names of Engineering staff whose hire date is later than 2021, please.", output=QUERY
    )
    # hard negative: the same query under another year is another request (or a wrong answer)
    other_year = make_example(instruction="Who joined Engineering after 2020? I need their names.", output=QUERY)
    assert pairs() == set()
    second = make_example(instruction="Who joined Engineering after 2021? I need their names.", output=QUERY)
    assert pairs() == {(first.id, second.id, "duplicate")}
    detail = PairFinding.objects.get().detail
    assert "in other words" in detail
    stored = set(ExampleKey.objects.filter(kind="ans").values_list("example_id", flat=True))
    assert stored == {first.id, other_year.id, second.id}
    before = set(ExampleKey.objects.values_list("example_id", "kind", "key"))
    checking.scan_project(people.project)
    assert pairs() == {(first.id, second.id, "duplicate")}
    assert set(ExampleKey.objects.values_list("example_id", "kind", "key")) == before  # the same keys


def test_which_answers_vouch_and_for_how_many():
    from curation.core.clusters import ANCHOR_MOST, anchored_pairs, answer_keys
    from studio.core.records import Record

    keys = answer_keys(
        [
            Record(instruction="a", output=QUERY),
            Record(instruction="b", output="  " + QUERY.upper() + "\n"),  # case and spacing folded
            Record(instruction="c", output='{"category": "billing", "priority": "high"}'),  # a label: 4 words
            Record(instruction="d", output="positive"),
        ]
    )
    assert keys[0] == keys[1] != 0 and keys[2] == 0 and keys[3] == 0
    three = [7, 7, 7, 0, 0, 9]
    assert anchored_pairs(np.array(three)) == {(0, 1), (0, 2), (1, 2)}
    many = [5] * (ANCHOR_MOST + 1)
    assert anchored_pairs(np.array(many)) == set()  # a template's answer vouches for nothing


def test_a_save_and_the_scan_agree_that_a_prompt_asking_for_more_is_no_contradiction(people, make_example):
    rows = "Write Python code that reads the CSV file 'stock_2018.csv' and prints how many data rows it has"
    plain = "import csv\nwith open('stock_2018.csv') as f:\n    print(sum(1 for _ in csv.reader(f)))"
    skipping = "import csv\nwith open('stock_2018.csv') as f:\n    r = csv.reader(f)\n    next(r)\n    print(sum(1 for _ in r))"
    first = make_example(instruction=rows + ".", output=plain)
    make_example(instruction=rows + " (skip the header line).", output=skipping)
    assert pairs() == set()
    courteous = make_example(instruction="Hello! " + rows + ". Many thanks!", output=skipping)
    found = pairs()
    assert (first.id, courteous.id, "contradiction") in found
    checking.scan_project(people.project)
    assert pairs() == found


def test_a_save_and_the_scan_agree_on_answers_one_edit_apart(people, make_example):
    query = "SELECT name FROM products WHERE category = 'sports' AND price > 80;"
    first = make_example(
        instruction="Show me the names of sports items that are more expensive than $80.", output=query
    )
    make_example(
        instruction="Which products in the kitchen category cost more than $80?",
        output=query.replace("sports", "kitchen"),
    )
    assert pairs() == set()
    second = make_example(
        instruction="Which products in the sports category cost more than $80?", output=query.replace(">", ">=")
    )
    assert pairs() == {(first.id, second.id, "contradiction")}
    checking.scan_project(people.project)
    assert pairs() == {(first.id, second.id, "contradiction")}


LIGHT = (
    "About 299,792 kilometres per second, which is roughly 186,000 miles per second; nothing carrying "
    "information travels faster."
)


def test_a_long_answer_said_word_for_word_vouches_for_prompts_worded_far_apart(people, make_example):
    first = make_example(instruction="What is the speed of light in a vacuum?", output=LIGHT)
    # hard negative: a sibling one comparison apart, answered otherwise
    make_example(
        instruction="What is the speed of sound in air?",
        output="About 343 metres per second at 20 °C, slower in cold air.",
    )
    second = make_example(instruction="How fast does light travel through empty space?", output=LIGHT)
    assert pairs() == {(first.id, second.id, "duplicate")}  # on save
    checking.scan_project(people.project)
    assert pairs() == {(first.id, second.id, "duplicate")}  # and in the scan


def test_a_command_said_word_for_word_vouches_past_a_comparison_only_one_prompt_makes(people, make_example):
    first = make_example(
        instruction="How do I undo my last commit but keep the changes staged?", output="git reset --soft HEAD~1"
    )
    second = make_example(
        instruction="I committed too early. How can I roll back that most recent commit while keeping the index?",
        output="git reset --soft HEAD~1",
    )
    assert pairs() == {(first.id, second.id, "duplicate")}
    checking.scan_project(people.project)
    assert pairs() == {(first.id, second.id, "duplicate")}


def test_a_shared_label_record_does_not_vouch_past_a_comparison(people, make_example):
    label = '{"category": "billing", "priority": "normal", "team": "finance", "sentiment": "neutral", "lang": "en"}'
    make_example(instruction="My invoice this month is higher than last month, why?", output=label)
    make_example(instruction="My invoice this month looks wrong, why?", output=label)
    checking.scan_project(people.project)
    assert pairs() == set()


TOP_DOCTOR = (
    "SELECT d.name, COUNT(*) AS visits FROM visits v JOIN doctors d ON d.doctor_id = v.doctor_id "
    "GROUP BY d.name ORDER BY visits DESC LIMIT 1;"
)


def test_a_long_query_said_word_for_word_vouches_for_prompts_that_say_rare_words_otherwise(people, make_example):
    first = make_example(instruction="Which physician has handled more visits than any other?", output=TOP_DOCTOR)
    # hard negative: the opposite request, its query ordered the other way
    make_example(
        instruction="Which physician has handled fewer visits than any other?", output=TOP_DOCTOR.replace("DESC", "ASC")
    )
    second = make_example(instruction="Find the doctor with the highest number of visits.", output=TOP_DOCTOR)
    assert pairs() == {(first.id, second.id, "duplicate")}
    checking.scan_project(people.project)
    assert pairs() == {(first.id, second.id, "duplicate")}


def test_a_short_command_said_word_for_word_vouches_as_a_long_answer_does(people, make_example):
    restore = "git checkout -- README.md"
    first = make_example(instruction="Discard local changes to a single file README.md.", output=restore)
    second = make_example(
        instruction="I messed up README.md and want it back to how it was at the last commit. What's the command?",
        output=restore,
    )
    assert pairs() == {(first.id, second.id, "duplicate")}
    checking.scan_project(people.project)
    assert pairs() == {(first.id, second.id, "duplicate")}


ZIP = r"^\d{5}(?:-\d{4})?$"


def test_a_pattern_said_word_for_word_vouches_for_prompts_that_give_other_examples(people, make_example):
    """The numbers a prompt gives as examples ("like 12345 and 12345-6789") are no other request
    when the same specific pattern answers both; a template's sibling with one number replaced
    still is one (test_a_save_finds_a_paraphrase_by_its_answer_and_the_scan_agrees)."""
    first = make_example(
        instruction="Write a regex to validate a US ZIP code (5 digits with an optional -4 extension).", output=ZIP
    )
    # hard negative: another pattern for another format, alike in words
    make_example(instruction="Write a regex to validate a UK postcode.", output=r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$")
    second = make_example(
        instruction="I need a pattern that accepts zip codes like 12345 and 12345-6789 and nothing else.", output=ZIP
    )
    assert pairs() == {(first.id, second.id, "duplicate")}
    checking.scan_project(people.project)
    assert pairs() == {(first.id, second.id, "duplicate")}


BOTTLE = "Hydro Flask 32 oz Wide Mouth bottle, 18/8 pro-grade stainless steel, double-wall vacuum insulation."


def test_one_input_with_one_json_record_vouches_for_instructions_worded_apart(people, make_example):
    """One input and one record under two instructions worded apart: the same request, found by
    the record whatever the meaning layer says; a third instruction over the input asking another
    field (a shared context) stays apart."""
    record = '{"volume_oz": 32, "material": "18/8 stainless steel"}'
    first = make_example(
        instruction="Extract the volume and material of this water bottle as JSON.", input=BOTTLE, output=record
    )
    for text, fields in [
        ("LG C3 65-inch OLED evo 4K smart TV with a9 AI Processor.", '{"screen_size_in": 65, "panel": "OLED"}'),
        ("JBL Flip 6 portable speaker, 12 hours of playtime, IP67 rated.", '{"battery_hours": 12, "ip": "IP67"}'),
        ("Nespresso Vertuo coffee pods, 30 capsules per box, medium roast.", '{"brand": "Nespresso", "pods": 30}'),
    ]:
        make_example(instruction="Extract the main attributes as JSON.", input=text, output=fields)
    # hard negative: another bottle, the same fields asked in the same words
    make_example(
        instruction="Extract the volume and material of this water bottle as JSON.",
        input="Nalgene 16 oz Narrow Mouth bottle, BPA-free Tritan plastic, leakproof lid.",
        output='{"volume_oz": 16, "material": "Tritan plastic"}',
    )
    make_example(
        instruction="Extract the brand and the insulation of this water bottle as JSON.",
        input=BOTTLE,
        output='{"brand": "Hydro Flask", "insulation": "double-wall vacuum"}',
    )
    second = make_example(
        instruction="How big is this bottle and what's it made of? Please answer with a JSON object.",
        input=BOTTLE,
        output='{ "material": "18/8 stainless steel", "volume_oz": 32 }',  # keys in another order
    )
    assert pairs() == {(first.id, second.id, "duplicate")}
    assert "the same JSON record" in PairFinding.objects.get().detail
    checking.scan_project(people.project)
    assert pairs() == {(first.id, second.id, "duplicate")}


def test_one_answer_reworded_vouches_for_prompts_worded_apart_on_save_and_in_the_scan(people, make_example):
    """Reviewers write one answer twice in their own words; the prompts above them, worded apart
    (0.73 alike), ask one thing. Keys of the answers' words propose the pair however far apart
    the prompts read; the slot guard still decides."""
    for question, answer in [
        ("How do I order new checks?", "Tap More > Order checks in the app; a box of 100 costs $25."),
        ("What is the daily ATM withdrawal limit?", "The daily ATM limit is $500 for standard checking."),
        ("Can I change my statement date?", "No, statement dates are fixed by the account type."),
    ]:
        make_example(instruction=question, output=answer)
    first = make_example(
        instruction="How can I check my credit score in the app?",
        output="Tap More > Credit score to see your free FICO Score, which is updated monthly. "
        "Checking it does not affect your score.",
    )
    # hard negative: the same steps for another score, another thing asked
    make_example(
        instruction="How can I check my VantageScore in the app?",
        output="Tap More > Credit score > VantageScore to see it, updated weekly. Checking it does not affect your score.",
    )
    second = make_example(
        instruction="Is there a way to see my FICO score through the bank?",
        output="Yes. Tap More > Credit score in the app to see your free FICO Score, updated monthly; "
        "looking at it does not affect your score.",
    )
    assert pairs() == {(first.id, second.id, "duplicate")}
    checking.scan_project(people.project)
    assert pairs() == {(first.id, second.id, "duplicate")}


def test_answers_one_value_apart_vouch_for_a_verb_each_prompt_says_its_own_way(people, make_example):
    answer = "There are {} days between the two dates."
    first = make_example(
        instruction="Between 6 July 2018 and 2 February 2024, how many days pass?", output=answer.format(2037)
    )
    # hard negative: a sibling whose answers say the word that fills the frame
    boils = make_example(
        instruction="At what temperature does water boil at sea level?", output="Water boils at 100 °C."
    )
    make_example(instruction="At what temperature does water freeze at sea level?", output="Water freezes at 0 °C.")
    assert pairs() == set()
    second = make_example(
        instruction="Count the days separating 6 July 2018 and 2 February 2024.", output=answer.format(2042)
    )
    assert pairs() == {(first.id, second.id, "contradiction")}  # on save
    detail = PairFinding.objects.get().detail
    assert "different numbers" in detail and "2037" in detail and "2042" in detail
    checking.scan_project(people.project)
    assert pairs() == {(first.id, second.id, "contradiction")}  # and in the scan
    assert boils.id not in {i for p in pairs() for i in p[:2]}
