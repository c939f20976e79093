import json

from curation.core.demo_tickets import CATEGORIES, PRIORITIES, make_examples


def test_demo_examples_are_valid_triage_answers():
    examples = make_examples()
    assert len(examples) == 300
    assert len({(e.instruction, e.input) for e in examples}) == 300  # no two tickets alike
    for e in examples:
        answer = json.loads(e.output)
        assert set(answer) == {"category", "priority", "reply"}
        assert answer["category"] in CATEGORIES
        assert answer["priority"] in PRIORITIES
        assert answer["reply"].startswith("Hi ")
    assert {json.loads(e.output)["category"] for e in examples} == set(CATEGORIES)


def test_same_seed_same_examples_other_seed_other_examples():
    assert make_examples(n=50, seed=1) == make_examples(n=50, seed=1)
    assert make_examples(n=50, seed=1) != make_examples(n=50, seed=2)


def test_escalated_tickets_get_a_higher_priority():
    for e in make_examples():
        if "Our whole team is blocked" in e.input:
            assert json.loads(e.output)["priority"] in {"normal", "high", "urgent"}
