from celery import shared_task
from celery.beat import PersistentScheduler
from django.db import close_old_connections

from studio.jobs import reap_stale

REAPER = "studio.tasks.reap_stale_jobs"


@shared_task
def reap_stale_jobs():
    """The periodic reaper: every job kind whose worker stopped beating is queued again or failed."""
    return [f"{label}:{pk}" for label, pk in reap_stale()]


class ReapingScheduler(PersistentScheduler):
    """Beat's scheduler (CELERY_BEAT_SCHEDULER), which runs the reaper in the beat process itself
    rather than sending it to a worker: a reaper queued behind a long import or a training run on
    busy workers would leave a job whose worker was killed waiting without a word. Every other
    entry is sent as usual."""

    def apply_async(self, entry, producer=None, advance=True, **kwargs):
        if entry.task != REAPER:
            return super().apply_async(entry, producer, advance, **kwargs)
        entry = self.reserve(entry) if advance else entry
        close_old_connections()  # beat lives for weeks: never reuse a connection the database dropped
        try:
            touched = reap_stale_jobs()
        finally:
            close_old_connections()
        if touched:
            self.logger.info("Reaper: %s queued again or failed", ", ".join(touched))
        return None
