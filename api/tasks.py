"""Background work of the API: forgetting old served completions."""

from celery import shared_task


@shared_task
def prune_served_completions():
    """Delete served completions (and their feedback) older than SERVED_LOG_DAYS; drafts made from
    them stay in curation. Returns how many completions were deleted."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from api.models import ServedCompletion

    if not settings.SERVED_LOG_DAYS:
        return 0
    cutoff = timezone.now() - timedelta(days=settings.SERVED_LOG_DAYS)
    deleted = 0
    while True:  # in slices, so one run never holds a long lock on a busy table
        ids = list(ServedCompletion.objects.filter(created_at__lt=cutoff).values_list("id", flat=True)[:5000])
        if not ids:
            return deleted
        ServedCompletion.objects.filter(id__in=ids).delete()
        deleted += len(ids)
