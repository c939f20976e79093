from celery import shared_task

from studio.jobs import reap_stale


@shared_task
def reap_stale_jobs():
    """The periodic reaper (beat): every job kind whose worker stopped beating is queued again or failed."""
    return [f"{label}:{pk}" for label, pk in reap_stale()]
