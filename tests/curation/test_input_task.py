"""One input under instructions worded far apart (clusters.input_task_match): a save finds the
duplicate or contradiction of labels or JSON fields, the scan finds the same, and both store the
same keys; the same text under another task stays apart."""

import pytest

from curation import checking
from curation.models import ExampleKey, PairFinding

pytestmark = pytest.mark.django_db

CLAUSE = (
    "Neither party shall be liable for any failure to perform caused by flood, fire, war, strike or any other "
    "event beyond its reasonable control."
)
LISTING = "Alder & Co. field jacket in olive drab, waxed cotton shell, sizes S to XL, two chest pockets."


def pairs():
    return {(low, high, kind) for low, high, kind in PairFinding.objects.values_list("low_id", "high_id", "kind")}


def test_a_save_finds_a_label_said_otherwise_and_another_label_and_the_scan_agrees(people, make_example):
    first = make_example(
        instruction="Categorise this provision from a supply agreement.", input=CLAUSE, output="Label: force majeure"
    )
    # the same clause under another task: a question about it, answered in words
    asked = make_example(
        instruction="What events does the clause name?", input=CLAUSE, output="Flood, fire, war and strikes."
    )
    assert pairs() == set()
    same = make_example(instruction="clause type?", input=CLAUSE, output="It's a force majeure clause.")
    other = make_example(
        instruction="Which category does the text below belong to?", input=CLAUSE, output="limitation of liability"
    )
    assert pairs() == {
        (first.id, same.id, "duplicate"),
        (first.id, other.id, "contradiction"),
        (same.id, other.id, "contradiction"),
    }
    assert asked.id not in {i for p in pairs() for i in p[:2]}
    detail = PairFinding.objects.get(low=first, high=other).detail
    assert detail == "labels “limitation of liability” vs “force majeure”"  # the one saved last first
    before = set(ExampleKey.objects.values_list("example_id", "kind", "key"))
    checking.scan_project(people.project)
    assert pairs() == {
        (first.id, same.id, "duplicate"),
        (first.id, other.id, "contradiction"),
        (same.id, other.id, "contradiction"),
    }
    assert set(ExampleKey.objects.values_list("example_id", "kind", "key")) == before


def test_json_of_the_same_fields_conflicts_and_json_of_other_fields_does_not(people, make_example):
    first = make_example(
        instruction="Pull the brand and colour out of the listing as JSON.",
        input=LISTING,
        output='{"brand": "Alder & Co.", "colour": "olive drab"}',
    )
    make_example(
        instruction="Pull the brand and material out of the listing as JSON.",
        input=LISTING,
        output='{"brand": "Alder & Co.", "material": "waxed cotton"}',
    )
    assert pairs() == set()
    wrong = make_example(
        instruction="listing -> json {brand, colour}, nothing else",
        input=LISTING,
        output='{"brand": "Alder & Co.", "colour": "khaki"}',
    )
    assert pairs() == {(first.id, wrong.id, "contradiction")}
    checking.scan_project(people.project)
    assert pairs() == {(first.id, wrong.id, "contradiction")}
