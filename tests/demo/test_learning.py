"""demo/learning.py: the demo's splits, scoring answers, and (slow) a short run that learns."""

import json

import pytest

from demo.learning import STATUS_MIX, demo_splits, demo_statuses, judged_study, score_answers


def test_demo_splits_are_the_approved_examples_frozen_as_seed_demo_does():
    splits = demo_splits()
    approved = dict(STATUS_MIX)["approved"]
    assert sum(len(v) for v in splits.values()) == approved
    assert len(splits["train"]) > 5 * len(splits["test"]) > 0
    train_prompts = {r.input for r in splits["train"]}
    assert not [r for r in splits["test"] if r.input in train_prompts]
    assert demo_splits() == splits
    assert demo_statuses().count("approved") == approved


def test_seed_demo_and_the_plain_splits_agree(tiny_model_dir, db):
    from django.core.management import call_command

    from curation.models import VersionItem

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    frozen = set(VersionItem.objects.filter(split="test").values_list("input", flat=True))
    assert frozen == {r.input for r in demo_splits()["test"]}


def test_score_answers_counts_valid_json_and_right_fields():
    ref = json.dumps({"category": "billing", "priority": "high", "reply": "Hi Ana, sorry."})
    answers = [
        ref,  # right
        json.dumps({"category": "billing", "priority": "low", "reply": "x"}),  # right category only
        json.dumps({"category": "shipping", "priority": "high"}),  # right priority only
        '{"category": "billing", "priority": "high", "reply": "Hi Ana',  # cut off: not JSON
        '["billing", "high"]',  # JSON, but not an object
        "",  # blank
        "A billing question: sorry about the double charge.",  # prose
        json.dumps({"category": "Billing", "priority": "HIGH"}),  # wrong case is wrong
    ]
    scores = score_answers(answers, [ref] * len(answers))
    assert scores.n == 8
    assert scores.json_valid == 5 / 8
    assert scores.category == 2 / 8
    assert scores.priority == 2 / 8
    assert scores.category_named == 5 / 8  # prose that names "billing" counts here, not above
    assert scores.as_dict()["examples"][0] == {"reference": ref, "answer": ref}
    with pytest.raises(ValueError, match="2 answers for 1 references"):
        score_answers(["a", "b"], [ref])
    assert score_answers([], []).json_valid == 0.0


def test_the_judged_study_ranks_the_model_whose_answers_match_the_reference_and_not_on_ties():
    refs = [json.dumps({"category": c, "priority": "low"}) for c in ("billing", "shipping", "returns", "account")]
    right = list(refs)
    prose = ["Team: billing.", "Team: shipping.", "Team: returns.", "Team: account."]
    report = judged_study(prose, right, refs)
    (pair,) = report["pairs"]
    assert (pair["a"], pair["b"], pair["a_wins"], pair["b_wins"], pair["ties"]) == ("base", "tuned", 0, 4, 0)
    board = {row["system"]: row for row in report["leaderboard"]}
    assert board["tuned"]["rating"] > board["base"]["rating"] == 1000
    assert report["position_consistency"] == 1.0
    # the same answers on both sides are ties, and a model with no decisive win is not ranked
    even = judged_study(right, right, refs)
    assert even["pairs"][0]["ties"] == 4
    assert {row["system"]: row["rating"] for row in even["leaderboard"]}["tuned"] is None
    # each side right on two items: two wins each way
    mixed = judged_study(right[:2] + prose[2:], prose[:2] + right[2:], refs)
    assert (mixed["pairs"][0]["a_wins"], mixed["pairs"][0]["b_wins"]) == (2, 2)
    with pytest.raises(ValueError, match="3 base and 4 tuned answers for 4 references"):
        judged_study(prose[:3], right, refs)


@pytest.mark.slow
def test_a_short_default_run_on_the_demo_beats_the_base_model_on_valid_json(tiny_model_dir, tmp_path):
    """The direction benchmarks/demo_learning.py measures in full: with the demo model's
    recommended settings, tuned answers are valid JSON far more often than the base's."""
    from demo.learning import generate
    from training.core.engine import TrainConfig, train
    from training.core.model_info import read_recommended

    splits = demo_splits()
    config = TrainConfig(base_model=str(tiny_model_dir), **{**read_recommended(tiny_model_dir), "epochs": 1.0})
    summary = train(config, splits["train"], [], tmp_path / "run")
    test = splits["test"][:12]
    references = [r.output for r in test]
    base_answers = generate(tiny_model_dir, test)
    tuned_answers = generate(tiny_model_dir, test, summary["final_dir"])
    base, tuned = score_answers(base_answers, references), score_answers(tuned_answers, references)
    assert base.json_valid <= 0.1
    assert tuned.json_valid >= base.json_valid + 0.5, (base.as_dict(), tuned.as_dict())
    board = judged_study(base_answers, tuned_answers, references)["leaderboard"]
    assert board[0]["system"] == "tuned" and board[0]["rating"] > 1000, board  # a study puts it ahead
