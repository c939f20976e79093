"""Who may call the API and how much: a personal token (`Authorization: Bearer st-...`) acting as
its user, a rate limit per token, the OpenAI-Project header naming a project of the user's, and
the size of a JSON body. Everything here runs before the request's body is read."""

import time
from functools import wraps

from django.conf import settings
from django.db import connection
from ninja.security import HttpBearer

from api.errors import ApiError, missing_token
from api.models import ApiToken, RateWindow
from studio.models import Membership

MAX_BODY = 1_000_000


class BearerToken(HttpBearer):
    openapi_bearerFormat = "st-..."
    openapi_description = "A personal API token from the API tokens page; it acts as you, with your roles."

    def __call__(self, request):
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            raise missing_token()
        return super().__call__(request)

    def authenticate(self, request, token):
        found = ApiToken.authenticate(token.strip())
        if found is None:
            raise ApiError("The API token is not valid or was revoked.", status=401, code="invalid_api_key")
        limit, used, reset = count_request(found)
        request.rate_limit_headers = {
            "x-ratelimit-limit-requests": str(limit),
            "x-ratelimit-remaining-requests": str(max(0, limit - used)),
            "x-ratelimit-reset-requests": f"{reset}s",
        }
        if used > limit:
            raise ApiError(
                f"Rate limit reached for this token: {limit} requests a minute. Try again in {reset} s.",
                status=429,
                code="rate_limit_exceeded",
                headers={"Retry-After": str(reset)},
            )
        slug = request.headers.get("OpenAI-Project", "").strip()
        if slug and not Membership.objects.filter(user=found.user, project__slug=slug).exists():
            raise ApiError(
                f"No project {slug!r} of yours: the OpenAI-Project header (the openai client's project=) names "
                "a project by its slug.",
                param="OpenAI-Project",
                status=404,
            )
        if _length(request) > MAX_BODY and not request.content_type.startswith("multipart/"):
            raise ApiError(f"The request body is larger than {MAX_BODY:,} bytes.", status=413, code="request_too_large")
        request.user = found.user
        request.api_token = found
        return found


def with_rate_limit_headers(run):
    """Every answer to an authenticated request, errors included, says where its token stands."""

    @wraps(run)
    def wrapper(request, *args, **kwargs):
        response = run(request, *args, **kwargs)
        for name, value in getattr(request, "rate_limit_headers", {}).items():
            response[name] = value
        return response

    return wrapper


def _length(request):
    value = request.headers.get("Content-Length", "")
    return int(value) if value.isascii() and value.isdigit() else 0


def count_request(token):
    """(limit, requests in this minute including this one, seconds until the minute ends): one
    atomic upsert in the database, so every web process counts against the same limit."""
    limit = token.rate_limit_per_minute or settings.API_RATE_LIMIT_PER_MINUTE
    now = time.time()
    minute = int(now // 60)
    table = connection.ops.quote_name(RateWindow._meta.db_table)
    # PostgreSQL commits the count without waiting for the disk (synchronous_commit off for this
    # one statement's transaction): a crash may forget a fraction of a second of counts, and a
    # request no longer waits for a WAL flush (4-11 ms on a busy machine) before it is served
    asynchronously = (
        "WITH c AS (SELECT set_config('synchronous_commit', 'off', true)) " if connection.vendor == "postgresql" else ""
    )
    values = "SELECT %s, %s, 1 FROM c" if asynchronously else "VALUES (%s, %s, 1)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"{asynchronously}INSERT INTO {table} (token_id, minute, count) {values} "
            f"ON CONFLICT (token_id, minute) DO UPDATE SET count = {table}.count + 1 RETURNING count",
            [token.id, minute],
        )
        used = cursor.fetchone()[0]
    if used == 1:  # a new minute: forget the old ones
        RateWindow.objects.filter(token=token, minute__lt=minute).delete()
    return limit, used, max(1, 60 - int(now % 60))
