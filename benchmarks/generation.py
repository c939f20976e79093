"""Generation throughput on the local backend: batched versus one prompt at a time, in one run.

Target (evaluation issue): batched at least 4x the tokens/s of one-by-one.

    .venv/bin/python benchmarks/generation.py [--prompts 64 --batch-size 16 --new-tokens 32]

Writes benchmarks/results/generation.json.
"""

import argparse
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--new-tokens", type=int, default=32)
    args = parser.parse_args()
    from curation.core.demo_tickets import make_examples
    from evaluation.core.backends import Decoding, LocalBackend, Request
    from studio.core.prompts import render, to_messages
    from studio.core.records import Record
    from training.core.tiny_model import build_tiny_model, default_corpus

    model_dir = ROOT / "var" / "models" / "tiny-llama"
    if not (model_dir / "config.json").is_file():
        build_tiny_model(model_dir, default_corpus())
    decoding = Decoding(max_new_tokens=args.new_tokens)
    results = {}
    for name, batch in (("one_by_one", 1), ("batched", args.batch_size)):
        backend = LocalBackend(model_dir, batch_size=batch)
        backend._load()
        requests = []
        for e in make_examples(n=args.prompts):
            record = Record(e.instruction, e.input, e.output)
            requests.append(
                Request(prompt=render(record, backend.tokenizer).prompt, messages=tuple(to_messages(record)[:-1]))
            )
        backend.generate(requests[:2], decoding)  # warm up
        start = time.perf_counter()
        out = backend.generate(requests, decoding)
        seconds = time.perf_counter() - start
        tokens = sum(g.completion_tokens for g in out)
        results[name] = {
            "batch_size": batch,
            "seconds": round(seconds, 2),
            "generated_tokens": tokens,
            "tokens_per_second": round(tokens / seconds, 1),
        }
    speedup = results["batched"]["tokens_per_second"] / results["one_by_one"]["tokens_per_second"]
    result = {
        "benchmark": "generation",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, CPU",
        "model": "tiny-llama (random, 140k parameters)",
        "prompts": args.prompts,
        "max_new_tokens": args.new_tokens,
        **results,
        "speedup_batched_vs_one_by_one": round(speedup, 2),
        "target_at_least_4x": speedup >= 4,
    }
    out = ROOT / "benchmarks" / "results" / "generation.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
