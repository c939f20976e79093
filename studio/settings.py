"""Settings, all from the environment.

The embedded default (no variables set) is what `make run` uses on a laptop: SQLite under var/
and Celery on kombu's filesystem transport, so no server is needed. DATABASE_URL and
CELERY_BROKER_URL switch to PostgreSQL and Redis.
"""

import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

from studio.env import envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("STUDIO_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = envbool("DEBUG", False)
# manage.py sets this for the commands that only read files (check_dataset): they run on a fresh
# clone with no SECRET_KEY, DEBUG or database, and cannot reach a database by mistake.
OFFLINE_COMMAND = envbool("STUDIO_OFFLINE_COMMAND", False)
SECRET_KEY = envstr("SECRET_KEY")
if not SECRET_KEY:
    if OFFLINE_COMMAND:
        SECRET_KEY = secrets.token_urlsafe(50)  # signs nothing that outlives the command
    elif not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY (or SECRET_KEY_FILE) for production, "
            "or DEBUG=true for local development."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
if not DEBUG:
    SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = envbool("SECURE_COOKIES", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "axes",
    "studio",
    "curation",
    "training",
    "evaluation",
    "api",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "studio.middleware.ContentSecurityPolicyMiddleware",
    "api.middleware.ApiJsonErrorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "studio.middleware.HtmxLoginRedirectMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out sign-in into the lockout page
]

ROOT_URLCONF = "studio.urls"
WSGI_APPLICATION = "studio.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["studio.templatetags.studio_tags"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def database_from_url(url):
    """A Django DATABASES entry for a URL; SQLite gets WAL and a busy timeout so the web
    process and the worker can write side by side."""
    config = dj_database_url.parse(url, conn_max_age=envint("DB_CONN_MAX_AGE", 0))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    return config


DATABASES = {"default": database_from_url(envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'studio.sqlite3'}"))}
if OFFLINE_COMMAND:
    DATABASES = {"default": {"ENGINE": "django.db.backends.dummy"}}  # any query fails loudly
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Repeated wrong passwords (django-axes): after AXES_FAILURE_LIMIT failures for one username from
# one address, sign-in is refused with a page that says so, until the cool-off has passed or an
# admin runs `manage.py axes_reset_username NAME`. force_login (tests) does not go through it.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 8)
AXES_COOLOFF_MINUTES = envint("AXES_COOLOFF_MINUTES", 15)
AXES_COOLOFF_TIME = timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Behind reverse proxies (nginx, a load balancer), every request comes from the proxy: set
# TRUSTED_PROXIES to their number so that the address counted is the one the outermost proxy saw
# (studio/proxies.py); 0 ignores X-Forwarded-For, which a client can write itself.
TRUSTED_PROXIES = envint("TRUSTED_PROXIES", 0)
AXES_CLIENT_IP_CALLABLE = "studio.proxies.client_ip"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "studio:project-list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = envstr("TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(VAR_DIR / "media")))  # uploaded import files
MEDIA_URL = "media/"
# Uploads above this size are refused with a message (imports and the API).
MAX_UPLOAD_BYTES = envint("MAX_UPLOAD_BYTES", 50_000_000)
# One example's text (every field and turn, UTF-8) at most: larger ones are refused on import,
# by check_dataset and in the editor, naming the line.
MAX_EXAMPLE_BYTES = envint("MAX_EXAMPLE_BYTES", 1_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5_000_000

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production images run collectstatic into STATIC_ROOT; the embedded default serves static/
# straight from the source folder through whitenoise's finders.
STATIC_ROOT = envstr("STATIC_ROOT") or None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve static files straight from the source folders (no collectstatic needed for the
# embedded default); production images run collectstatic and set this off.
WHITENOISE_USE_FINDERS = envbool("WHITENOISE_USE_FINDERS", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "plain"}},
    "root": {"handlers": ["stdout"], "level": envstr("LOG_LEVEL", "INFO")},
}

# --- Celery -------------------------------------------------------------------------------
# Read by studio/celery.py through config_from_object(namespace="CELERY").
# Embedded default: kombu's filesystem transport, a folder under var/ that the web process
# and the worker share (StudioConfig.ready creates it). Production: redis://.
CELERY_BROKER_URL = envstr("CELERY_BROKER_URL", "filesystem://")
BROKER_FOLDER = VAR_DIR / "broker"
# A training run may take this long before its worker stops it; the broker must not hand an
# unacknowledged (acks_late) task to another worker while it is still running.
TRAINING_TIME_LIMIT = envint("TRAINING_TIME_LIMIT", 24 * 3600)
CELERY_VISIBILITY_TIMEOUT = envint("CELERY_VISIBILITY_TIMEOUT", TRAINING_TIME_LIMIT + 6 * 3600)
if CELERY_VISIBILITY_TIMEOUT <= TRAINING_TIME_LIMIT:
    raise ImproperlyConfigured(
        f"CELERY_VISIBILITY_TIMEOUT ({CELERY_VISIBILITY_TIMEOUT}s) must be longer than "
        f"TRAINING_TIME_LIMIT ({TRAINING_TIME_LIMIT}s), or a running training would be delivered twice."
    )
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS.update(
        data_folder_in=str(BROKER_FOLDER / "queue"),
        data_folder_out=str(BROKER_FOLDER / "queue"),
        control_folder=str(BROKER_FOLDER / "control"),
        processed_folder=str(BROKER_FOLDER / "processed"),
        store_processed=False,
    )
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [Queue(name, Exchange(name, type="direct"), routing_key=name) for name in ("default", "gpu")]
# Task names that run on GPU workers; everything else goes to `default`.
CELERY_TASK_ROUTES = {
    "training.tasks.train_*": {"queue": "gpu"},
    "training.tasks.merge_*": {"queue": "gpu"},
    "evaluation.tasks.generate_*": {"queue": "gpu"},
}
# A task is acknowledged only after it finished, so a worker that dies mid-task leaves it to be
# redelivered; every task is written to be safe to run twice. Which delivery runs a job is the
# job's row, not the broker: a task redelivered after a pool process died (reject_on_worker_lost)
# or a cold shutdown finds the job still running and does nothing (claim); the reaper queues it
# again once its heartbeat is JOB_STALE_SECONDS old, and only the worker that claimed it can beat.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True  # a job's outcome lives on its own database row
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A running job with no heartbeat for JOB_STALE_SECONDS has lost its worker; the reaper, every
# REAP_SECONDS, queues it again or fails it: a job whose worker was killed waits at most 2 minutes.
JOB_STALE_SECONDS = envint("JOB_STALE_SECONDS", 90)
# Jobs of every kind whose worker stopped sending heartbeats are queued again (a training run
# resumes from its last checkpoint) or failed, by this one periodic job (studio/jobs.py).
CELERY_BEAT_SCHEDULE = {
    "reap-stale-jobs": {"task": "studio.tasks.reap_stale_jobs", "schedule": envint("REAP_SECONDS", 30)},
    "prune-served-completions": {"task": "api.tasks.prune_served_completions", "schedule": 6 * 3600},
    # download zips of run artifacts are kept for a day
    "prune-artifact-archives": {"task": "training.tasks.prune_artifact_archives", "schedule": 3600},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The serving page's connection test refuses servers on loopback, private and link-local
# addresses (it would let a lead probe the studio's own network) unless this is on; on by default
# only with DEBUG, where the local model server runs on 127.0.0.1.
SERVING_ALLOW_PRIVATE = envbool("SERVING_ALLOW_PRIVATE", DEBUG)
# Host names that pass even so: the serving containers on the studio's own network.
SERVING_TRUSTED_HOSTS = envlist("SERVING_TRUSTED_HOSTS", [])
# Beat runs the reaper itself (no worker slot needed, so busy workers cannot delay it).
CELERY_BEAT_SCHEDULER = "studio.tasks:ReapingScheduler"
MAX_DEVICES_PER_RUN = envint("MAX_DEVICES_PER_RUN", 8)
# GPUs of one training worker; unset: those nvidia-smi lists on this machine (training/devices.py).
WORKER_GPUS = envint("WORKER_GPUS", None)
API_MAX_NEW_TOKENS = envint("API_MAX_NEW_TOKENS", 2048)
# Requests a minute per API token (a token may carry its own limit).
API_RATE_LIMIT_PER_MINUTE = envint("API_RATE_LIMIT_PER_MINUTE", 600)
# Served completions (prompts and answers, which may hold personal data) are kept this many days;
# 0 keeps them for good. Drafts made from them stay in curation.
SERVED_LOG_DAYS = envint("SERVED_LOG_DAYS", 90)
# For a first estimate of a run's duration, before any run of the model has been timed here:
# the GPU workers' bf16 throughput, at 40% utilisation.
TRAINING_TFLOPS = envint("TRAINING_TFLOPS", 400)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Models --------------------------------------------------------------------------------
# Base models are local folders. A lead may register only folders below these roots, so the
# web form cannot be used to read arbitrary paths on the server.
MODELS_DIR = Path(envstr("STUDIO_MODELS_DIR", str(VAR_DIR / "models")))
MODEL_ROOTS = [Path(p) for p in envlist("STUDIO_MODEL_ROOTS", [str(MODELS_DIR)])]
DEMO_MODEL_DIR = MODELS_DIR / "tiny-llama"
# The local model server (python -m evaluation.core.local_server; `make run` starts it on
# http://127.0.0.1:8081): the "local" serving backend generates there, so the web process never
# loads torch. Empty: the API answers 502 for local models, and evaluations and studies generate
# inside the Celery worker instead.
LOCAL_MODEL_SERVER_URL = envstr("LOCAL_MODEL_SERVER_URL", "")
