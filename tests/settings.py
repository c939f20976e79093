"""Settings for the test suite: the studio's own settings, pointed at the real services."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

from pathlib import Path  # noqa: E402

from studio.settings import *  # noqa: E402,F403
from studio.settings import BASE_DIR, database_from_url  # noqa: E402
from tests.services import probe  # noqa: E402

SERVICES = probe()
if "postgres" in SERVICES.missing:
    DATABASES = {"default": database_from_url("sqlite://:memory:")}
    DATABASES["default"].pop("OPTIONS")
else:
    DATABASES = {"default": database_from_url(SERVICES.database_url)}
CELERY_BROKER_URL = SERVICES.broker_url
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}  # noqa: F405

# Runs, uploads and exports of a test session go to a folder of their own (workers share it).
import tempfile  # noqa: E402

VAR_DIR = Path(tempfile.mkdtemp(prefix="studio-test-"))
MEDIA_ROOT = VAR_DIR / "media"

# The tiny model is built once into var/ and reused by later runs (it is deterministic).
MODELS_DIR = BASE_DIR / "var" / "test-models"
MODEL_ROOTS = [MODELS_DIR]
DEMO_MODEL_DIR = MODELS_DIR / "tiny-llama"

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
