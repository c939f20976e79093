"""How many existing examples change split from one version to the next: dealing every version
afresh (how freezing worked before) against carrying splits over (curation/core/splits.py
carry_splits), on the demo's tickets with planted histories; and what carrying costs at 100,000
examples, as a ratio to the plain deal in the same run (the near-duplicate groups, which both
need, are computed once and shared).

    .venv/bin/python benchmarks/split_stability.py [--n 100000]

Writes benchmarks/results/split_stability.json.
"""

import argparse
import json
import platform
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.synthetic import make_rows  # noqa: E402
from curation.core.demo_tickets import make_examples  # noqa: E402
from curation.core.splits import assign_splits, carry_splits, near_duplicate_groups  # noqa: E402
from studio.core.records import Record  # noqa: E402


def as_record(example):
    return Record(example.instruction, example.input, example.output)


def one_slip(text):
    """The text with two letters of its longest word swapped: a near-duplicate."""
    word = max((w for w in text.split() if w.isalpha() and len(w) >= 5), key=len)
    return text.replace(word, word[0] + word[2] + word[1] + word[3:], 1)


def history(seed):
    """Versions of a 300-ticket project: {id: record} per step, with the ids edited at that step."""
    rng = random.Random(seed)
    pool = [as_record(e) for e in make_examples(400, seed=seed)]
    v1 = {i: pool[i] for i in range(300)}
    v2 = dict(v1)
    for i in range(300, 307):  # add 7
        v2[i] = pool[i]
    v3 = dict(v2)
    victim = rng.choice(list(v3))
    v3[victim] = pool[350]  # edit 1: another ticket under the same id
    del v3[rng.choice([i for i in v3 if i != victim])]  # remove 1
    v4 = dict(v3)
    near = rng.sample(list(v4), 5)
    for k, i in enumerate(near):  # add 5 near-copies of existing tickets
        v4[1000 + k] = Record(v4[i].instruction, one_slip(v4[i].input), v4[i].output)
    return [
        ("first version", v1, set()),
        ("add 7", v2, set()),
        ("edit 1, remove 1", v3, {victim}),
        ("add 5 near-copies", v4, set()),
    ]


def moves(previous, current):
    both = [i for i in current if i in previous]
    moved = [i for i in both if previous[i] != current[i]]
    return {
        "moved": len(moved),
        "held_out_into_train": sum(1 for i in moved if current[i] == "train"),
    }


def stability(seeds):
    steps = {}
    for seed in seeds:
        redealt_prev = carried_prev = None
        for name, data, edited in history(seed):
            ids, records = list(data), list(data.values())
            groups = near_duplicate_groups(records)
            redealt = dict(zip(ids, assign_splits(records, groups=groups).splits))
            carried = dict(
                zip(ids, carry_splits(records, ids, carried_prev or {}, groups=groups, edited=edited).splits)
            )
            if redealt_prev is not None:  # one number per seed
                row = steps.setdefault(name, {"dealt_afresh": {}, "carried_over": {}})
                for how, before, after in (
                    ("dealt_afresh", redealt_prev, redealt),
                    ("carried_over", carried_prev, carried),
                ):
                    for key, value in moves(before, after).items():
                        row[how].setdefault(key, []).append(value)
            redealt_prev, carried_prev = redealt, carried
    return steps


def speed(n):
    rows, _ = make_rows(n)
    records = [Record(r["instruction"], r["input"], r["output"]) for r in rows]
    ids = list(range(n))
    start = time.perf_counter()
    groups = near_duplicate_groups(records)
    grouping = time.perf_counter() - start
    # the previous version: 97% of today's examples, dealt the plain way
    keep = int(n * 0.97)
    previous = dict(zip(ids[:keep], assign_splits(records[:keep], groups=groups[:keep]).splits))
    start = time.perf_counter()
    plain = assign_splits(records, groups=groups)
    dealt = time.perf_counter() - start
    start = time.perf_counter()
    kept = carry_splits(records, ids, previous, groups=groups)
    carried = time.perf_counter() - start
    return {
        "examples": n,
        "carried_from_previous": keep,
        "near_duplicate_groups_seconds": round(grouping, 2),
        "deal_afresh_seconds": round(dealt, 2),
        "carry_over_seconds": round(carried, 2),
        "carry_vs_deal": round(carried / dealt, 2),
        "moves_carried": len(kept.moves),
        "moved_if_dealt_afresh": sum(1 for i in previous if plain.splits[i] != previous[i]),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    args = parser.parse_args()
    result = {
        "benchmark": "split_stability",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores, Python {platform.python_version()}",
        "history_steps": stability(seeds=[7, 8, 9]),
        "speed": speed(args.n),
    }
    result["targets"] = {
        "no_move_after_adds_edits_removals": all(
            n == 0 for row in result["history_steps"].values() for n in row["carried_over"]["moved"]
        ),
        "never_held_out_into_train": all(
            n == 0 for row in result["history_steps"].values() for n in row["carried_over"]["held_out_into_train"]
        ),
        "carry_at_most_1_5x_deal": result["speed"]["carry_vs_deal"] <= 1.5,
    }
    out = ROOT / "benchmarks" / "results" / "split_stability.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
