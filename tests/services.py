"""Which real services the suite can reach. `make test` uses PostgreSQL and Redis on 127.0.0.1
unless DATABASE_URL / CELERY_BROKER_URL say otherwise; outside CI, what is missing is skipped
with its reason, and with CI=true a missing service fails the run."""

import os
import shutil
from dataclasses import dataclass, field

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/studio"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/15"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@dataclass
class Services:
    database_url: str
    broker_url: str
    missing: dict = field(default_factory=dict)  # marker name -> reason

    @property
    def in_ci(self):
        return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _postgres_error(url):
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    try:
        with psycopg.connect(
            host=cfg["HOST"] or "127.0.0.1",
            port=cfg["PORT"] or 5432,
            user=cfg["USER"] or "postgres",
            password=cfg["PASSWORD"] or None,
            dbname="postgres",
            connect_timeout=2,
        ):
            return ""
    except psycopg.OperationalError as e:
        return f"PostgreSQL at {cfg['HOST']}:{cfg['PORT']} is not reachable ({str(e).strip().splitlines()[0]})"


def _redis_error(url):
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2).ping()
        return ""
    except redis.RedisError as e:
        return f"Redis at {url} is not reachable ({e})"


def probe():
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    broker_url = os.environ.get("CELERY_BROKER_URL") or DEFAULT_BROKER_URL
    services = Services(database_url, broker_url)
    if database_url.startswith("postgres"):
        error = _postgres_error(database_url)
        if error:
            services.missing["postgres"] = error
    else:
        services.missing["postgres"] = f"DATABASE_URL={database_url} is not PostgreSQL"
    if broker_url.startswith("redis"):
        error = _redis_error(broker_url)
        if error:
            services.missing["redis"] = error
    else:
        services.missing["redis"] = f"CELERY_BROKER_URL={broker_url} is not Redis"
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        services.missing["browser"] = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    return services
