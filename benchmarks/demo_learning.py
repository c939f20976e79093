"""Does the demo learn? Builds the tiny demo model (with its pretraining), trains a LoRA run with
the launch form's defaults for it (the guides' defaults with the model's recommended settings
over them) on the demo's train split, and scores base and tuned answers on the demo's test split.

A study on the demo shows tuned ahead: the study a lead would set up (base against the run, every
test example) judged by the studio's reference judge (its JSON-fields rule, each pair in both
orders), its Bradley-Terry leaderboard recorded.

Targets (issue 15, item 1): the model builds in at most a minute and the default run finishes in
at most 3 minutes on 2 cores; tuned answers are valid JSON at least 90% of the time and name the
right category at least 70% of the time; the base stays near 0. Times are also given as ratios to
a baseline measured in the same run (a forward and backward pass of the model over the train
split), so a busy machine shows as a slow baseline rather than as a slow studio, and as CPU seconds
(what the process itself used, all threads together).

    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/demo_learning.py [--epochs 3]

Writes benchmarks/results/demo_learning.json.
"""

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def baseline_seconds(model_dir, records):
    """One forward and backward pass of the model over the records, one at a time."""
    import torch
    from transformers import AutoModelForCausalLM

    from studio.core.prompts import load_tokenizer, render, tokenize

    tokenizer = load_tokenizer(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir, local_files_only=True)
    started = time.monotonic()
    for record in records:
        ids = torch.tensor([tokenize(render(record, tokenizer), tokenizer, 1024).input_ids])
        model(input_ids=ids, labels=ids).loss.backward()
    return time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=float, default=None, help="override the recommended epochs")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "demo_learning.json"))
    args = parser.parse_args()

    import torch

    from demo.learning import demo_splits, generate, judged_study, score_answers
    from training.core.engine import TrainConfig, train
    from training.core.model_info import read_recommended
    from training.core.tiny_model import PRETRAIN, RECOMMENDED, build_tiny_model, default_corpus

    load_before = os.getloadavg()
    splits = demo_splits()
    with tempfile.TemporaryDirectory(prefix="demo-learning-") as tmp:
        tmp = Path(tmp)
        started, cpu = time.monotonic(), time.process_time()
        log = []
        model_dir = build_tiny_model(tmp / "tiny", default_corpus(), report=log.append)
        build_seconds, build_cpu = time.monotonic() - started, time.process_time() - cpu
        print(f"built in {build_seconds:.1f} s; {log[-1]}", flush=True)

        recommended = read_recommended(model_dir)
        if args.epochs is not None:
            recommended["epochs"] = args.epochs
        config = TrainConfig(base_model=str(model_dir), **recommended)
        started, cpu = time.monotonic(), time.process_time()
        summary = train(config, splits["train"], splits["validation"], tmp / "run")
        train_seconds, train_cpu = time.monotonic() - started, time.process_time() - cpu
        print(f"trained {summary['steps']} steps in {train_seconds:.1f} s", flush=True)

        test = splits["test"]
        references = [r.output for r in test]
        started = time.monotonic()
        base_answers = generate(model_dir, test)
        tuned_answers = generate(model_dir, test, summary["final_dir"])
        generate_seconds = time.monotonic() - started
        base, tuned = score_answers(base_answers, references), score_answers(tuned_answers, references)
        study = judged_study(base_answers, tuned_answers, references)
        baseline = baseline_seconds(model_dir, splits["train"])

    result = {
        "benchmark": "demo_learning",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"torch threads {torch.get_num_threads()}",
        "load_average_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "model": "tiny-llama, pretrained on generated support chats",
        "pretraining": PRETRAIN,
        "recommended": RECOMMENDED,
        "config": {k: v for k, v in config.as_dict().items() if k != "base_model"},
        "splits": {k: len(v) for k, v in splits.items()},
        "build_seconds": round(build_seconds, 1),
        "train_seconds": round(train_seconds, 1),
        "cpu_seconds_build_and_train": [round(build_cpu, 1), round(train_cpu, 1)],
        "train_steps": summary["steps"],
        "stopped_early": summary["stopped_early"],
        "generate_seconds_base_and_tuned": round(generate_seconds, 1),
        "baseline_seconds": round(baseline, 2),
        "build_vs_baseline": round(build_seconds / baseline, 1),
        "train_vs_baseline": round(train_seconds / baseline, 1),
        "base": base.as_dict(),
        "tuned": tuned.as_dict(),
        "study": {
            "judge": "reference judge, JSON-fields rule, each pair in both orders",
            "pairs": study["pairs"],
            "leaderboard": [
                {k: row[k] for k in ("system", "rating", "interval", "rank", "decisive")}
                for row in study["leaderboard"]
            ],
            "position_consistency": study["position_consistency"],
        },
        "targets": {
            "build_at_most_60_s": build_seconds <= 60,
            "train_at_most_180_s": train_seconds <= 180,
            "tuned_json_valid_at_least_90_percent": tuned.json_valid >= 0.9,
            "tuned_category_at_least_70_percent": tuned.category >= 0.7,
            "base_json_valid_near_0": base.json_valid <= 0.05,
            "study_ranks_tuned_first": study["leaderboard"][0]["system"] == "tuned",
        },
    }
    Path(args.out).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({k: result[k] for k in ("build_seconds", "train_seconds", "targets")}, indent=2))
    print("base", base.as_dict()["json_valid"], base.category, "tuned", tuned.json_valid, tuned.category)


if __name__ == "__main__":
    main()
