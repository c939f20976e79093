"""The local model server under concurrent clients, what the API adds to a served completion, and
the monitoring page of a busy model, on PostgreSQL.

0. Concurrency: the local model server (python -m evaluation.core.local_server, a process of its
   own, as `make run` starts it) with the tiny model and a LoRA adapter; 1 chat client, then 10
   concurrent ones, on its OpenAI chat route, in the same run. Target: 10 clients get at least 3x
   the requests/s of one, with p95 latency at most 2x one client's. The same through the API
   (the web process is a client of the server; Django's test client, one thread per client).
1. Overhead: POST /v1/completions through the whole stack (token check, rate-limit upsert,
   validation, the completion log row) against the same generation called directly on the same
   loaded backend, in the same run. Reported as the ratio of medians and the milliseconds added.
   Target: the API adds at most 10 ms at the median.
2. Monitoring: a model's page with `--rows` completions (default 200,000) spread over the last
   7 days, 5% of them rated, against /healthz.
   Target: under 1 s at the median (PostgreSQL aggregates; SQLite reads at most 200,000 rows).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/studio_bench .venv/bin/python benchmarks/serving.py [--rows 200000]

The machine is shared: the load average before and after is recorded with the results.

Writes benchmarks/results/serving.json.
"""

import argparse
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
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


def start_server(base_dir, adapter_dir):
    """The local model server in its own process, as `make run` starts it; returns (process, url)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "evaluation.core.local_server", str(base_dir), "--adapter", f"run-1={adapter_dir}"]
        + ["--root", str(base_dir.parent), "--root", str(adapter_dir.parent), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    print(process.stdout.readline().strip())
    return process, f"http://127.0.0.1:{port}"


def chat(url, model, text, max_tokens):
    body = {"model": model, "messages": [{"role": "user", "content": text}], "max_tokens": max_tokens}
    request = urllib.request.Request(
        f"{url}/v1/chat/completions", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def clients(call, n, per_client):
    """n clients, each sending per_client requests one after another: (requests/s, latencies)."""
    latencies = []

    def client(i):
        for j in range(per_client):
            start = time.perf_counter()
            call(i, j)
            latencies.append(time.perf_counter() - start)

    start = time.perf_counter()
    with ThreadPoolExecutor(n) as pool:
        list(pool.map(client, range(n)))
    return n * per_client / (time.perf_counter() - start), latencies


def compared(one, ten, what):
    (rps1, lat1), (rps10, lat10) = one, ten
    speedup = rps10 / rps1
    p95_ratio = percentile(lat10, 95) / percentile(lat1, 95)
    return {
        "what": what,
        "one_client": {
            "requests": len(lat1),
            "rps": round(rps1, 2),
            "p50_ms": ms(statistics.median(lat1)),
            "p95_ms": ms(percentile(lat1, 95)),
        },
        "ten_clients": {
            "requests": len(lat10),
            "rps": round(rps10, 2),
            "p50_ms": ms(statistics.median(lat10)),
            "p95_ms": ms(percentile(lat10, 95)),
        },
        "speedup_rps": round(speedup, 2),
        "p95_ratio": round(p95_ratio, 2),
        "target": "10 clients: at least 3x the requests/s of one, p95 at most 2x",
        "met": speedup >= 3 and p95_ratio <= 2,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--per-client", type=int, default=20, help="requests per client in the concurrency test")
    args = parser.parse_args()
    load_before = os.getloadavg()
    base_dir, adapter_dir = setup_model(ROOT / "var" / "bench-serving")
    server, url = start_server(base_dir, adapter_dir)
    try:
        run_all(args, server, url, base_dir, adapter_dir, load_before)
    finally:
        server.terminate()
        server.wait()


def run_all(args, server, url, base_dir, adapter_dir, load_before):
    # 0. the local model server: 1 client, then 10, same server, same run
    tickets = [f"Triage ticket {i}: my parcel is late." for i in range(50)]
    for _ in range(3):  # warm up: the model and the adapter load once
        chat(url, "run-1", tickets[0], 8)
    ask = lambda i, j: chat(url, "run-1", tickets[(i * 7 + j) % 50], 8)  # noqa: E731
    on_server = compared(
        clients(ask, 1, args.per_client * 2), clients(ask, 10, args.per_client), "the local model server's chat route"
    )
    print(json.dumps(on_server, indent=2))

    setup_django(API_RATE_LIMIT_PER_MINUTE="1000000", LOCAL_MODEL_SERVER_URL=url)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone as tz

    from api.models import ApiToken, Feedback, ServedCompletion
    from curation.core.splits import SplitConfig
    from curation.models import Example
    from curation.versions import freeze
    from evaluation.core.backends import Decoding, Request
    from evaluation.evaluating import backend_for
    from studio.models import Project
    from training.core.model_info import inspect_model_folder
    from training.models import BaseModel, TrainingRun

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
    backend, _ = backend_for(project, [run])  # the model server's client, as the API uses it
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

    # 0b. 1 client, then 10, through the API (the web process is one more client of the server)
    def api_call(i, j):
        response = Client().post(
            "/v1/chat/completions",
            data=json.dumps(
                {
                    "model": f"run-{run.id}",
                    "messages": [{"role": "user", "content": tickets[(i * 7 + j) % 50]}],
                    "max_tokens": 8,
                }
            ),
            content_type="application/json",
            **headers,
        )
        assert response.status_code == 200, response.content

    through_api_concurrency = compared(
        clients(api_call, 1, args.per_client * 2), clients(api_call, 10, args.per_client), "POST /v1/chat/completions"
    )
    print(json.dumps(through_api_concurrency, indent=2))

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
        "load_average_before_after": [round(x, 2) for x in (*load_before, *os.getloadavg())],
        "concurrency": {
            "model": "tiny model + LoRA adapter, max_tokens 8, CPU; server batches up to 16 requests within 5 ms",
            "local_server": on_server,
            "through_api": through_api_concurrency,
        },
        "api_overhead": {
            "requests": args.requests,
            "max_tokens": 8,
            "model": "tiny model + LoRA adapter on the local model server, CPU; direct = its HTTP client",
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
