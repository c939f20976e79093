"""What the API adds to a served completion, and the monitoring page of a busy model, on PostgreSQL.

1. Overhead: POST /v1/completions through the whole stack (token check, rate-limit upsert,
   validation, the completion log row) against the same generation called directly on the same
   loaded backend, in the same run. Reported as the ratio of medians and the milliseconds added.
   Target: the API adds at most 10 ms at the median.
2. Monitoring: a model's page with `--rows` completions (default 200,000) spread over the last
   7 days, 5% of them rated, against /healthz.
   Target: under 1 s at the median (PostgreSQL aggregates; SQLite reads at most 200,000 rows).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/studio_bench .venv/bin/python benchmarks/serving.py [--rows 200000]

Writes benchmarks/results/serving.json.
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.django_db import ms, percentile, setup_django  # noqa: E402


def setup_model(folder):
    """The tiny model and an (untrained) LoRA adapter for it: what a served run has."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from training.core.tiny_model import build_tiny_model, default_corpus

    base, adapter = folder / "tiny-llama", folder / "adapter"
    if not (base / "model.safetensors").is_file():
        build_tiny_model(base, default_corpus())
    if not (adapter / "adapter_config.json").is_file():
        model = get_peft_model(
            AutoModelForCausalLM.from_pretrained(base),
            LoraConfig(r=8, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM"),
        )
        model.save_pretrained(adapter)
    return base, adapter


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    setup_django(API_RATE_LIMIT_PER_MINUTE="1000000")
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone as tz

    from api.completions import kept as _kept
    from api.models import ApiToken, Feedback, ServedCompletion
    from curation.core.splits import SplitConfig
    from curation.models import Example
    from curation.versions import freeze
    from evaluation.core.backends import Decoding, Request
    from evaluation.evaluating import backend_for
    from studio.models import Project
    from training.core.model_info import inspect_model_folder
    from training.models import BaseModel, TrainingRun

    base_dir, adapter_dir = setup_model(ROOT / "var" / "bench-serving")
    User = get_user_model()
    lead, _ = User.objects.get_or_create(username="bench-serving-lead")
    project = Project.objects.filter(slug="bench-serving").first()
    if project is None:
        project = Project.create_with_lead(name="bench serving", description="", lead=lead)
        project.slug = "bench-serving"
        project.save()
    run = project.training_runs.first()
    if run is None:
        base = BaseModel.objects.create(project=project, name="Tiny", path=str(base_dir))
        base.record_inspection(info=inspect_model_folder(base_dir))
        Example.objects.bulk_create(
            Example(
                project=project,
                author=lead,
                status="approved",
                instruction=f"Triage ticket {i}.",
                output='{"category": "shipping"}',
            )
            for i in range(20)
        )
        version = freeze(
            project, lead, name="v1", note="", config=SplitConfig(ratios=(0.8, 0.0, 0.2)), leakage_override="templated"
        )
        run = TrainingRun.objects.create(
            project=project,
            name="bench",
            dataset_version=version,
            base_model=base,
            config={},
            status="succeeded",
            output_dir=str(adapter_dir.parent),
        )
        (adapter_dir.parent / "adapter").exists() or (adapter_dir.parent / "adapter").symlink_to(adapter_dir)
    _, raw = ApiToken.issue(lead, "bench")
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    # 1. overhead of the API around one generation
    body = json.dumps({"model": f"run-{run.id}", "prompt": "Triage: my parcel is late.", "max_tokens": 8})
    backend, _ = _kept(backend_for(project, [run])[0])
    request = Request(
        prompt="Triage: my parcel is late.",
        messages=({"role": "user", "content": "Triage: my parcel is late."},),
        adapter=f"run-{run.id}",
    )
    for _ in range(5):  # warm up: the model loads once
        client.post("/v1/completions", data=body, content_type="application/json", **headers)
        backend.generate([request], Decoding(max_new_tokens=8))
    direct, through_api = [], []
    for _ in range(args.requests):
        start = time.perf_counter()
        backend.generate([request], Decoding(max_new_tokens=8))
        direct.append(time.perf_counter() - start)
        start = time.perf_counter()
        response = client.post("/v1/completions", data=body, content_type="application/json", **headers)
        through_api.append(time.perf_counter() - start)
        assert response.status_code == 200, response.content
    added = statistics.median(through_api) - statistics.median(direct)

    # 2. the monitoring page with its row cap in the period
    setup = {}
    have = run.served_completions.count()
    if have < args.rows:
        start = time.perf_counter()
        now, rng = tz.now(), random.Random(5)
        week = 7 * 24 * 3600
        batch = []
        for i in range(have, args.rows):
            ok = rng.random() > 0.02
            batch.append(
                ServedCompletion(
                    project=project,
                    run=run,
                    user=lead,
                    endpoint="chat.completions",
                    messages=[{"role": "user", "content": f"ticket {i}"}],
                    output='{"category": "billing"}' if ok else "",
                    prompt_tokens=20,
                    completion_tokens=8 if ok else 0,
                    latency_ms=rng.lognormvariate(4, 0.5),
                    status="ok" if ok else "error",
                    error="" if ok else "timeout",
                )
            )
            if len(batch) == 10_000:
                ServedCompletion.objects.bulk_create(batch)
                batch = []
        if batch:
            ServedCompletion.objects.bulk_create(batch)
        # spread them over the week and rate 5%
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE api_servedcompletion SET created_at = %s - (random() * %s) * interval '1 second' WHERE run_id = %s",
                [now, week - 60, run.id],
            )
        ids = list(run.served_completions.filter(status="ok").values_list("id", flat=True))
        Feedback.objects.bulk_create(
            [Feedback(completion_id=i, user=lead, rating=rng.randint(1, 5)) for i in rng.sample(ids, len(ids) // 20)],
            batch_size=10_000,
        )
        setup["insert_seconds"] = round(time.perf_counter() - start, 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client.force_login(lead)
    health = []
    for _ in range(30):
        start = time.perf_counter()
        client.get("/healthz")
        health.append(time.perf_counter() - start)
    url = f"/p/{project.slug}/models/{run.id}/monitor/?period=7d"
    page = []
    for _ in range(7):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            page.append(time.perf_counter() - start)
        assert response.status_code == 200
    in_window = run.served_completions.filter(created_at__gte=tz.now() - timedelta(days=7)).count()

    result = {
        "benchmark": "serving",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL {connection.cursor().connection.info.server_version}",
        "api_overhead": {
            "requests": args.requests,
            "max_tokens": 8,
            "model": "tiny model + LoRA adapter, local backend, CPU",
            "direct_generate_p50_ms": ms(statistics.median(direct)),
            "through_api_p50_ms": ms(statistics.median(through_api)),
            "through_api_p95_ms": ms(percentile(through_api, 95)),
            "added_p50_ms": ms(added),
            "ratio_p50": round(statistics.median(through_api) / statistics.median(direct), 2),
            "target": "adds at most 10 ms at the median",
            "met": added <= 0.010,
        },
        "monitoring_page": {
            "completions_in_period": in_window,
            "setup": setup,
            "p50_ms": ms(statistics.median(page)),
            "max_ms": ms(max(page)),
            "queries": len(queries),
            "healthz_p50_ms": ms(statistics.median(health)),
            "ratio_p50_to_healthz": round(statistics.median(page) / statistics.median(health), 1),
            "target": "under 1 s at the median",
            "met": statistics.median(page) < 1.0,
        },
    }
    out = ROOT / "benchmarks" / "results" / "serving.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
