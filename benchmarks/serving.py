"""The local model server under concurrent clients, what the API adds to a served completion, and
the monitoring page of a busy model, on PostgreSQL.

0. Concurrency: the local model server (python -m evaluation.core.local_server, a process of its
   own, as `make run` starts it) with the tiny model and a LoRA adapter; 1 chat client, then 10
   concurrent ones, on its OpenAI chat route, in the same run. Target: 10 clients get at least 3x
   the requests/s of one, with p95 latency at most 2x one client's. The same through the API:
   POST /v1/chat/completions on gunicorn (studio.wsgi with the repository's gunicorn.conf.py and
   --workers, default 3 as docker/ starts it), the web process being one more client of the
   model server. Each client keeps its connection alive, as the openai client does. 1 client and
   10 take turns in 5 rounds, and each side's figures cover all its rounds, so a burst of someone
   else's work on the shared machine lands on both sides alike. The web workers' CPU time per
   API request is recorded too: it depends far less on the machine's load than latency does.
1. Overhead: POST /v1/completions through the whole stack on gunicorn (token check, rate-limit
   upsert, validation, model lookup, the completion log row, the hop to the model server)
   against the same generation asked of the model server directly by the studio's own client, in
   the same run. Reported as the ratio of medians and the milliseconds added.
   Target: the API adds at most 10 ms at the median.
2. Monitoring: a model's page with `--rows` completions (default 200,000) spread over the last
   7 days, 5% of them rated, against /healthz.
   Target: under 1 s at the median (PostgreSQL aggregates; SQLite reads at most 200,000 rows).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/studio_bench .venv/bin/python benchmarks/serving.py [--rows 200000]

The machine is shared: the load average before and after is recorded with the results, and
--repeat N measures parts 0 and 1 N times in the run (each repeat's figures are kept). To compare
web server settings in the same way: GUNICORN_CMD_ARGS="--worker-class sync" DB_CONN_MAX_AGE=0
(--out serving_sync_workers.json keeps that run apart).

Writes benchmarks/results/serving.json.
"""

import argparse
import http.client
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
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
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "evaluation.core.local_server", str(base_dir), "--adapter", f"run-1={adapter_dir}"]
        + ["--root", str(base_dir.parent), "--root", str(adapter_dir.parent), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    print(process.stdout.readline().strip())
    return process, f"http://127.0.0.1:{port}"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kept_alive(url, headers=None):
    """post(path, payload) -> the JSON answer; each client thread keeps its own connection alive,
    as the openai client (httpx) does."""
    parts = urllib.parse.urlsplit(url)
    local = threading.local()

    def post(path, payload):
        if getattr(local, "connection", None) is None:
            local.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        local.connection.request(
            "POST",
            path,
            body=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        response = local.connection.getresponse()
        data = response.read()
        if response.will_close:
            local.connection.close()
            local.connection = None
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}: {data[:500]!r}")
        return json.loads(data)

    return post


def cpu_seconds(master):
    """CPU time (user + system) used so far by a process's children: gunicorn's workers."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:  # the parent's pid; utime and stime follow at 11 and 12
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def start_gunicorn(workers, model_server_url, log_path):
    """gunicorn serving studio.wsgi from the repository root (so gunicorn.conf.py applies; the
    environment's GUNICORN_CMD_ARGS and DB_CONN_MAX_AGE override it), production settings on the
    benchmark's database; returns (process, url) once it answers."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "studio.settings",
        "DEBUG": "false",
        "SECRET_KEY": "benchmark-serving",
        "ALLOWED_HOSTS": "127.0.0.1",
        "API_RATE_LIMIT_PER_MINUTE": "1000000",
        "LOCAL_MODEL_SERVER_URL": model_server_url,
        "PYTHONPATH": str(ROOT),
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = open(log_path, "w")
    process = subprocess.Popen(
        [str(gunicorn), "studio.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=10) as response:
                if response.status == 200:
                    return process, url
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"gunicorn did not start: {Path(log_path).read_text()[-3000:]}")
        time.sleep(0.3)


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


def interleaved(call, per_client, rounds=5):
    """1 client, then 10, in `rounds` alternating rounds, so both see the same machine (it is
    shared: a burst of someone else's work would otherwise land on one side only). Returns
    ((requests/s, latencies) of 1 client, the same of 10), over all rounds."""
    sides = {1: [0, 0.0, []], 10: [0, 0.0, []]}
    for _ in range(rounds):
        for n, each in ((1, 2 * per_client // rounds), (10, per_client // rounds)):
            start = time.perf_counter()
            _, latencies = clients(call, n, each)
            side = sides[n]
            side[0] += n * each
            side[1] += time.perf_counter() - start
            side[2] += latencies
    return [(count / seconds, latencies) for count, seconds, latencies in sides.values()]


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
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (docker/ starts 3)")
    parser.add_argument("--repeat", type=int, default=1, help="measure parts 0 and 1 this many times")
    parser.add_argument("--out", default="serving.json", help="the results file in benchmarks/results/")
    args = parser.parse_args()
    load_before = os.getloadavg()
    base_dir, adapter_dir = setup_model(ROOT / "var" / "bench-serving")
    server, url = start_server(base_dir, adapter_dir)
    web = None
    try:
        setup_django(API_RATE_LIMIT_PER_MINUTE="1000000", LOCAL_MODEL_SERVER_URL=url)
        web, web_url = start_gunicorn(args.workers, url, ROOT / "var" / "bench-serving" / "gunicorn.log")
        run_all(args, url, web_url, web.pid, base_dir, adapter_dir, load_before)
    finally:
        for process in (web, server):
            if process is not None:
                process.terminate()
                process.wait()


def served_run(base_dir, adapter_dir):
    """The benchmark project's lead and its succeeded run, serving the adapter."""
    from django.contrib.auth import get_user_model

    from curation.core.splits import SplitConfig
    from curation.models import Example
    from curation.versions import freeze
    from studio.models import Project
    from training.core.model_info import inspect_model_folder
    from training.models import BaseModel, TrainingRun

    lead, _ = get_user_model().objects.get_or_create(username="bench-serving-lead")
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
    return lead, project, run


def measure(args, url, web_url, web_pid, run, raw):
    """Parts 0 and 1 once: the server alone and through the API (1 client, then 10), and the
    API's overhead around one generation."""
    from evaluation.core.backends import Decoding, Request
    from evaluation.evaluating import backend_for

    tickets = [f"Triage ticket {i}: my parcel is late." for i in range(50)]

    def chat_body(i, j, model):
        return {"model": model, "messages": [{"role": "user", "content": tickets[(i * 7 + j) % 50]}], "max_tokens": 8}

    # 0. the local model server: 1 client, then 10, same server, same run
    to_server = kept_alive(url)
    for _ in range(3):  # warm up: the model and the adapter load once
        to_server("/v1/chat/completions", chat_body(0, 0, "run-1"))
    ask = lambda i, j: to_server("/v1/chat/completions", chat_body(i, j, "run-1"))  # noqa: E731
    on_server = compared(*interleaved(ask, args.per_client), "the local model server's chat route")
    print(json.dumps(on_server, indent=2))

    # 1. overhead of the API around one generation: gunicorn's /v1/completions against the
    # studio's own client of the model server, interleaved
    to_api = kept_alive(web_url, {"Authorization": f"Bearer {raw}"})
    body = {"model": f"run-{run.id}", "prompt": "Triage: my parcel is late.", "max_tokens": 8}
    backend, _ = backend_for(run.project, [run])  # the model server's client, as the API uses it
    request = Request(
        prompt="Triage: my parcel is late.",
        messages=({"role": "user", "content": "Triage: my parcel is late."},),
        adapter=f"run-{run.id}",
    )
    # warm up: the model loads once, and every gunicorn worker (and thread) answers both routes
    # once: a worker loads the API's routes on its first API request, which takes seconds
    clients(lambda i, j: to_api("/v1/completions", body), 10, 2)
    clients(lambda i, j: to_api("/v1/chat/completions", chat_body(i, j, f"run-{run.id}")), 10, 2)
    for _ in range(5):
        to_api("/v1/completions", body)
        backend.generate([request], Decoding(max_new_tokens=8))
    direct, through_api = [], []
    web_cpu = cpu_seconds(web_pid)
    for _ in range(args.requests):
        start = time.perf_counter()
        backend.generate([request], Decoding(max_new_tokens=8))
        direct.append(time.perf_counter() - start)
        start = time.perf_counter()
        to_api("/v1/completions", body)
        through_api.append(time.perf_counter() - start)
    web_cpu = cpu_seconds(web_pid) - web_cpu  # only the API requests reach gunicorn
    added = statistics.median(through_api) - statistics.median(direct)

    # 0b. 1 client, then 10, through the API (the web process is one more client of the server)
    api_call = lambda i, j: to_api("/v1/chat/completions", chat_body(i, j, f"run-{run.id}"))  # noqa: E731
    through_api_concurrency = compared(*interleaved(api_call, args.per_client), "POST /v1/chat/completions on gunicorn")
    print(json.dumps(through_api_concurrency, indent=2))
    return {
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "concurrency": {
            "model": "tiny model + LoRA adapter, max_tokens 8, CPU; server batches up to 16 requests, each within 5 ms of the one before",
            "local_server": on_server,
            "through_api": through_api_concurrency,
        },
        "api_overhead": {
            "requests": args.requests,
            "max_tokens": 8,
            "model": "tiny model + LoRA adapter on the local model server, CPU; direct = the studio's client of it",
            "direct_generate_p50_ms": ms(statistics.median(direct)),
            "through_api_p50_ms": ms(statistics.median(through_api)),
            "through_api_p95_ms": ms(percentile(through_api, 95)),
            "added_p50_ms": ms(added),
            "web_cpu_ms_per_request": round(web_cpu * 1000 / args.requests, 1),
            "ratio_p50": round(statistics.median(through_api) / statistics.median(direct), 2),
            "target": "adds at most 10 ms at the median",
            "met": added <= 0.010,
        },
    }


def run_all(args, url, web_url, web_pid, base_dir, adapter_dir, load_before):
    import runpy

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone as tz

    from api.models import ApiToken, Feedback, ServedCompletion

    lead, project, run = served_run(base_dir, adapter_dir)
    _, raw = ApiToken.issue(lead, "bench")
    repeats = [measure(args, url, web_url, web_pid, run, raw) for _ in range(args.repeat)]
    conn_max_age = os.environ.get("DB_CONN_MAX_AGE", "as gunicorn.conf.py sets it")
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    web_server = {
        "command": f"gunicorn studio.wsgi --workers {args.workers}",
        "gunicorn.conf.py": {"worker_class": config.get("worker_class"), "threads": config.get("threads")},
        "GUNICORN_CMD_ARGS": os.environ.get("GUNICORN_CMD_ARGS", ""),
        "DB_CONN_MAX_AGE": conn_max_age,
    }
    client = Client()

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
        "web_server": web_server,
        **repeats[-1],
        "repeats": [
            {
                "load_average": r["load_average"],
                "local_server": {k: r["concurrency"]["local_server"][k] for k in ("speedup_rps", "p95_ratio", "met")},
                "through_api": {k: r["concurrency"]["through_api"][k] for k in ("speedup_rps", "p95_ratio", "met")},
                "api_added_p50_ms": r["api_overhead"]["added_p50_ms"],
                "web_cpu_ms_per_request": r["api_overhead"]["web_cpu_ms_per_request"],
            }
            for r in repeats
        ],
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
    out = ROOT / "benchmarks" / "results" / args.out
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
