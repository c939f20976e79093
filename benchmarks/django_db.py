"""What the database benchmarks share: a PostgreSQL database of their own (created if missing),
Django set up on it and migrated, and the figures' helpers."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(**env):
    """Point Django at the benchmark database (DATABASE_URL, default studio_bench), create it if
    missing, set Django up and migrate. Extra settings come as environment defaults."""
    sys.path.insert(0, str(ROOT))
    defaults = {
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/studio_bench",
        "DJANGO_SETTINGS_MODULE": "studio.settings",
        "DEBUG": "true",
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        **env,
    }
    for name, value in defaults.items():
        os.environ.setdefault(name, value)
    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def ensure_database(url):
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    with psycopg.connect(
        host=cfg["HOST"],
        port=cfg["PORT"] or 5432,
        user=cfg["USER"],
        password=cfg["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]]).fetchone():
            conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def ms(seconds):
    return round(seconds * 1000, 2)
