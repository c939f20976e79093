"""The studio's Celery app for the first worker of a kill test: taking a job, and each progress
report with something done, is followed by a one-second pause, so the test kills the worker while the job is
surely half way (on these cores a small export or pre-flight otherwise ends between two polls of
the test). Only the worker that is killed runs it; the one that finishes the job is the plain app.

    celery -A tests.slow_worker worker ...
"""

import time

from celery.signals import worker_init

from studio.celery import app  # noqa: F401  (the app Celery's -A finds here)

PAUSE_SECONDS = 1.0


@worker_init.connect
def pause_after_each_report(**kwargs):
    import django

    django.setup()
    from studio.jobs import BackgroundJob

    claim, report = BackgroundJob.claim, BackgroundJob.report

    def paused_claim(self, *args, **kwargs):
        taken = claim(self, *args, **kwargs)
        if taken:
            time.sleep(PAUSE_SECONDS)
        return taken

    def paused_report(self, done, total):
        report(self, done, total)
        if done:
            time.sleep(PAUSE_SECONDS)

    BackgroundJob.claim, BackgroundJob.report = paused_claim, paused_report
