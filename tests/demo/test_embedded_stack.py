"""`make run`'s embedded stack, started the way the Makefile starts it: SQLite under a var folder,
kombu's filesystem broker, a worker per queue (gpu, default), beat as its own process and
runserver, with no service configured.

The rest of the suite runs on PostgreSQL and Redis, so the code paths that only SQLite takes
(the on-save neighbour query, the import's statistics step, the monitoring summary read in Python)
and the filesystem broker would go untested without this file."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings

from tests.conftest import WORKER_LOGS, stop

pytestmark = pytest.mark.slow

ROOT = Path(settings.BASE_DIR)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def embedded(tmp_path_factory, tiny_model_dir):
    """migrate + seed_demo + worker + web server on SQLite and the filesystem broker."""
    tmp_path = tmp_path_factory.mktemp("embedded")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "CI")
    }
    env.update(
        DEBUG="true",
        STUDIO_VAR_DIR=str(tmp_path / "var"),
        STUDIO_MODELS_DIR=str(Path(tiny_model_dir).parent),  # the suite's tiny model: no second build
        PYTHONPATH=str(ROOT),
        OMP_NUM_THREADS="1",
        REAP_SECONDS="2",  # the reaper's period, so a test sees beat send it
    )
    python = sys.executable

    def manage(*args):
        done = subprocess.run(
            [python, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    manage("migrate", "--noinput")
    seeded = manage("seed_demo")
    assert "Demo logins" in seeded
    assert (tmp_path / "var" / "studio.sqlite3").is_file()

    port = _free_port()
    logs = {name: open(tmp_path / f"{name}.log", "w+") for name in ("gpu", "worker", "beat", "web")}
    WORKER_LOGS.extend(Path(logs[name].name) for name in ("gpu", "worker"))  # tasks run by a real worker
    celery = str(Path(python).with_name("celery"))
    processes = [
        subprocess.Popen(
            [
                celery,
                "-A",
                "studio",
                "worker",
                "-Q",
                "default",
                "-n",
                "default@%h",
                "--concurrency",
                "1",
                "--loglevel",
                "INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=logs["worker"],
            stderr=subprocess.STDOUT,
            start_new_session=True,
        ),
        subprocess.Popen(
            [celery, "-A", "studio", "worker", "-Q", "gpu", "-n", "gpu@%h", "--concurrency", "1", "--loglevel", "INFO"],
            cwd=ROOT,
            env=env,
            stdout=logs["gpu"],
            stderr=subprocess.STDOUT,
            start_new_session=True,
        ),
        subprocess.Popen(
            [celery, "-A", "studio", "beat", "--loglevel", "INFO"],
            cwd=ROOT,
            env=env,
            stdout=logs["beat"],
            stderr=subprocess.STDOUT,
            start_new_session=True,
        ),
        subprocess.Popen(
            [python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=logs["web"],
            stderr=subprocess.STDOUT,
            start_new_session=True,
        ),
    ]
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(base + "/healthz", timeout=2).ok:
                break
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            logs["web"].seek(0)
            pytest.fail("the embedded web server did not answer:\n" + logs["web"].read()[-3000:])
        time.sleep(0.3)

    class Stack:
        url = base
        worker, beat = processes[0], processes[2]

        def log(self, name):
            logs[name].flush()
            logs[name].seek(0)
            return logs[name].read()

        def shell(self, code):
            return manage("shell", "-c", code)

    yield Stack()
    for process in processes:
        stop(process)
    for log in logs.values():
        log.close()


def _login(url, username):
    session = requests.Session()
    page = session.get(url + "/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = session.post(
        url + "/accounts/login/",
        data={"username": username, "password": "studio-demo", "csrfmiddlewaretoken": token},
        headers={"Referer": url + "/accounts/login/"},
    )
    assert answer.ok and "sessionid" in session.cookies, f"{username} could not sign in"
    session.headers["X-CSRFToken"] = session.cookies["csrftoken"]
    session.headers["Referer"] = url + "/"
    return session


def test_make_runs_stack_serves_the_demo_checks_on_save_and_imports_through_its_worker(embedded):
    url, project = embedded.url, "/p/support-triage"
    annotator = _login(url, "annotator")
    home = annotator.get(url + project + "/")
    assert home.ok and "Support ticket triage" in home.text
    assert re.search(r'class="big-number">\s*\d{3}\s*<', home.text), "the examples count comes from curation"

    # A save checks the example against the project at once (SQLite's neighbour query).
    demo_answer = embedded.shell(
        "from curation.models import Example; e = Example.objects.filter(status='approved').order_by('id').first(); "
        "import json; print(json.dumps([e.instruction, e.input, e.output]))"
    )
    instruction, input_text, output = json.loads(demo_answer.strip().splitlines()[-1])
    saved = annotator.post(
        url + project + "/examples/new/", data={"instruction": instruction, "input": input_text, "output": output}
    )
    assert saved.ok
    assert "duplicate" in saved.text.lower(), "the copy of a demo example is flagged when it is saved"

    # An import goes through the filesystem broker to the worker and back.
    line = {"instruction": "Triage the ticket.", "input": "Mein Drucker druckt nur noch leere Seiten.", "output": "{}"}
    started = annotator.post(
        url + project + "/import/",
        files={"file": ("printer.jsonl", json.dumps(line, ensure_ascii=False).encode())},
        data={"status": "draft"},
    )
    assert started.ok
    job_url = started.url
    assert "/jobs/" in job_url
    deadline = time.monotonic() + 120
    while "Imported 1 example" not in annotator.get(job_url).text:
        assert time.monotonic() < deadline, "the worker did not finish the import:\n" + embedded.log("worker")[-3000:]
        time.sleep(1)
    assert "Mein Drucker" in annotator.get(url + project + "/examples/?q=Drucker").text


def test_the_monitoring_summary_reads_sqlite_rows_in_python(embedded):
    out = embedded.shell(
        "import json, datetime\n"
        "from django.db import connection\n"
        "from django.utils import timezone\n"
        "from api.models import Feedback, ServedCompletion\n"
        "from api.serving import summary_for\n"
        "from training.models import TrainingRun\n"
        "from studio.models import Project\n"
        "p = Project.objects.get(slug='support-triage')\n"
        "run = TrainingRun.objects.create(project=p, name='sqlite', base_model=p.base_model, "
        "dataset_version=p.dataset_versions.first(), config={})\n"
        "now = timezone.now()\n"
        "for ms, status in [(100, 'ok'), (300, 'ok'), (900, 'error')]:\n"
        "    ServedCompletion.objects.create(project=p, run=run, endpoint='chat.completions', "
        "latency_ms=ms, status=status, prompt_tokens=5, completion_tokens=7)\n"
        "summary, total, capped = summary_for(run, now - datetime.timedelta(hours=1), "
        "now + datetime.timedelta(minutes=1), datetime.timedelta(minutes=10), low_rating=2)\n"
        "print(json.dumps({'vendor': connection.vendor, 'total': total, 'capped': capped, "
        "'errors': summary.errors, 'requests': summary.requests}))\n"
    )
    figures = json.loads(out.strip().splitlines()[-1])
    assert figures == {"vendor": "sqlite", "total": 3, "capped": False, "errors": 1, "requests": 3}


def test_beat_reaps_a_lost_job_itself_and_outlives_a_killed_worker(embedded):
    """As `make run` starts it: the scheduler runs the reaper in its own process, which queues a
    job whose worker vanished again for the workers, and killing a worker leaves no second
    scheduler behind nor stops the one there is. Runs last: it kills the default worker."""
    job_id = embedded.shell(
        "from datetime import timedelta\n"
        "from django.utils import timezone\n"
        "from curation.models import Job\n"
        "from studio.models import Project\n"
        "p = Project.objects.get(slug='support-triage')\n"
        "job = Job.objects.create(project=p, kind=Job.Kind.SCAN, user=p.memberships.first().user, status='running',\n"
        "    attempts=1, worker='gone:1', heartbeat_at=timezone.now() - timedelta(minutes=10))\n"
        "print(job.id)"
    ).split()[-1]
    deadline = time.monotonic() + 60
    while True:
        status = embedded.shell(f"from curation.models import Job; print(Job.objects.get(id={job_id}).status)").split()[
            -1
        ]
        if status == "succeeded":
            break
        assert time.monotonic() < deadline, "the lost scan was not run again:\n" + embedded.log("beat")[-3000:]
        time.sleep(1)
    assert f"Reaper: curation.Job:{job_id} queued again or failed" in embedded.log("beat")

    def reaped():
        return embedded.log("beat").count("Sending due task reap-stale-jobs")

    os.killpg(embedded.worker.pid, signal.SIGKILL)
    embedded.worker.wait()
    before = reaped()
    time.sleep(5)
    assert embedded.beat.poll() is None and reaped() > before  # the one scheduler goes on
