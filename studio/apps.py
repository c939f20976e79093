import os

from django.apps import AppConfig
from django.conf import settings


class StudioConfig(AppConfig):
    name = "studio"
    verbose_name = "Studio"

    def ready(self):
        # kombu's filesystem transport does not create its folders; the web process (which
        # sends) and the worker (which receives) both pass through here.
        if settings.CELERY_BROKER_URL.startswith("filesystem://") and not settings.OFFLINE_COMMAND:
            for key in ("data_folder_in", "control_folder", "processed_folder"):
                os.makedirs(settings.CELERY_BROKER_TRANSPORT_OPTIONS[key], exist_ok=True)
