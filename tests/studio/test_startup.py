"""The web process must not pay for the ML stack: torch and transformers load only in workers."""

import subprocess
import sys

from django.conf import settings


def test_web_process_starts_without_importing_the_ml_stack():
    code = (
        "import os, sys; os.environ.setdefault('DEBUG', 'true');"
        "import django; django.setup();"
        "from django.urls import resolve; import studio.urls, training.views, training.tasks;"
        "resolve('/projects/');"
        "print(','.join(sorted(m for m in ('torch', 'transformers', 'peft', 'trl', 'tokenizers') if m in sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        env={
            "DJANGO_SETTINGS_MODULE": "studio.settings",
            "PATH": "/usr/bin:/bin",
            "STUDIO_VAR_DIR": "/tmp/studio-startup-test",
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"the web process imported {result.stdout.strip()}"


def test_pages_do_not_load_the_api_until_a_v1_request_comes():
    """django-ninja, pydantic and the API's schemas load with the first /v1/ request, not with the
    first page (every page reverses URLs, which builds the whole URLconf)."""
    code = (
        "import os, sys; os.environ.setdefault('DEBUG', 'true');"
        "import django; django.setup();"
        "from django.urls import resolve, reverse;"
        "resolve('/projects/'); reverse('api:tokens'); resolve('/v1/models');"
        "print('ninja' in sys.modules);"
        "from django.test import Client; Client().get('/v1/openapi.json');"
        "print('ninja' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        env={
            "DJANGO_SETTINGS_MODULE": "studio.settings",
            "PATH": "/usr/bin:/bin",
            "STUDIO_VAR_DIR": "/tmp/studio-startup-test",
            "ALLOWED_HOSTS": "testserver",
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]
