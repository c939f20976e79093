"""The settings module, imported fresh in a subprocess with a controlled environment."""

import os
import subprocess
import sys

from django.conf import settings


def load_settings(**env):
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "CELERY_BROKER_URL", "ALLOWED_HOSTS"}
    }
    code = (
        "import studio.settings as s; "
        "print(s.DEBUG, s.ALLOWED_HOSTS, s.SESSION_COOKIE_SECURE if hasattr(s, 'SESSION_COOKIE_SECURE') else None, "
        "s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, sep='|')"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env={**base, **env}, cwd=settings.BASE_DIR, capture_output=True, text=True
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = load_settings()
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_defaults_are_safe():
    result = load_settings(SECRET_KEY="x" * 50, ALLOWED_HOSTS="studio.example.org")
    assert result.returncode == 0, result.stderr
    debug, hosts, secure_cookie, engine, broker = result.stdout.strip().split("|")
    assert debug == "False"
    assert hosts == "['studio.example.org']"
    assert secure_cookie == "True"


def test_embedded_default_needs_no_services():
    result = load_settings(DEBUG="true")
    assert result.returncode == 0, result.stderr
    _, _, _, engine, broker = result.stdout.strip().split("|")
    assert engine == "django.db.backends.sqlite3"
    assert broker == "filesystem://"


def test_environment_switches_to_postgres_and_redis():
    result = load_settings(
        DEBUG="true", DATABASE_URL="postgres://u@db:5432/studio", CELERY_BROKER_URL="redis://cache:6379/0"
    )
    assert result.returncode == 0, result.stderr
    _, _, _, engine, broker = result.stdout.strip().split("|")
    assert engine == "django.db.backends.postgresql"
    assert broker == "redis://cache:6379/0"


def test_visibility_timeout_must_outlast_the_longest_training():
    result = load_settings(DEBUG="true", TRAINING_TIME_LIMIT="7200", CELERY_VISIBILITY_TIMEOUT="3600")
    assert result.returncode != 0
    assert "must be longer than TRAINING_TIME_LIMIT" in result.stderr
