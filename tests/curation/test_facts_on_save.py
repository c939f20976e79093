"""A question of fact asked in other words: the save finds what the scan finds."""

import pytest

from curation import checking
from curation.models import PairFinding

pytestmark = pytest.mark.django_db


def pairs():
    return {(low, high, kind) for low, high, kind in PairFinding.objects.values_list("low_id", "high_id", "kind")}


def test_a_save_finds_a_fact_said_otherwise_and_the_scan_agrees(people, make_example):
    first = make_example(instruction="In which year did the Ottomans capture Constantinople?", output="1453.")
    make_example(instruction="How long did the Ottoman siege of Constantinople last?", output="About 53 days.")
    other = make_example(
        instruction="When did Constantinople fall to the Ottoman Empire?",
        output="Constantinople fell to the Ottomans in 1492.",
    )
    capital = make_example(instruction="What is the capital of Australia?", output="It's Canberra.")
    same = make_example(instruction="Name the capital city of Australia.", output="It's Canberra.")
    expected = {(first.id, other.id, "contradiction"), (capital.id, same.id, "duplicate")}
    assert pairs() == expected
    assert PairFinding.objects.get(low=first, high=other).detail.startswith("different numbers")
    checking.scan_project(people.project)
    assert pairs() == expected
