"""Every assistant turn of a chat is taught: on save and in the scan, two chats with the same user
turns conflict on an earlier turn answered otherwise, and one worded otherwise is no conflict."""

import pytest

from curation import checking
from curation.models import PairFinding

pytestmark = pytest.mark.django_db


def chat(*turns):
    roles = ["user", "assistant"] * len(turns)
    return [{"role": r, "content": c} for r, c in zip(roles, turns)]


def pairs():
    return {
        (low, high, kind, detail)
        for low, high, kind, detail in PairFinding.objects.values_list("low_id", "high_id", "kind", "detail")
    }


def test_an_earlier_turn_answered_otherwise_is_a_contradiction_on_save_and_in_the_scan(people, make_example):
    first = make_example(
        messages=chat(
            "How long does a wire transfer take?",
            "Domestic wires usually arrive within 1 business day.",
            "And is there a fee?",
            "Yes, outgoing domestic wires cost $25.",
        )
    )
    # hard negative: the same opening, then another question: another conversation
    make_example(
        messages=chat(
            "How long does a wire transfer take?",
            "Domestic wires usually arrive within 3 business days.",
            "Can I cancel one after sending it?",
            "Only within 30 minutes, by calling us.",
        )
    )
    second = make_example(
        messages=chat(
            "How long does a wire transfer take?",
            "Domestic wires usually arrive within 3 business days.",
            "And is there a fee?",
            "Yes, outgoing domestic wires cost $25.",
        )
    )
    (found,) = pairs()
    assert found[:3] == (first.id, second.id, "contradiction") and "assistant turn 1 of 2" in found[3]
    checking.scan_project(people.project)
    assert {p[:3] for p in pairs()} == {(first.id, second.id, "contradiction")}


def test_a_greeting_worded_otherwise_is_one_chat(people, make_example):
    first = make_example(
        messages=chat("Hi", "Hello! How can I help?", "What is the daily ATM limit?", "The daily ATM limit is $500.")
    )
    second = make_example(
        messages=chat(
            "Hi",
            "Hi there, what can I do for you today?",
            "What is the daily ATM limit?",
            "The daily ATM limit is $500.",
        )
    )
    assert {p[:3] for p in pairs()} == {(first.id, second.id, "duplicate")}
    checking.scan_project(people.project)
    assert {p[:3] for p in pairs()} == {(first.id, second.id, "duplicate")}


def test_other_advice_in_an_earlier_turn_is_a_contradiction_and_a_question_worded_otherwise_is_not(
    people, make_example
):
    def flicker(advice, question="Does it flicker on the startup screen too?"):
        return chat(
            "The screen on my laptop flickers.",
            question,
            "No, only after Windows loads.",
            advice,
            "Will this happen again?",
            "It shouldn't, but message us if it does.",
        )

    first = make_example(messages=flicker("That means the screen hardware is failing; order a replacement screen."))
    second = make_example(
        messages=flicker("Then it's software. Update the display driver and set the refresh rate to 60 Hz.")
    )
    third = make_example(
        messages=flicker(
            "That means the screen hardware is failing; order a replacement screen.",
            question="Does the flicker also show while the laptop boots?",
        )
    )
    expected = {
        (first.id, second.id, "contradiction"),
        (first.id, third.id, "duplicate"),
        (second.id, third.id, "contradiction"),
    }
    assert {p[:3] for p in pairs()} == expected
    assert "assistant turn 2 of 3" in PairFinding.objects.get(low=first, high=second).detail
    checking.scan_project(people.project)
    assert {p[:3] for p in pairs()} == expected
