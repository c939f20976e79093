"""The planted-fault sets plant what they say: a paraphrase is really reworded, a hard negative
differs in exactly one slot, clean examples are distinct. These test the yardstick, not the checks."""

import difflib
import json
import random
import re

import pytest

from benchmarks.accuracy_sets import (
    PAIR_KINDS,
    SINGLE_KINDS,
    SLOT_KINDS,
    TERSE,
    VAGUE,
    build_sets,
    multi_edit,
    normal,
    protected_words,
)
from benchmarks.check_accuracy import score
from curation.core.checks import Finding


@pytest.fixture(scope="module")
def sets():
    return {s.domain: s for s in build_sets(size=150, seed=3)}


def query(row):
    """The text a person wrote for the request: the ticket, the question or the first user turn."""
    if "messages" in row:
        return next(m["content"] for m in row["messages"] if m["role"] == "user")
    if row["input"] and not row["input"].startswith("Tables:"):
        return row["input"]
    return row["instruction"]


def answer(row):
    return row["messages"][-1]["content"] if "messages" in row else row["output"]


def prompt(row):
    if "messages" in row:
        return "\n".join(m["content"] for m in row["messages"][:-1])
    return row["instruction"] + "\n" + row["input"]


def normal_prompt(row):
    if "messages" in row:
        return [normal(m["content"]) for m in row["messages"][:-1]]
    return [normal(row["instruction"]), normal(row["input"])]


def words(text):
    return re.findall(r"[\w']+", text.lower())


def test_four_domains_with_every_kind_planted(sets):
    assert sorted(sets) == ["chats", "queries", "questions", "tickets"]
    for planted in sets.values():
        n = len(planted.rows)
        for kind in PAIR_KINDS:
            assert len(planted.pairs[kind]) >= 10, (planted.domain, kind)
            assert all(0 <= i < n and 0 <= j < n and i != j for i, j in planted.pairs[kind])
        for kind in ("vague", "terse", "pii"):
            assert len(planted.singles[kind]) >= 3
        kinds = {h[2] for h in planted.hard_negatives}
        assert kinds == set(SLOT_KINDS), (planted.domain, set(SLOT_KINDS) - kinds)
    assert len(sets["tickets"].singles["format"]) >= 3
    assert sets["tickets"].rules == {"output_json": True}


def test_each_example_belongs_to_at_most_one_planted_fault(sets):
    for planted in sets.values():
        members = [i for v in planted.pairs.values() for p in v for i in p]
        members += [i for v in planted.singles.values() for i in v]
        members += [i for h in planted.hard_negatives for i in h[:2]]
        assert len(members) == len(set(members)), planted.domain


def test_unplanted_examples_have_distinct_prompts(sets):
    """No two examples outside a planted duplicate or contradiction pair share a prompt, even
    after case and whitespace are normalised."""
    for planted in sets.values():
        twins = {p[1] for kind in PAIR_KINDS for p in planted.pairs[kind]}
        seen = {}
        for i, row in enumerate(planted.rows):
            if i in twins:
                continue
            key = tuple(normal_prompt(row))
            assert key not in seen, (planted.domain, row, planted.rows[seen[key]])
            seen[key] = i


def test_exact_duplicates_are_equal_after_case_and_whitespace(sets):
    for planted in sets.values():
        for i, j in planted.pairs["exact"]:
            assert normal_prompt(planted.rows[i]) == normal_prompt(planted.rows[j])
            assert answer(planted.rows[i]) == answer(planted.rows[j])


def test_multi_edits_make_two_small_edits_with_the_same_answer(sets):
    for planted in sets.values():
        for i, j in planted.pairs["multi_edit"]:
            a, b = query(planted.rows[i]), query(planted.rows[j])
            assert len(planted.notes[(i, j)]["edits"]) >= 2
            assert normal(a) != normal(b)
            ops = difflib.SequenceMatcher(None, words(a), words(b)).get_opcodes()
            assert 1 <= sum(op != "equal" for op, *_ in ops) <= 3, (a, b)
            assert answer(planted.rows[i]) == answer(planted.rows[j])


def test_multi_edit_keeps_slot_values_and_negations():
    rng = random.Random(5)
    text = "Find all orders from 2022 whose status is not 'cancelled' and cost more than 40."
    for _ in range(200):
        edited, done = multi_edit(text, rng, protected_words({"status": "cancelled", "year": 2022}))
        low = normal(edited)
        assert "2022" in low and "cancelled" in low and " not " in low and "more than 40" in low
        assert len(done) >= 2 and normal(edited) != normal(text)


def test_paraphrases_are_really_reworded(sets):
    for planted in sets.values():
        for i, j in planted.pairs["paraphrase"]:
            # Compared without numbers and dates, which a rewording keeps.
            a, b = ({w for w in words(query(planted.rows[k])) if not w.isdigit()} for k in (i, j))
            assert len(a & b) / len(a | b) < 0.75, (planted.domain, a, b)
            assert answer(planted.rows[i]) == answer(planted.rows[j])


def test_reordered_pairs_swap_phrases_only(sets):
    for planted in sets.values():
        for i, j in planted.pairs["reordered"]:
            a, b = query(planted.rows[i]), query(planted.rows[j])
            assert a != b
            assert sorted(words(a)) == sorted(words(b)), (a, b)
            assert answer(planted.rows[i]) == answer(planted.rows[j])


def test_contradictions_change_the_answer_a_little(sets):
    for planted in sets.values():
        for i, j in planted.pairs["contradiction"]:
            a, b = answer(planted.rows[i]), answer(planted.rows[j])
            assert a != b
            if planted.domain == "tickets":
                x, y = json.loads(a), json.loads(b)
                assert sum(x.get(k) != y.get(k) for k in set(x) | set(y)) == 1, (a, b)
            if planted.domain == "queries":
                ops = difflib.SequenceMatcher(None, a.split(), b.split()).get_opcodes()
                assert sum(op != "equal" for op, *_ in ops) == 1, (a, b)


def test_hard_negatives_differ_in_exactly_one_slot(sets):
    for planted in sets.values():
        for i, j, kind, slot in planted.hard_negatives:
            before, after = planted.notes[(i, j)]["slots"]
            assert [k for k in before if before[k] != after[k]] == [slot]
            a, b = planted.rows[i], planted.rows[j]
            assert normal(query(a)) != normal(query(b))
            changed = [
                op
                for op in difflib.SequenceMatcher(None, words(query(a)), words(query(b))).get_opcodes()
                if op[0] != "equal"
            ]
            assert 1 <= len(changed) <= 2, (kind, query(a), query(b))
            # The rest (instruction, schema, system prompt, other turns) is the same but for the slot.
            rest_a, rest_b = (prompt(row).replace(query(row), "").split("\n") for row in (a, b))
            assert len(rest_a) == len(rest_b)
            for x, y in zip(rest_a, rest_b, strict=True):
                changed = difflib.SequenceMatcher(None, words(x), words(y)).get_opcodes()
                assert sum(op != "equal" for op, *_ in changed) <= 1, (x, y)


def test_single_faults(sets):
    for planted in sets.values():
        for i in planted.singles["vague"]:
            row = planted.rows[i]
            assert query(row) in VAGUE and (row.get("input", "") == "")
        for i in planted.singles["terse"]:
            assert answer(planted.rows[i]) in TERSE + ("{}",)
        for i in planted.singles["pii"]:
            text = answer(planted.rows[i])
            assert re.search(r"@\w|\+?\(?\d[\d ()-]{8,}\d|\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,}", text), text
    tickets = sets["tickets"]
    broken = set(tickets.singles["format"])
    for i, row in enumerate(tickets.rows):
        if i in broken:
            with pytest.raises(json.JSONDecodeError):
                json.loads(row["output"])
        else:
            json.loads(row["output"])


def test_same_seed_same_sets_other_seed_other_sets():
    first, again, other = build_sets(60, 11), build_sets(60, 11), build_sets(60, 12)
    assert [s.rows for s in first] == [s.rows for s in again]
    assert first[0].rows != other[0].rows


def test_score_counts_pairs_from_either_side_and_hard_negatives_against_precision(sets):
    planted = sets["questions"]
    findings = {}

    def flag(i, check, related=()):
        findings.setdefault(i, []).append(Finding(check, "warning", "planted", related=tuple(related)))

    for kind in PAIR_KINDS:
        for n, (i, j) in enumerate(planted.pairs[kind]):
            check = "contradiction" if kind == "contradiction" else "duplicate"
            flag(j, check, [i]) if n % 2 else flag(i, check, [j])
    for kind in SINGLE_KINDS:
        for i in planted.singles[kind]:
            flag(i, "quality" if kind in ("vague", "terse") else kind)
    perfect = score(planted, findings)
    assert all(r["found"] == r["planted"] for r in perfect["recall"].values())
    assert all(p["correct"] == p["flagged"] for p in perfect["precision"].values())
    assert all(h["flagged"] == 0 for h in perfect["hard_negatives"].values())

    i, j, kind, _ = planted.hard_negatives[0]
    flag(i, "duplicate", [j])
    worse = score(planted, findings)
    assert worse["hard_negatives"][kind]["flagged"] == 1
    assert worse["precision"]["duplicate"]["correct"] == worse["precision"]["duplicate"]["flagged"] - 1
