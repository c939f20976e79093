"""The Celery app. Its settings are the CELERY_* values in studio/settings.py: queues `default`
(checks, imports, exports, inspections) and `gpu` (training, generation) routed by task name,
acks_late, prefetch 1, and a visibility timeout longer than the longest training run."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")

app = Celery("studio")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
