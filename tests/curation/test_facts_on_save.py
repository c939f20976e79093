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


def test_a_save_finds_a_yes_and_a_no_to_one_question_and_the_scan_agrees(people, make_example):
    yes = make_example(
        instruction="Does my debit card work in Canada?", output="Yes, it works anywhere Visa is accepted."
    )
    make_example(instruction="Will my card work in Cuba?", output="No, US-issued cards do not work in Cuba.")
    no = make_example(
        instruction="Will I be able to use my debit card when I'm in Canada?",
        output="No, our debit cards only work inside the United States.",
    )
    assert pairs() == {(yes.id, no.id, "contradiction")}
    checking.scan_project(people.project)
    assert pairs() == {(yes.id, no.id, "contradiction")}


def test_a_quantity_said_in_words_names_what_differs_on_save_and_in_the_scan(people, make_example):
    early = make_example(
        instruction="How early should I arrive at the airport for a domestic flight in the US?",
        output="Arrive about two hours before a domestic flight in the US. That leaves time for bag drop and security.",
    )
    late = make_example(
        instruction="For a US domestic flight, how far ahead of departure should I get to the airport?",
        output="Thirty minutes before departure is plenty for a domestic US flight. Security lines are rarely long.",
    )
    assert pairs() == {(early.id, late.id, "contradiction")}
    assert PairFinding.objects.get(low=early, high=late).detail.startswith("different numbers")
    checking.scan_project(people.project)
    assert PairFinding.objects.get(low=early, high=late).detail.startswith("different numbers")


def test_a_chat_that_asks_one_question_is_a_question_of_fact_on_save_too(people, make_example):
    def chat(question, answer):
        return [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]

    yes = make_example(messages=chat("Does my debit card work in Canada?", "Yes, it works anywhere Visa is accepted."))
    no = make_example(
        messages=chat(
            "Will I be able to use my debit card when I'm in Canada?",
            "No, our debit cards only work inside the United States.",
        )
    )
    assert pairs() == {(yes.id, no.id, "contradiction")}
    checking.scan_project(people.project)
    assert pairs() == {(yes.id, no.id, "contradiction")}


def test_a_save_finds_one_value_answering_a_question_worded_far_apart_and_the_scan_agrees(people, make_example):
    madrid = make_example(instruction="What is the capital city of Spain?", output="Madrid")
    make_example(instruction="Which city is home to the Prado museum?", output="Madrid")
    peak = make_example(instruction="What is the highest mountain in Africa?", output="Kilimanjaro")
    tallest = make_example(instruction="Name Africa's tallest peak.", output="Kilimanjaro")
    spain = make_example(instruction="Tell me Spain's capital.", output="Madrid")
    expected = {(madrid.id, spain.id, "duplicate"), (peak.id, tallest.id, "duplicate")}
    assert pairs() == expected
    checking.scan_project(people.project)
    assert pairs() == expected
