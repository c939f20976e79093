"""Background jobs: the one status vocabulary, the abstract model every long job inherits (claim,
heartbeat, progress, finish), enqueueing by task name, and the reaper that picks up jobs whose
worker vanished.

A job model declares the Celery task that runs it by name (`task_name`) and the keyword that
task takes (`task_argument`), so this module, in the lowest layer, can send and re-send the task
of any job without importing the app that owns it. The reaper finds the job models through
Django's app registry: every concrete subclass of BackgroundJob.
"""

import os
import socket
import threading
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F, Q
from django.utils import timezone

from studio.celery import app as celery_app

HEARTBEAT_SECONDS = 10
STALE_AFTER = timedelta(seconds=90)  # the default of settings.JOB_STALE_SECONDS


def stale_after():
    """No heartbeat for this long while running: the worker is gone. With the reaper's period
    (REAP_SECONDS) it bounds how long a job whose worker was killed waits: 90 s + 30 s."""
    return timedelta(seconds=getattr(settings, "JOB_STALE_SECONDS", STALE_AFTER.total_seconds()))


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


FINISHED = (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)


def worker_name():
    """This process, as a job records who holds it: host:pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def send(task_name, kwargs):
    """Send a task by its name. Under task_always_eager (development without a worker, some
    tests) the task runs here and now, as `.delay()` would run it."""
    if celery_app.conf.task_always_eager:
        celery_app.loader.import_default_modules()  # every app's tasks module, found by autodiscovery
        celery_app.tasks[task_name].apply(kwargs=kwargs)
    else:
        celery_app.send_task(task_name, kwargs=kwargs)


class BackgroundJob(models.Model):
    """What every long job holds: its status, who runs it and when it last beat, its progress,
    and a message a person can act on. Concrete models set `task_name` and, where the task's
    keyword is not `job_id`, `task_argument`."""

    Status = JobStatus
    FINISHED = FINISHED

    task_name = ""  # the Celery task that runs a job of this kind, e.g. "curation.tasks.import_file"
    task_argument = "job_id"
    max_attempts = 3  # a job whose worker vanished this many times fails instead of going back to the queue
    requeue_note = "it starts again from the beginning"  # what going back to the queue means for this kind
    resumes = False  # True: a job queued again goes on from where it was (training, from its checkpoint)

    status = models.CharField(max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True, help_text="What happened, in words a person can act on.")
    attempts = models.PositiveIntegerField(default=0, help_text="times a worker took it up (a retry counts)")
    worker = models.CharField(max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def finished(self):
        return self.status in FINISHED

    @property
    def percent(self):
        if self.status == JobStatus.SUCCEEDED:
            return 100
        return min(100, int(100 * self.done / self.total)) if self.total else 0

    @property
    def error(self):
        """Why it failed, or empty."""
        return self.message if self.status == JobStatus.FAILED else ""

    def _rows(self):
        return type(self)._default_manager.filter(pk=self.pk)

    def enqueue(self):
        """Send this job's task once the transaction that created or re-queued it has committed."""
        name, kwargs = self.task_name, {self.task_argument: self.pk}
        transaction.on_commit(lambda: send(name, kwargs))

    def claim(self, worker=None):
        """Take a queued job for this worker. False when it is not queued (another delivery of the
        task has it, or it was cancelled): the task then returns and does nothing."""
        now = timezone.now()
        worker = worker or worker_name()
        taken = (
            self._rows()
            .filter(status=JobStatus.QUEUED)
            .update(
                status=JobStatus.RUNNING, worker=worker, heartbeat_at=now, started_at=now, attempts=F("attempts") + 1
            )
            == 1
        )
        if taken:
            self.refresh_from_db(fields=["status", "worker", "heartbeat_at", "started_at", "attempts"])
        return taken

    def beat(self, **fields):
        """Say the worker is alive (and store any other fields given, e.g. progress). Only a
        running job beats, and only for the worker that claimed it: one the reaper gave up on or
        handed to another worker stays as it is, and the 0 returned tells the old holder to stop."""
        rows = self._rows().filter(status=JobStatus.RUNNING)
        if self.worker:
            rows = rows.filter(worker=self.worker)
        return rows.update(heartbeat_at=timezone.now(), **fields)

    def report(self, done, total):
        """Progress: `done` of `total`. A progress report is a heartbeat too."""
        self.done, self.total = done, total
        self.beat(done=done, total=total)

    def progress(self):
        """A report(done, total) callable for plain-Python code that writes only when the whole
        percent changes, so a loop of 100,000 steps makes at most 101 writes."""
        last = [-1]

        def report(done, total):
            percent = int(100 * done / total) if total else 100
            if percent != last[0]:
                last[0] = percent
                self.report(done, total)

        return report

    def beating(self, every=HEARTBEAT_SECONDS):
        """`with job.beating():` a long step without progress reports still beats, from a small
        thread, until the block ends."""
        return Heartbeat(self, every)

    def finish(self, message, *, failed=False, status=None, **fields):
        """Record the outcome once: succeeded, failed (`failed=True`) or the status given, with a
        message a person can act on. A job already finished keeps its outcome."""
        status = status or (JobStatus.FAILED if failed else JobStatus.SUCCEEDED)
        now = timezone.now()
        changes = {"status": status, "message": message, "finished_at": now, **fields}
        if status == JobStatus.SUCCEEDED and self.total:
            changes.setdefault("done", self.total)
        updated = self._rows().exclude(status__in=FINISHED).update(**changes)
        for name, value in changes.items():
            if not hasattr(value, "resolve_expression"):
                setattr(self, name, value)
        return updated == 1


class Heartbeat:
    """A daemon thread that beats for a job every few seconds while a block runs."""

    def __init__(self, job, every):
        self.job, self.every = job, every
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True, name=f"heartbeat-{job.pk}")

    def _run(self):
        try:
            while not self.stopped.wait(self.every):
                self.job.beat()
        finally:
            connection.close()  # this thread's own database connection

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        self.thread.join()
        return False


def job_models():
    """Every concrete job model of the installed apps."""
    return [m for m in apps.get_models() if issubclass(m, BackgroundJob)]


def lost(job):
    """The first words of a job's page while it waits for a worker again."""
    if job.resumes:
        return f"Worker lost at step {job.done}; resuming" if job.done else "Worker lost; resuming"
    return "Worker lost; queued again"


def reap_stale(now=None):
    """Running jobs whose worker stopped beating: back to the queue (their task sent again) while
    they have attempts left, else failed. The reason is stored in the job's message, which its
    page shows. Returns [(model label, id)] of the jobs it touched."""
    now = now or timezone.now()
    touched = []
    for model in job_models():
        stale = model._default_manager.filter(status=JobStatus.RUNNING).filter(
            Q(heartbeat_at__lt=now - stale_after()) | Q(heartbeat_at__isnull=True)
        )
        for job in stale:
            seen = f"{job.heartbeat_at:%H:%M:%S}" if job.heartbeat_at else "never"
            who = job.worker or "its worker"
            # the heartbeat it was seen with: a job that beat or finished since is left alone
            rows = model._default_manager.filter(pk=job.pk, status=JobStatus.RUNNING, heartbeat_at=job.heartbeat_at)
            if job.attempts >= model.max_attempts:
                updated = rows.update(
                    status=JobStatus.FAILED,
                    finished_at=now,
                    message=f"The worker stopped answering {job.attempts} times (last seen {seen} on {who}); "
                    "gave up. Start it again once the workers are healthy.",
                )
            else:
                updated = rows.update(
                    status=JobStatus.QUEUED,
                    worker="",
                    message=f"{lost(job)}. The worker ({who}) stopped answering at {seen} on attempt {job.attempts} of "
                    f"{model.max_attempts}; queued again, and {model.requeue_note}.",
                )
                if updated:
                    send(job.task_name, {job.task_argument: job.pk})
            if updated:
                touched.append((model._meta.label, job.pk))
    return touched
