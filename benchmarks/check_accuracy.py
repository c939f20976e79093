"""How well the dataset checks find planted faults, and how often they flag look-alikes that are
fine, on four domains: JSON ticket triage, SQL and Python answers, free-text Q&A, multi-turn chats.
Goal: recall >= 0.95 and precision >= 0.9 for every kind of fault in every domain.

    .venv/bin/python -m benchmarks.check_accuracy [--seed 1] [--size 400] [--show-misses 5]

`--size` is the number of clean examples per domain (60 to 1000 tried); about a twelfth of them get a planted twin of
each pair kind and a sixth get a hard-negative sibling (see benchmarks/accuracy_sets). Writes
benchmarks/results/check_accuracy.json and check_accuracy.md.

Scoring. A planted pair (exact, multi_edit, paraphrase, reordered: check "duplicate";
contradiction: check "contradiction") is found when either member has a finding of that check whose
`related` names the other. A planted single (vague, terse: "quality"; pii; format) is found when it
has a finding of that check. Precision per check: of the pairs (or examples) flagged with that
check, the share that were planted with that check. Hard negatives (siblings that differ in one
slot) must get neither a duplicate nor a contradiction finding naming each other; every such
pair, and any other unplanted pair, counts against precision.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.accuracy_sets import CHECK_OF, PAIR_KINDS, SINGLE_KINDS, SLOT_KINDS, build_sets  # noqa: E402
from curation.core.dataset import check_records  # noqa: E402
from curation.core.rules import FormatRules  # noqa: E402
from studio.core.records import Record  # noqa: E402

RECALL_GOAL, PRECISION_GOAL = 0.95, 0.9
CHECKS = ("duplicate", "contradiction", "quality", "pii", "format")


def to_record(row):
    return Record.chat(row["messages"]) if "messages" in row else Record(**row)


def flagged(findings):
    """({check: {(i, j)}}, {check: {i}}) from {index: [Finding]}."""
    pairs, singles = {}, {}
    for i, found in findings.items():
        for f in found:
            singles.setdefault(f.check, set()).add(i)
            for j in f.related:
                if j != i:
                    pairs.setdefault(f.check, set()).add((min(i, j), max(i, j)))
    return pairs, singles


def ratio(part, whole):
    return round(part / whole, 3) if whole else None


def score(planted, findings):
    pairs, singles = flagged(findings)
    key = lambda p: (min(p), max(p))  # noqa: E731
    recall = {}
    for kind in PAIR_KINDS:
        wanted = [key(p) for p in planted.pairs[kind]]
        hit = sum(p in pairs.get(CHECK_OF[kind], ()) for p in wanted)
        recall[kind] = {"planted": len(wanted), "found": hit}
    for kind in SINGLE_KINDS:
        wanted = planted.singles[kind]
        hit = sum(i in singles.get(CHECK_OF[kind], ()) for i in wanted)
        recall[kind] = {"planted": len(wanted), "found": hit}
    precision = {}
    for check in CHECKS:
        if check in ("duplicate", "contradiction"):
            truth = {key(p) for kind in PAIR_KINDS if CHECK_OF[kind] == check for p in planted.pairs[kind]}
            got = pairs.get(check, set())
        else:
            truth = {i for kind in SINGLE_KINDS if CHECK_OF[kind] == check for i in planted.singles[kind]}
            got = singles.get(check, set())
        precision[check] = {"flagged": len(got), "correct": len(got & truth)}
    hard = {}
    for i, j, kind, _slot in planted.hard_negatives:
        entry = hard.setdefault(kind, {"pairs": 0, "flagged": 0})
        entry["pairs"] += 1
        entry["flagged"] += key((i, j)) in pairs.get("duplicate", set()) | pairs.get("contradiction", set())
    dupes = {key(p) for kind in PAIR_KINDS if CHECK_OF[kind] == "duplicate" for p in planted.pairs[kind]}
    contras = {key(p) for p in planted.pairs["contradiction"]}
    confusions = {
        "duplicates_called_contradictions": len(dupes & pairs.get("contradiction", set())),
        "contradictions_called_duplicates": len(contras & pairs.get("duplicate", set())),
    }
    other = {}
    for kind in SINGLE_KINDS:
        counts = Counter(
            f.check for i in planted.singles[kind] for f in findings.get(i, ()) if f.check != CHECK_OF[kind]
        )
        if counts:
            other[kind] = dict(sorted(counts.items()))
    unplanted = {c: len(v) for c, v in sorted(singles.items()) if c not in CHECKS}
    return {
        "recall": recall,
        "precision": precision,
        "hard_negatives": hard,
        "confusions": confusions,
        "other_checks_on_planted_singles": other,
        "examples_flagged_by_unplanted_checks": unplanted,
    }


def total(per_domain, section, name, fields):
    out = {f: 0 for f in fields}
    for result in per_domain.values():
        for f in fields:
            out[f] += result[section].get(name, {}).get(f, 0)
    return out


SHOWN = int(os.environ.get("SHOW_CHARS", "300"))  # characters of each row shown


def show_misses(planted, findings, limit):
    """Print a few missed planted pairs and flagged hard negatives, to read why."""
    pairs, _ = flagged(findings)
    for kind in PAIR_KINDS:
        missed = [p for p in planted.pairs[kind] if (min(p), max(p)) not in pairs.get(CHECK_OF[kind], ())]
        for i, j in missed[:limit]:
            print(f"  missed {kind} {planted.notes.get((i, j), '')}:")
            print(f"    {json.dumps(planted.rows[i], ensure_ascii=False)[:SHOWN]}")
            print(f"    {json.dumps(planted.rows[j], ensure_ascii=False)[:SHOWN]}")
    both = pairs.get("duplicate", set()) | pairs.get("contradiction", set())
    wrong = [h for h in planted.hard_negatives if (min(h[:2]), max(h[:2])) in both]
    for i, j, kind, slot in wrong[:limit]:
        print(f"  flagged hard negative ({kind}: {slot}):")
        print(f"    {json.dumps(planted.rows[i], ensure_ascii=False)[:SHOWN]}")
        print(f"    {json.dumps(planted.rows[j], ensure_ascii=False)[:SHOWN]}")
    for check in ("duplicate", "contradiction"):
        truth = {(min(p), max(p)) for kind in PAIR_KINDS if CHECK_OF[kind] == check for p in planted.pairs[kind]}
        hard = {(min(h[:2]), max(h[:2])) for h in planted.hard_negatives}
        for i, j in sorted(pairs.get(check, set()) - truth - hard)[:limit]:
            print(f"  flagged {check}, not planted:")
            print(f"    {json.dumps(planted.rows[i], ensure_ascii=False)[:SHOWN]}")
            print(f"    {json.dumps(planted.rows[j], ensure_ascii=False)[:SHOWN]}")


def cell(found, whole):
    value = ratio(found, whole)
    return "-" if value is None else f"{value:.2f}"


def tables(result):
    domains = list(result["domains"])
    head = "| | " + " | ".join(domains) + " | all |\n|---|" + "---|" * (len(domains) + 1)
    lines = ["Recall (planted faults found; goal >= 0.95):", "", head]
    for kind in PAIR_KINDS + SINGLE_KINDS:
        row = [result["domains"][d]["recall"][kind] for d in domains] + [result["all"]["recall"][kind]]
        lines.append(f"| {kind} ({CHECK_OF[kind]}) | " + " | ".join(cell(r["found"], r["planted"]) for r in row) + " |")
    lines += ["", "Precision (flagged that were planted; goal >= 0.9), with the number flagged:", "", head]
    for check in CHECKS:
        row = [result["domains"][d]["precision"][check] for d in domains] + [result["all"]["precision"][check]]
        lines.append(
            f"| {check} | " + " | ".join(f"{cell(r['correct'], r['flagged'])} ({r['flagged']})" for r in row) + " |"
        )
    lines += ["", "Hard negatives flagged as duplicate or contradiction (flagged / pairs; goal 0):", "", head]
    for kind in SLOT_KINDS:
        row = [result["domains"][d]["hard_negatives"].get(kind) for d in domains] + [
            result["all"]["hard_negatives"].get(kind)
        ]
        if any(row):
            lines.append(f"| {kind} | " + " | ".join(f"{r['flagged']}/{r['pairs']}" if r else "-" for r in row) + " |")
    return "\n".join(lines)


def commit():
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--size", type=int, default=400, help="clean examples per domain")
    parser.add_argument("--show-misses", type=int, default=0, metavar="N", help="print N misses of each kind")
    parser.add_argument("--no-write", action="store_true", help="print only; keep the recorded results")
    args = parser.parse_args()

    start = time.perf_counter()
    sets = build_sets(args.size, args.seed)
    build_seconds = time.perf_counter() - start
    per_domain, seconds = {}, {}
    for planted in sets:
        records = [to_record(row) for row in planted.rows]
        rules = FormatRules(**planted.rules)
        start = time.perf_counter()
        findings = check_records(records, rules)
        seconds[planted.domain] = round(time.perf_counter() - start, 2)
        per_domain[planted.domain] = {"examples": len(records), **score(planted, findings)}
        if args.show_misses:
            print(f"{planted.domain}:")
            show_misses(planted, findings, args.show_misses)

    every = {
        "recall": {k: total(per_domain, "recall", k, ("planted", "found")) for k in PAIR_KINDS + SINGLE_KINDS},
        "precision": {c: total(per_domain, "precision", c, ("flagged", "correct")) for c in CHECKS},
        "hard_negatives": {
            k: total(per_domain, "hard_negatives", k, ("pairs", "flagged"))
            for k in SLOT_KINDS
            if any(k in d["hard_negatives"] for d in per_domain.values())
        },
    }
    for section in (per_domain.values(), [every]):
        for result in section:
            for r in result["recall"].values():
                r["recall"] = ratio(r["found"], r["planted"])
            for p in result["precision"].values():
                p["precision"] = ratio(p["correct"], p["flagged"])
    recalls = [r["recall"] for d in per_domain.values() for r in d["recall"].values() if r["recall"] is not None]
    precisions = [
        p["precision"] for d in per_domain.values() for p in d["precision"].values() if p["precision"] is not None
    ]
    examples = sum(d["examples"] for d in per_domain.values())
    result = {
        "benchmark": "check_accuracy",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "commit": commit(),
        "seed": args.seed,
        "clean_examples_per_domain": args.size,
        "examples": examples,
        "build_seconds": round(build_seconds, 2),
        "check_records_seconds": {**seconds, "all": round(sum(seconds.values()), 2)},
        "examples_per_second": round(examples / max(sum(seconds.values()), 1e-9)),
        "goals": {"recall": RECALL_GOAL, "precision": PRECISION_GOAL},
        "goals_met": {
            "recall": all(r >= RECALL_GOAL for r in recalls),
            "precision": all(p >= PRECISION_GOAL for p in precisions),
            "no_hard_negative_flagged": all(h["flagged"] == 0 for h in every["hard_negatives"].values()),
        },
        "note": "Recall per planted kind, precision per check, per domain. A pair counts when either member's finding of that check names the other in .related. Hard negatives differ from a clean example in exactly one slot and must not be flagged as duplicate or contradiction.",
        "all": every,
        "domains": per_domain,
    }
    text = tables(result)
    summary = (
        f"{examples} examples ({args.size} clean per domain, seed {args.seed}); check_records took "
        f"{result['check_records_seconds']['all']} s in all ({result['examples_per_second']} examples/s)."
    )
    print(text)
    print()
    print(summary)
    print("goals met:", json.dumps(result["goals_met"]))
    if not args.no_write:
        out = ROOT / "benchmarks" / "results"
        (out / "check_accuracy.json").write_text(json.dumps(result, indent=2) + "\n")
        (out / "check_accuracy.md").write_text(
            f"# check_accuracy ({result['when']}, commit {result['commit']})\n\n"
            f"`.venv/bin/python -m benchmarks.check_accuracy --seed {args.seed} --size {args.size}` on "
            f"{result['machine']}.\n\n{summary}\n\n{text}\n"
        )


if __name__ == "__main__":
    main()
