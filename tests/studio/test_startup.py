"""The web process must not pay for the ML stack: torch and transformers load only in workers,
and the API's django-ninja and pydantic only with the first /v1/ request."""

import subprocess
import sys

from django.conf import settings


def web_process(code):
    """What a fresh process with the studio's settings printed after running `code`."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, sys; os.environ.setdefault('DEBUG', 'true'); import django; django.setup();" + code,
        ],
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
    return result.stdout.split()


def test_web_process_starts_without_importing_the_ml_stack():
    loaded = web_process(
        "from django.urls import resolve; import studio.urls, training.views, training.tasks;"
        "resolve('/projects/');"
        "print(*[m for m in ('torch', 'transformers', 'peft', 'trl', 'tokenizers') if m in sys.modules])"
    )
    assert loaded == [], f"the web process imported {loaded}"


def test_pages_do_not_load_the_api_until_a_v1_request_comes():
    """Every page reverses URLs, which builds the whole URLconf: the /v1/ routes must not come with it."""
    assert web_process(
        "from django.urls import resolve, reverse;"
        "resolve('/projects/'); reverse('api:tokens'); resolve('/v1/models');"
        "print('ninja' in sys.modules);"
        "from django.test import Client; Client().get('/v1/openapi.json');"
        "print('ninja' in sys.modules)"
    ) == ["False", "True"]
