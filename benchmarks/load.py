"""Many annotators at once: the example list, the editor and a save, against gunicorn + PostgreSQL.

Simulated annotators, each in a thread of this process, talk HTTP to gunicorn on loopback, started
with the worker count the README recommends for 2 cores (`--workers`, default 5). Each annotator
is signed in once before the clock starts (logins are measured apart: password hashing is slow by
design), then repeats for `--seconds`: open the example list, open the editor of one of their own
examples, change its output and save it (as the browser's htmx post does; the check runs on
save), with a think time of 0.5-1.5 x `--think` seconds after each step. The baseline, in the same
run against the same server: 1 annotator doing the same. Target: with 50 annotators, p95 at most
300 ms for list, editor and save, and no errors (a wrong status, a page without its content, a
save refused).

The project holds `--n` examples (default 20,000, shared among the annotators and checked once
with a full scan, so saves meet index keys and neighbours as in a real project). The database is
created if missing and filled once (later runs reuse it). The machine is shared: the load average
before and after, and the CPU that gunicorn's workers spent per request, are recorded with the
results. Nothing leaves 127.0.0.1.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/studio_bench .venv/bin/python benchmarks/load.py \
        [--annotators 50] [--seconds 60] [--workers 5] [--n 20000]

Writes benchmarks/results/load.json and load.md.
"""

import argparse
import http.client
import json
import os
import platform
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from html import unescape
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.django_db import ms, percentile, setup_django  # noqa: E402

PASSWORD = "load-benchmark-password-7"
SLUG = "load"
TARGET_P95_MS = 300
STEPS = ("list", "editor", "save")


# --- the data -----------------------------------------------------------------------------------


def setup_project(n, annotators):
    """The project with `n` examples spread over `annotators` annotators (created once, then
    reused), checked by a full scan; returns (project, {username: [their example ids]})."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from benchmarks.synthetic import make_rows
    from curation.checking import scan_project
    from curation.models import Example
    from studio.models import Membership, Project, Role

    User = get_user_model()
    names = [f"annotator-{i:03d}" for i in range(annotators)]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    for name in names:
        if name not in existing:  # hashing a password costs ~0.3 s: only for new users
            User.objects.create_user(username=name, password=PASSWORD)
    users = list(User.objects.filter(username__in=names).order_by("username"))
    lead, _ = User.objects.get_or_create(username="load-lead")
    project = Project.objects.filter(slug=SLUG).first()
    setup = {}
    if project is None or project.examples.count() != n:
        if project:
            project.delete()
        project = Project.objects.create(name="Load", slug=SLUG, created_by=lead)
        Membership.objects.create(project=project, user=lead, role=Role.LEAD)
        start = time.perf_counter()
        rows, _ = make_rows(n)
        statuses = ["approved", "submitted", "draft", "changes_requested"]
        Example.objects.bulk_create(
            (
                Example(project=project, author=users[i % len(users)], status=statuses[i % 4], **row)
                for i, row in enumerate(rows)
            ),
            batch_size=5000,
        )
        setup["insert_seconds"] = round(time.perf_counter() - start, 1)
        start = time.perf_counter()
        setup["scan_findings"] = scan_project(project)["findings"]
        setup["scan_seconds"] = round(time.perf_counter() - start, 1)
    members = set(project.memberships.values_list("user_id", flat=True))
    Membership.objects.bulk_create(
        [Membership(project=project, user=u, role=Role.ANNOTATOR) for u in users if u.id not in members]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # what autovacuum does after a bulk load
    own = {u.username: [] for u in users}
    by_id = {u.id: u.username for u in users}
    for example_id, author_id in project.examples.filter(deleted_at=None).values_list("id", "author_id"):
        if author_id in by_id:
            own[by_id[author_id]].append(example_id)
    return project, own, setup


# --- the server ---------------------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(workers, port, conn_max_age):
    """gunicorn as production runs it (DEBUG off, the README's settings), on loopback."""
    env = {
        **os.environ,
        "DB_CONN_MAX_AGE": str(conn_max_age),
        "DEBUG": "false",
        "SECRET_KEY": "load-benchmark-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "false",
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "studio.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def worker_cpu_seconds(master):
    """CPU seconds (user + system) spent so far by the gunicorn workers of `master` (from /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == master.pid:  # fields[1]: the parent's pid; [11], [12]: utime, stime
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


# --- an annotator -------------------------------------------------------------------------------


class Browser:
    """One signed-in person's cookies over plain HTTP/1.1 on loopback (gunicorn's sync workers
    close every connection, as a browser meets them behind a proxy without keep-alive)."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, form=None, headers=None):
        body = urlencode(form).encode() if form is not None else None
        head = {"Host": "127.0.0.1", **(headers or {})}
        if self.cookies:
            head["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            head["Content-Type"] = "application/x-www-form-urlencoded"
            head["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request(method, path, body=body, headers=head)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, content

    def login(self, username):
        """Sign in through the login form; returns the seconds the POST took."""
        status, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not token:
            raise SystemExit(f"the login page answered {status} without a CSRF token")
        form = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1).decode()}
        start = time.perf_counter()
        status, _ = self.request("POST", "/accounts/login/", form)
        took = time.perf_counter() - start
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"signing in as {username} answered {status}")
        return took


VERSION = re.compile(rb'name="version" value="(\d+)"')
TEXTAREA = re.compile(rb'<textarea name="(instruction|input|output)"[^>]*>\n?(.*?)</textarea>', re.S)


def annotate(browser, example_ids, until, think, rng, samples, errors):
    """Repeat list -> editor -> save until `until` (monotonic), recording (step, seconds)."""
    slug = SLUG

    def timed(step, method, path, form=None, headers=None, expect=b""):
        start = time.perf_counter()
        try:
            status, body = browser.request(method, path, form, headers)
        except OSError as e:
            errors.append((step, f"{type(e).__name__}: {e}"))
            return None
        samples.append((step, time.perf_counter() - start))
        if status != 200 or expect not in body:
            errors.append((step, f"status {status}" if status != 200 else f"page without {expect.decode()!r}"))
            return None
        return body

    def pause():
        time.sleep(think * rng.uniform(0.5, 1.5))

    while time.monotonic() < until:
        timed("list", "GET", f"/p/{slug}/examples/", expect=b'id="example-rows"')
        pause()
        example_id = rng.choice(example_ids)
        page = timed("editor", "GET", f"/p/{slug}/examples/{example_id}/", expect=b'id="example-form"')
        pause()
        if page is None or time.monotonic() >= until:
            continue
        fields = {name.decode(): unescape(text.decode()) for name, text in TEXTAREA.findall(page)}
        output = fields.get("output", "")
        fields["output"] = output[:-7] if output.endswith(" (edit)") else output + " (edit)"
        fields["version"] = VERSION.search(page).group(1).decode()
        timed(
            "save",
            "POST",
            f"/p/{slug}/examples/{example_id}/",
            fields,
            {"HX-Request": "true", "HX-Target": "editor"},
            expect=b"Saved (version",
        )
        pause()


def run_annotators(browsers, own, seconds, think, seed):
    """Every browser annotates for `seconds`; returns (samples, errors, seconds it took)."""
    samples, errors = [], []
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(
            target=annotate,
            args=(browser, own[name], until, think, random.Random(seed + i), samples, errors),
        )
        for i, (name, browser) in enumerate(browsers.items())
    ]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
        time.sleep(think / len(threads))  # people do not all click in the same millisecond
    for thread in threads:
        thread.join()
    return samples, errors, time.perf_counter() - start


def summarize(samples, errors, seconds):
    result = {}
    for step in STEPS:
        times = [t for s, t in samples if s == step]
        result[step] = {
            "requests": len(times),
            "p50_ms": ms(statistics.median(times)) if times else None,
            "p95_ms": ms(percentile(times, 95)) if times else None,
            "max_ms": ms(max(times)) if times else None,
            "errors": sum(1 for s, _ in errors if s == step),
        }
    result["requests_per_second"] = round(len(samples) / seconds, 1)
    result["error_examples"] = sorted({f"{s}: {e}" for s, e in errors})[:5]
    return result


def query_counts(own):
    """The database queries each step makes (in this process, through Django's test client)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from curation.models import Example

    name = sorted(own)[0]
    client = Client()
    client.force_login(get_user_model().objects.get(username=name))
    example = Example.objects.get(id=own[name][0])
    counts = {}
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/p/{SLUG}/examples/")
    counts["list"] = len(queries)
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/p/{SLUG}/examples/{example.id}/")
    counts["editor"] = len(queries)
    form = {"instruction": example.instruction, "input": example.input, "output": example.output + " (edit)"}
    with CaptureQueriesContext(connection) as queries:
        client.post(f"/p/{SLUG}/examples/{example.id}/", {**form, "version": example.version}, HTTP_HX_REQUEST="true")
    counts["save"] = len(queries)
    Example.objects.filter(id=example.id).update(output=example.output)
    return counts


def machine():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL {postgres}"


def phase(name, browsers, own, seconds, think, server):
    load_before = os.getloadavg()
    cpu_before = worker_cpu_seconds(server)
    samples, errors, took = run_annotators(browsers, own, seconds, think, seed=len(browsers))
    cpu = worker_cpu_seconds(server) - cpu_before
    result = {
        "annotators": len(browsers),
        "seconds": round(took, 1),
        **summarize(samples, errors, took),
        "worker_cpu_ms_per_request": ms(cpu / max(1, len(samples))),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }
    print(
        f"{name}: "
        + ", ".join(f"{s} p95 {result[s]['p95_ms']} ms ({result[s]['requests']})" for s in STEPS)
        + f", {sum(result[s]['errors'] for s in STEPS)} errors, load {result['load_average_after'][0]}"
    )
    return result


def markdown(result):
    base, load = result["baseline"], result["load"]
    lines = [
        f"# Load: {load['annotators']} annotators against gunicorn ({result['workers']} workers) + PostgreSQL",
        "",
        f"{result['when']} · {result['machine']} · {result['examples']:,} examples · think time "
        f"{result['think_seconds']} s (x0.5-1.5) · load average before/after: "
        f"{load['load_average_before'][0]} / {load['load_average_after'][0]}",
        "",
        f"| step | 1 annotator p95 | {load['annotators']} annotators p50 | p95 | ratio p95 | requests | errors | queries |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for step in STEPS:
        b, m = base[step], load[step]
        ratio = round(m["p95_ms"] / b["p95_ms"], 1) if m["p95_ms"] and b["p95_ms"] else "–"
        lines.append(
            f"| {step} | {b['p95_ms']} ms | {m['p50_ms']} ms | {m['p95_ms']} ms | {ratio}x | {m['requests']} "
            f"| {m['errors']} | {result['queries'][step]} |"
        )
    login = result["login"]
    lines += [
        "",
        f"Target: p95 at most {TARGET_P95_MS} ms for each step and no errors with {load['annotators']} annotators: "
        f"**{'met' if result['met'] else 'not met'}**. {load['requests_per_second']} requests/s; gunicorn's workers "
        f"spent {load['worker_cpu_ms_per_request']} ms of CPU per request ({base['worker_cpu_ms_per_request']} ms "
        f"with 1 annotator).",
        f"Sign-in (measured apart, one at a time, before the clock): p50 {login['p50_ms']} ms, p95 {login['p95_ms']} ms.",
        "",
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotators", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--baseline-seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=2.0, help="mean seconds a person spends between steps")
    parser.add_argument("--workers", type=int, default=5, help="gunicorn workers (the README's advice for 2 cores)")
    parser.add_argument(
        "--conn-max-age", type=int, default=60, help="DB_CONN_MAX_AGE: seconds a worker keeps its database connection"
    )
    parser.add_argument("--n", type=int, default=20_000, help="examples in the project")
    parser.add_argument("--out", default="load", help="name of the result files in benchmarks/results/")
    args = parser.parse_args()
    setup_django()
    project, own, setup = setup_project(args.n, args.annotators)
    queries = query_counts(own)
    port = free_port()
    server = start_gunicorn(args.workers, port, args.conn_max_age)
    try:
        browsers = {name: Browser(port) for name in sorted(own)}
        logins = [browser.login(name) for name, browser in browsers.items()]
        warm = Browser(port)
        warm.cookies = dict(browsers[sorted(own)[0]].cookies)
        for _ in range(args.workers * 3):  # every worker has loaded its templates and URLs
            warm.request("GET", f"/p/{SLUG}/examples/")
        first = sorted(own)[0]
        baseline = phase("1 annotator", {first: browsers[first]}, own, args.baseline_seconds, args.think, server)
        load = phase(f"{len(browsers)} annotators", browsers, own, args.seconds, args.think, server)
    finally:
        server.terminate()
        server.wait(timeout=30)
    met = all(load[s]["p95_ms"] is not None and load[s]["p95_ms"] <= TARGET_P95_MS for s in STEPS) and not any(
        load[s]["errors"] for s in STEPS
    )
    result = {
        "benchmark": "load",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "examples": args.n,
        "setup": setup,
        "workers": args.workers,
        "db_conn_max_age": args.conn_max_age,
        "think_seconds": args.think,
        "queries": queries,
        "login": {
            "users": len(logins),
            "p50_ms": ms(statistics.median(logins)),
            "p95_ms": ms(percentile(logins, 95)),
        },
        "baseline": baseline,
        "load": load,
        "ratio_p95_to_baseline": {
            s: round(load[s]["p95_ms"] / baseline[s]["p95_ms"], 1)
            for s in STEPS
            if load[s]["p95_ms"] and baseline[s]["p95_ms"]
        },
        "target": f"p95 <= {TARGET_P95_MS} ms for list, editor and save with {args.annotators} annotators, 0 errors",
        "met": met,
    }
    results = ROOT / "benchmarks" / "results"
    (results / f"{args.out}.json").write_text(json.dumps(result, indent=2) + "\n")
    (results / f"{args.out}.md").write_text(markdown(result))
    print(markdown(result))


if __name__ == "__main__":
    main()
