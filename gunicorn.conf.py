"""gunicorn's settings for the studio (read from the folder gunicorn starts in; the command line
and GUNICORN_CMD_ARGS override them). The worker count is the command line's or WEB_CONCURRENCY's.

A web process mostly waits: on PostgreSQL, and on the model server for /v1/chat/completions and
/v1/completions. Sync workers answer one request each at a time, so three of them held at most
three completions in flight and the model server could not batch the rest; threads let each worker
wait on many (benchmarks/serving.py). Each thread keeps its database connection for a minute
instead of opening one per request (DB_CONN_MAX_AGE, read by studio/settings.py).
"""

import os

worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
os.environ.setdefault("DB_CONN_MAX_AGE", "60")
