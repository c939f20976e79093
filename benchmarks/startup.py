"""Web start-up cost, as ratios against a bare interpreter in the same run.

The design keeps torch/transformers out of the web process. This measures how long a fresh
process takes to set Django up and load every URL and view, against `python -c pass` (the
baseline) and against what importing the ML stack would add.

    .venv/bin/python benchmarks/startup.py [--repeat 7]
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = {
    "bare python (baseline)": "pass",
    "studio web process": "import django; django.setup(); import studio.urls, training.views; from django.urls import resolve; resolve('/projects/')",
    "web process + transformers/peft": "import django; django.setup(); import studio.urls; import transformers, peft",
}


def time_once(code):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "studio.settings", "DEBUG": "true"}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    medians = {}
    for name, code in CASES.items():
        time_once(code)  # warm the file cache
        medians[name] = statistics.median(time_once(code) for _ in range(args.repeat))
    base = medians["bare python (baseline)"]
    result = {
        "benchmark": "startup",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "repeat": args.repeat,
        "median_seconds": {k: round(v, 3) for k, v in medians.items()},
        "ratio_to_baseline": {k: round(v / base, 1) for k, v in medians.items()},
    }
    out = ROOT / "benchmarks" / "results" / "startup.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    for name, seconds in medians.items():
        print(f"{name:<34} {seconds:6.3f} s  {seconds / base:5.1f}x baseline")
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
