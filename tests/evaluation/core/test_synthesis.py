"""Synthetic candidates (evaluation/core/synthesis.py, plain Python): what the model is asked and
how its untrusted reply becomes a draft, or is set aside with the reason."""

import random

import pytest

from evaluation.core.synthesis import (
    Unusable,
    like_prompt,
    new_inputs,
    paraphrase_prompt,
    parse_answer,
    parse_like,
    parse_paraphrase,
    samples,
)
from studio.core.records import Record


def test_a_like_prompt_shows_the_examples_and_asks_for_json_varying_what_the_lead_says():
    examples = [
        Record("Triage the ticket.", "My kettle leaks.", '{"category": "returns"}'),
        Record("Triage the ticket.", "", "{}"),
    ]
    prompt = like_prompt(examples, "product and tone", random.Random(0))
    assert "Input: My kettle leaks." in prompt and 'Output: {"category": "returns"}' in prompt
    assert "varying product and tone" in prompt and '{"instruction": "...", "input": "...", "output": "..."}' in prompt
    assert "varying" not in like_prompt(examples, "  ", random.Random(0))


@pytest.mark.parametrize(
    "reply, record",
    [
        (
            '{"instruction": "Triage.", "input": "Toaster smokes.", "output": "{\\"category\\": \\"returns\\"}"}',
            Record("Triage.", "Toaster smokes.", '{"category": "returns"}'),
        ),
        (
            'Sure! Here it is:\n{"instruction": " Triage. ", "output": {"category": "billing"}}\nHope it helps.',
            Record("Triage.", "", '{"category": "billing"}'),
        ),
        ('{"instruction": "Triage.", "input": 7, "output": "ok"}', Record("Triage.", "", "ok")),
    ],
)
def test_a_like_reply_becomes_a_record_from_its_json(reply, record):
    assert parse_like(reply) == record


@pytest.mark.parametrize(
    "reply, why",
    [
        ("I cannot do that.", "no JSON object"),
        ('{"input": "x", "output": "y"}', "no instruction"),
        ('{"instruction": "x", "output": ""}', "no output"),
        ("[1, 2]", "no JSON object"),
        ("", "no JSON object"),
    ],
)
def test_a_like_reply_that_makes_no_example_says_why(reply, why):
    with pytest.raises(Unusable, match=why):
        parse_like(reply)


def test_a_paraphrase_is_the_first_line_without_labels_or_quotes_and_must_differ():
    assert "Instruction: Triage the ticket." in paraphrase_prompt("Triage the ticket.")
    assert (
        parse_paraphrase('New instruction: "Sort this support ticket."\nExplanation: ...', "Triage the ticket.")
        == "Sort this support ticket."
    )
    with pytest.raises(Unusable, match="unchanged"):
        parse_paraphrase("triage  the TICKET.", "Triage the ticket.")
    with pytest.raises(Unusable, match="empty"):
        parse_paraphrase("   \n", "Triage the ticket.")


def test_answers_and_pasted_inputs():
    assert parse_answer("  {}  ") == "{}"
    with pytest.raises(Unusable):
        parse_answer("")
    assert new_inputs("a\n\n  b \n") == ["a", "b"]
    with pytest.raises(ValueError, match="at most 2"):
        new_inputs("a\nb\nc", most=2)


def test_each_like_candidate_is_asked_with_its_own_handful_of_examples():
    records = [Record(f"I{n}", "", "o") for n in range(20)]
    groups, _ = samples(records, 4, 5, seed=3)
    assert len(groups) == 4 and all(len(g) == 5 for g in groups) and len({tuple(g) for g in groups}) > 1
    assert samples(records[:2], 3, 5, seed=3)[0][0] and len(samples(records[:2], 3, 5, seed=3)[0][0]) == 2
