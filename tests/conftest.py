import pytest
from django.conf import settings

from curation import checking
from curation.models import Example, Revision
from studio.models import Membership, Project, Role

SERVICE_MARKERS = ("postgres", "redis", "browser")
WORKER_LOGS = []  # every real worker's log of this session: which tasks went through a worker


def pytest_report_header(config):
    services = settings.SERVICES
    if not services.missing:
        return f"services: PostgreSQL {settings.DATABASES['default']['HOST']}, Redis {services.broker_url}, Chromium: all reachable"
    return "services missing, their tests are skipped: " + "; ".join(services.missing.values())


def pytest_configure(config):
    services = settings.SERVICES
    if services.missing and services.in_ci:
        pytest.exit("CI=true and a required service is missing: " + "; ".join(services.missing.values()), returncode=3)
    if services.missing:
        print("services missing, their tests are skipped: " + "; ".join(services.missing.values()))


def tasks_run_by_workers(paths):
    """Names of the tasks that real workers received, read from their logs."""
    import re

    pattern = re.compile(r"Task ([\w.]+)\[[0-9a-f-]+\] received")
    names = set()
    for path in paths:
        if path.is_file():
            names.update(pattern.findall(path.read_text(errors="replace")))
    return names


def pytest_sessionfinish(session, exitstatus):
    """With CI=true and the whole suite run, every Celery task of the studio must have gone
    through a real worker at least once (eager runs do not count)."""
    config = session.config
    whole_suite = not config.args or config.args == list(config.getini("testpaths"))
    if not (settings.SERVICES.in_ci and whole_suite and not config.option.keyword and exitstatus == 0):
        return
    from studio.celery import app as celery_app

    celery_app.loader.import_default_modules()
    ours = {name for name in celery_app.tasks if not name.startswith("celery.")}
    missing = sorted(ours - tasks_run_by_workers(WORKER_LOGS))
    if missing:
        print("\nThese Celery tasks never ran on a real worker in this session: " + ", ".join(missing))
        session.exitstatus = 1


def pytest_collection_modifyitems(config, items):
    missing = settings.SERVICES.missing
    for item in items:
        for name in SERVICE_MARKERS:
            if name in missing and item.get_closest_marker(name):
                item.add_marker(pytest.mark.skip(reason=missing[name]))


@pytest.fixture(scope="session")
def tiny_model_dir():
    """The tiny demo model, built and pretrained once (a copy made by the same code is reused)."""
    from training.core.tiny_model import ensure_tiny_model

    folder, _built = ensure_tiny_model(settings.DEMO_MODEL_DIR)
    return folder


@pytest.fixture(autouse=True)
def fresh_vector_cache():
    """The on-save check keeps each project's vectors in memory; a test's database starts anew,
    so does the cache (ids may be reused)."""
    from curation import vectors

    vectors.reset()
    yield
    vectors.reset()


def make_user(django_user_model, username, **extra):
    return django_user_model.objects.create_user(
        username=username, password="pw-" + username, email=f"{username}@example.org", **extra
    )


@pytest.fixture
def people(django_user_model):
    """A project with one member per role, plus an outsider who belongs to another project."""
    lead = make_user(django_user_model, "lena")
    annotator = make_user(django_user_model, "arjun")
    reviewer = make_user(django_user_model, "rosa")
    outsider = make_user(django_user_model, "otto")
    project = Project.create_with_lead(name="Ticket triage", description="Triage tickets.", lead=lead)
    Membership.objects.create(project=project, user=annotator, role=Role.ANNOTATOR)
    Membership.objects.create(project=project, user=reviewer, role=Role.REVIEWER)
    other = Project.create_with_lead(name="Other team", description="", lead=outsider)

    class People:
        pass

    p = People()
    p.lead, p.annotator, p.reviewer, p.outsider, p.project, p.other_project = (
        lead,
        annotator,
        reviewer,
        outsider,
        project,
        other,
    )
    return p


@pytest.fixture
def make_example(people):
    """make_example(**fields) -> an example as the editor would save it: a first revision and
    its checks stored. Defaults: the annotator's draft in the people's project."""

    def make(*, author=None, project=None, check=True, **fields):
        author = author or people.annotator
        if not fields.get("messages"):
            fields.setdefault("instruction", "Triage the ticket.")
            fields.setdefault("output", '{"category": "shipping", "priority": "high"}')
        example = Example.objects.create(project=project or people.project, author=author, **fields)
        Revision.record(example, author, "created")
        if check:
            checking.check_example(example)
        return example

    return make


@pytest.fixture
def eager_tasks():
    """Run enqueued tasks inline (the real worker is covered by the worker tests)."""
    from studio.celery import app as celery_app

    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def as_user(client):
    """as_user(user) -> the test client signed in as that user."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


# --- the browser: Debian's Chromium driven by Playwright ----------------------------------------


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    from tests.services import CHROMIUM

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def sign_in(page, live_server, username, password):
    page.goto(live_server.url + "/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


# --- a real Celery worker, in its own process, against Redis and PostgreSQL ---------------------


@pytest.fixture
def start_worker(tiny_model_dir, tmp_path):
    """start_worker(name="a") -> (process, log): a worker on both queues, sharing the test
    database; every worker started is stopped (SIGTERM, then SIGKILL) at the end of the test."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    import redis

    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()  # nothing stale from earlier runs
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "studio.settings",
        "SECRET_KEY": "worker-test",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "STUDIO_VAR_DIR": str(settings.VAR_DIR),
        "PYTHONPATH": str(settings.BASE_DIR),  # this checkout's code, not whichever one the venv was installed from
    }
    started = []

    def start(name="a", app="studio"):
        log = open(tmp_path / f"worker-{name}.log", "w+")
        WORKER_LOGS.append(Path(log.name))
        celery = Path(sys.executable).with_name("celery")
        process = subprocess.Popen(
            [
                str(celery),
                "-A",
                app,  # tests.slow_worker: a worker whose jobs pause after each progress report
                "worker",
                "-Q",
                "default,gpu",
                "--pool",
                "solo",
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "INFO",
                "-n",
                f"test-{name}@%h",
            ],
            env=env,
            cwd=settings.BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append((process, log))
        return process, log

    yield start
    for process, log in started:
        stop(process)
        log.close()


def stop(process):
    """Stop a process started in its own session, and its children: SIGTERM, then SIGKILL."""
    import os
    import signal
    import subprocess

    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_for(predicate, timeout, what, log=None):
    """Poll predicate() until it is true; fail with the worker's log after timeout seconds."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    text = ""
    if log is not None:
        log.seek(0)
        text = log.read()[-4000:]
    pytest.fail(f"timed out after {timeout}s waiting for {what}; worker log:\n{text}")


# --- a finished training run with a real adapter (evaluation and API tests) ----------------------


def frozen_version(people, model_dir, records, ratios=(0.8, 0.0, 0.2)):
    """(base model, version): the model in `model_dir` registered and checked in the people's
    project, and a version frozen from `records` as approved examples."""
    from curation.core.splits import SplitConfig
    from curation.versions import freeze
    from training.core.model_info import inspect_model_folder
    from training.models import BaseModel

    base = BaseModel.objects.create(project=people.project, name="Tiny", path=str(model_dir))
    base.record_inspection(info=inspect_model_folder(model_dir))
    Example.objects.bulk_create(
        Example(
            project=people.project,
            author=people.annotator,
            status=Example.Status.APPROVED,
            instruction=r.instruction,
            input=r.input,
            output=r.output,
        )
        for r in records
    )
    version = freeze(
        people.project, people.lead, name="v1", note="", config=SplitConfig(ratios=ratios), leakage_override="templated"
    )
    return base, version


def succeeded_run(people, model_dir, records, output_dir=""):
    """A succeeded run of the model in `model_dir` on a version frozen from `records` (80% train,
    20% test); its adapter is whatever `output_dir` holds (nothing: enough for everything before
    generation)."""
    from training.models import TrainingRun

    base, version = frozen_version(people, model_dir, records)
    return TrainingRun.objects.create(
        project=people.project,
        name="r1",
        dataset_version=version,
        base_model=base,
        config={},
        status=TrainingRun.Status.SUCCEEDED,
        output_dir=str(output_dir),
    )


def trained_run(people, model_dir, folder, examples, name="r1", **settings):
    """A succeeded run of the tiny model, really trained on the train split of a version frozen
    from `examples` demo tickets; `settings` go to TrainConfig (method="full" saves a whole model)."""
    from curation.core.demo_tickets import make_examples
    from training.core.engine import TrainConfig, train

    run = succeeded_run(people, model_dir, make_examples(n=examples), output_dir=folder)
    run.name = name
    if "method" in settings:
        run.config = {"method": settings["method"]}  # what the run page and the registry read
    run.save(update_fields=["name", "config"])
    config = {"batch_size": 8, "max_length": 384, "early_stopping_patience": 0, **settings}
    train(
        TrainConfig(base_model=str(model_dir), **config),
        [i.record() for i in run.dataset_version.items.filter(split="train")],
        [],
        run.output_dir,
    )
    return run


@pytest.fixture
def trained(people, tiny_model_dir, tmp_path):
    return trained_run(people, tiny_model_dir, tmp_path / "run", 60, epochs=2, learning_rate=3e-3)


@pytest.fixture
def full_trained(people, tiny_model_dir, tmp_path):
    """A succeeded full fine-tune of the tiny model: its output is a whole model folder, no adapter."""
    return trained_run(
        people, tiny_model_dir, tmp_path / "full", 40, name="full1", method="full", epochs=1, learning_rate=1e-3
    )


@pytest.fixture(scope="session")
def model_server(tmp_path_factory):
    """The local model server, as under `make run`: one for the session (in this process, models
    loaded on first use), serving the tests' folders."""
    from django.conf import settings

    from evaluation.core.local_server import serve

    roots = [tmp_path_factory.getbasetemp(), settings.MODELS_DIR, settings.VAR_DIR, *settings.MODEL_ROOTS]
    server, url = serve(roots=roots)
    yield server, url
    server.shutdown()
