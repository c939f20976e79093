"""Splits carried from one version to the next: planted histories of additions, edits and
removals, bridges between splits, and the lead's re-split."""

import json
import random

import pytest

from curation.core.splits import SPLITS, SplitConfig, SplitError, assign_splits, carry_splits, near_duplicate_groups
from studio.core.records import Record

TOPICS = "parcel invoice refund login screen battery charger order plan card address password".split()


def ticket(n, rng):
    return Record(
        "Triage the ticket.",
        f"Ticket {n}: my {rng.choice(TOPICS)} {rng.choice(TOPICS)} is broken since {rng.randint(1, 28)} May",
        json.dumps({"category": rng.choice(["billing", "technical", "shipping"]), "priority": "high"}),
    )


def typo(record):
    """A near-duplicate: the same ticket with one spelling slip."""
    return Record(record.instruction, record.input.replace("broken", "brokn"), record.output)


def first_version(n=300, seed=5):
    """{id: record} and the first version's {id: split}: n tickets, every tenth with a
    case variant (near-duplicate clusters of two)."""
    rng = random.Random(seed)
    data = {}
    for i in range(n):
        data[1000 + i] = ticket(i, rng)
        if i % 10 == 0:
            r = data[1000 + i]
            data[5000 + i] = Record(r.instruction, r.input.upper(), r.output)
    ids = list(data)
    result = carry_splits([data[i] for i in ids], ids, {})
    return data, dict(zip(ids, result.splits))


def next_version(data, previous, edited=(), **kwargs):
    ids = list(data)
    result = carry_splits([data[i] for i in ids], ids, previous, edited=set(edited), **kwargs)
    return dict(zip(ids, result.splits)), result


def test_the_first_version_is_the_plain_seeded_split():
    data, v1 = first_version()
    records = list(data.values())
    assert list(v1.values()) == assign_splits(records).splits


def test_adding_seven_editing_one_and_removing_one_moves_nothing():
    data, v1 = first_version()
    rng = random.Random(11)
    test_ids = [i for i, s in v1.items() if s == "test" and i < 5000]
    train_ids = [i for i, s in v1.items() if s == "train" and i < 5000]
    v2_data = dict(data)
    # seven new: four new tickets, two near-copies of test tickets, one near-copy of a train ticket
    for k in range(4):
        v2_data[9000 + k] = ticket(700 + k, rng)
    v2_data[9100] = typo(data[test_ids[0]])
    v2_data[9101] = typo(data[test_ids[1]])
    v2_data[9102] = typo(data[train_ids[0]])
    # one edit: another answer and a reworded ticket, by the same id
    edited = train_ids[5]
    v2_data[edited] = Record(
        "Triage the ticket.", "Ticket 9999: the courier left my box in the rain", '{"category": "shipping"}'
    )
    # one removal, from a cluster of two
    del v2_data[5000 + 10]

    v2, result = next_version(v2_data, v1, edited=[edited])

    assert result.moves == []
    assert all(v2[i] == v1[i] for i in v2 if i in v1)
    assert result.carried == len([i for i in v2 if i in v1])
    assert v2[9100] == v2[9101] == "test"  # a new near-copy takes its cluster's split
    assert v2[9102] == "train"
    # re-dealing everything, as freezing did before, would have moved existing examples
    redealt = dict(zip(v2_data, assign_splits(list(v2_data.values())).splits))
    assert sum(1 for i in redealt if i in v1 and redealt[i] != v1[i]) > 0


def test_new_groups_are_dealt_to_keep_the_ratios_of_the_whole_set():
    data, v1 = first_version(300)
    rng = random.Random(3)
    v2_data = dict(data)
    for k in range(300):
        v2_data[20000 + k] = ticket(1000 + k, rng)
    # the lead asks for more held-out data from now on: only new examples can fill it
    v2, result = next_version(v2_data, v1, config=SplitConfig(ratios=(0.6, 0.2, 0.2)))
    assert result.moves == []
    total = len(v2)
    for split, ratio in zip(SPLITS, (0.6, 0.2, 0.2)):
        assert abs(result.counts[split] - ratio * total) <= 3, (split, result.counts)
    new_test = sum(1 for i in v2 if i >= 20000 and v2[i] == "test")
    assert new_test > 0.25 * 300  # more than the plain 20%: the test split was short


def test_stratified_new_examples_fill_their_own_label():
    data, v1 = first_version(300)
    config = SplitConfig(stratify_field="category")
    ids = list(data)
    v1 = dict(zip(ids, carry_splits([data[i] for i in ids], ids, {}, config).splits))
    v2_data = dict(data)
    for k in range(90):
        v2_data[30000 + k] = Record(
            "Triage the ticket.", f"Refund {k} was never paid", json.dumps({"category": "refunds"})
        )
    v2, result = next_version(v2_data, v1, config=config)
    assert result.moves == []
    refunds = result.by_label["refunds"]
    assert refunds["test"] == 9 and refunds["validation"] == 9 and refunds["train"] == 72


A = Record("Triage the ticket.", "My parcel from Lyon never arrived yesterday", '{"category": "shipping"}')
B = Record("Triage the ticket.", "My parcle from Lyon never arived yesterday", '{"category": "shipping"}')
BRIDGE = Record("Triage the ticket.", "My parcle from Lyon never arrived yesterday", '{"category": "shipping"}')
OTHER = Record("Triage the ticket.", "The invoice for March lists a second charger", '{"category": "billing"}')


def test_a_new_example_that_bridges_train_and_test_pulls_the_group_out_of_train():
    assert near_duplicate_groups([A, B]) == [0, 1]  # two slips apart: not near-duplicates alone
    previous = {1: "train", 2: "test", 4: "train"}
    result = carry_splits([A, B, BRIDGE, OTHER], [1, 2, 3, 4], previous)
    assert result.splits == ["test", "test", "test", "train"]
    (move,) = result.moves
    assert (move.example, move.source, move.target) == (1, "train", "test")
    assert "new #3" in move.why and "#2" in move.why and "never trained on" in move.why


def test_an_edit_that_bridges_validation_and_test_goes_to_test():
    previous = {1: "validation", 2: "test", 3: "train"}
    # #3 was an unrelated training ticket; its edit makes it the bridge
    result = carry_splits([A, B, BRIDGE], [1, 2, 3], previous, edited={3})
    assert result.splits == ["test", "test", "test"]
    moves = {m.example: (m.source, m.target) for m in result.moves}
    assert moves == {1: ("validation", "test"), 3: ("train", "test")}
    assert all("edited #3" in m.why for m in result.moves)


def test_removing_the_bridge_leaves_both_sides_where_they_were():
    previous = {1: "test", 2: "test", 3: "test"}
    result = carry_splits([A, B], [1, 2], previous)
    assert result.splits == ["test", "test"] and result.moves == []


def test_the_lead_can_resplit_with_a_reason_that_every_move_carries():
    data, v1 = first_version(300)
    ids = list(data)
    reason = "v1 had too few billing tickets in train; re-dealt with seed 9 after the audit"
    result = carry_splits([data[i] for i in ids], ids, v1, SplitConfig(seed=9), resplit=reason)
    into_train = [m for m in result.moves if m.target == "train" and m.source != "train"]
    assert into_train, "a re-split with another seed deals some held-out examples into train"
    assert all(m.why == f"re-split by the lead: {reason}" for m in result.moves)
    assert result.splits == assign_splits([data[i] for i in ids], SplitConfig(seed=9)).splits
    # the same request without a reason keeps every example where it was
    kept = carry_splits([data[i] for i in ids], ids, v1, SplitConfig(seed=9), resplit="   ")
    assert kept.moves == [] and kept.splits == list(v1.values())


def test_random_histories_never_move_held_out_examples_into_train():
    rng = random.Random(2)
    data, current = first_version(150, seed=8)
    next_id = 50000
    for step in range(8):
        ids = list(data)
        edited = set()
        for _ in range(rng.randint(0, 15)):  # near-copies of anything, new tickets
            base = data[rng.choice(ids)]
            data[next_id] = typo(base) if rng.random() < 0.5 else ticket(next_id, rng)
            next_id += 1
        for victim in rng.sample(ids, 5):  # edits: some become near-copies of another example
            data[victim] = typo(data[rng.choice(ids)]) if rng.random() < 0.5 else ticket(victim + 77777, rng)
            edited.add(victim)
        for victim in rng.sample(list(data), 3):
            del data[victim]
            edited.discard(victim)
        new, result = next_version(data, current, edited=edited)
        moved = {m.example: m for m in result.moves}
        for i, split in new.items():
            if i in current and current[i] != split:
                assert i in moved, (step, i)
                assert split != "train" and "held-out" in moved[i].why
        assert len(moved) == sum(1 for i in new if i in current and current[i] != new[i])
        groups = dict(zip(data, result.groups))
        by_group = {}
        for i, g in groups.items():
            by_group.setdefault(g, set()).add(new[i])
        assert all(len(s) == 1 for s in by_group.values()), step
        current = new


@pytest.mark.parametrize(
    ("ids", "previous", "message"),
    [
        ([1, 1], {}, "given more than once: 1"),
        ([1], {}, "1 ids for 2 examples"),
        ([1, 2], {1: "dev"}, "not 'dev'"),
    ],
)
def test_bad_input_is_refused_with_a_reason(ids, previous, message):
    with pytest.raises(SplitError, match=message):
        carry_splits([A, OTHER], ids, previous)
