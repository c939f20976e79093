"""How well the checks find faults among preference pairs (prompt, chosen, rejected), and how
often they flag pairs that are fine, on the three instruction domains of check_accuracy (JSON
ticket triage, SQL and Python answers, free-text Q&A; preference pairs of chats are not
supported). Goal: recall >= 0.95 and precision >= 0.9 for every fault whose prompts are worded
alike; a paraphrased prompt is found as well as the duplicate check finds paraphrases at all.

    .venv/bin/python -m benchmarks.preference_checks [--seed 1] [--size 400]

The pairs are made from check_accuracy's planted contradictions: two prompts asking the same
thing (the same words, a few small edits, a paraphrase or a reordering) with two answers that
read almost the same but conflict (one JSON field, one SQL token, another number). That makes
realistic pairs: the rejected answer is a near miss, as it is when people write them. From each
contradiction (prompt p with answer a, prompt q with answer b) the base pair is (p, chosen a,
rejected b), and beside it one of:

- duplicate: (q, a, b), the same pair again: check "duplicate";
- reversed: (q, b, a), the preference the other way round: check "contradiction";
- teaches_rejected: a plain example (q, b) that teaches the answer the pair rejects: "contradiction";
- other_pair (hard negative): (q, a, c), the same chosen answer preferred to another rejected
  one, as preference data holds on purpose: nothing;
- teaches_chosen (hard negative): a plain example (q, a): nothing.

Slot siblings are hard negatives too: two clean examples whose prompts differ in one slot (a
year, a name, a number...) become (p1, a1, a2) and (p2, a2, a1), which read like a reversed
pair but ask different things: nothing. Writes benchmarks/results/preference_checks.json and .md.
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

from benchmarks.accuracy_sets import build_sets  # noqa: E402
from curation.core.dataset import check_records  # noqa: E402
from studio.core.records import Record  # noqa: E402

KINDS = {"duplicate": "duplicate", "reversed": "contradiction", "teaches_rejected": "contradiction"}
NEGATIVES = ("other_pair", "teaches_chosen", "slot_sibling")
OTHER_REJECTED = (
    "I am not able to help with that.",
    "Please contact support.",
    "It depends.",
    "Sorry, I do not know.",
)


def preference_set(planted, rng):
    """(records, {kind: [(i, j)]}) for one domain's planted set."""
    rows = planted.rows
    records, pairs = [], {k: [] for k in (*KINDS, *NEGATIVES)}

    def add(record):
        records.append(record)
        return len(records) - 1

    def text(row):
        return row["instruction"], row.get("input", "")

    contradictions = planted.pairs["contradiction"]
    kinds = [*KINDS, "other_pair", "teaches_chosen"]
    for n, (i, j) in enumerate(contradictions):
        (pi, ii), (pj, ij) = text(rows[i]), text(rows[j])
        a, b = rows[i]["output"], rows[j]["output"]
        base = add(Record(instruction=pi, input=ii, output=a, rejected=b))
        kind = kinds[n % len(kinds)]
        if kind == "duplicate":
            other = Record(instruction=pj, input=ij, output=a, rejected=b)
        elif kind == "reversed":
            other = Record(instruction=pj, input=ij, output=b, rejected=a)
        elif kind == "teaches_rejected":
            other = Record(instruction=pj, input=ij, output=b)
        elif kind == "other_pair":
            other = Record(instruction=pj, input=ij, output=a, rejected=rng.choice(OTHER_REJECTED))
        else:
            other = Record(instruction=pj, input=ij, output=a)
        pairs[kind].append((base, add(other)))
    for i, j, _slot_kind, _slot in planted.hard_negatives:
        (pi, ii), (pj, ij) = text(rows[i]), text(rows[j])
        a, b = rows[i]["output"], rows[j]["output"]
        if a.strip() == b.strip():
            continue  # the slot does not change the answer: no pair to make
        first = add(Record(instruction=pi, input=ii, output=a, rejected=b))
        pairs["slot_sibling"].append((first, add(Record(instruction=pj, input=ij, output=b, rejected=a))))
    return records, pairs


def score(records, pairs, findings):
    flagged = {}
    for i, found in findings.items():
        for f in found:
            for j in f.related:
                flagged.setdefault(f.check, set()).add((min(i, j), max(i, j)))
    either = flagged.get("duplicate", set()) | flagged.get("contradiction", set())
    out = {"recall": {}, "hard_negatives": {}, "precision": {}}
    for kind, check in KINDS.items():
        wanted = [(min(p), max(p)) for p in pairs[kind]]
        out["recall"][kind] = {"planted": len(wanted), "found": sum(p in flagged.get(check, ()) for p in wanted)}
    for kind in NEGATIVES:
        wanted = [(min(p), max(p)) for p in pairs[kind]]
        out["hard_negatives"][kind] = {"pairs": len(wanted), "flagged": sum(p in either for p in wanted)}
    for check in ("duplicate", "contradiction"):
        truth = {(min(p), max(p)) for kind, c in KINDS.items() if c == check for p in pairs[kind]}
        got = flagged.get(check, set())
        out["precision"][check] = {"flagged": len(got), "correct": len(got & truth)}
    return out


def ratio(part, whole):
    return round(part / whole, 3) if whole else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--size", type=int, default=400)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    results, started = {}, time.perf_counter()
    for planted in build_sets(size=args.size, seed=args.seed):
        if planted.domain == "chats":
            continue
        records, pairs = preference_set(planted, rng)
        findings = check_records(records, workers=1)
        results[planted.domain] = score(records, pairs, findings) | {"examples": len(records)}
    seconds = time.perf_counter() - started
    lines = [
        "# Checks on preference pairs",
        "",
        f"`python -m benchmarks.preference_checks --seed {args.seed} --size {args.size}`, "
        f"{datetime.now(UTC):%Y-%m-%d}, {platform.machine()}, {seconds:.0f} s. See the script's docstring for what is planted.",
        "",
        "| domain | examples | duplicate pair | reversed pair | teaches the rejected answer | precision duplicate | precision contradiction | other pair flagged | teaches the chosen flagged | slot siblings flagged |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for domain, r in results.items():
        rec = {k: f"{r['recall'][k]['found']}/{r['recall'][k]['planted']}" for k in KINDS}
        prec = {
            c: ratio(r["precision"][c]["correct"], r["precision"][c]["flagged"]) for c in ("duplicate", "contradiction")
        }
        neg = {k: f"{r['hard_negatives'][k]['flagged']}/{r['hard_negatives'][k]['pairs']}" for k in NEGATIVES}
        lines.append(
            f"| {domain} | {r['examples']} | {rec['duplicate']} | {rec['reversed']} | {rec['teaches_rejected']} | "
            f"{prec['duplicate']} | {prec['contradiction']} | {neg['other_pair']} | {neg['teaches_chosen']} | {neg['slot_sibling']} |"
        )
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "preference_checks.json").write_text(json.dumps({"seed": args.seed, "size": args.size, **results}, indent=2))
    (out / "preference_checks.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
