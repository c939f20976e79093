"""Monitoring of a served model in plain Python: requests, latency percentiles, errors and ratings
per time bucket (studio.core.charts draws them)."""

import math
from dataclasses import dataclass
from datetime import timedelta

PERIODS = {  # name -> (length, bucket width, label)
    "24h": (timedelta(hours=24), timedelta(hours=1), "last 24 hours, by hour"),
    "7d": (timedelta(days=7), timedelta(hours=6), "last 7 days, by 6 hours"),
    "30d": (timedelta(days=30), timedelta(days=1), "last 30 days, by day"),
}


def percentile(values, q):
    """The q-th percentile (0–100) by linear interpolation between closest ranks (NumPy's
    default); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Bucket:
    start: object
    requests: int = 0
    errors: int = 0
    p50: float | None = None  # latency of the answered requests, ms
    p95: float | None = None
    ratings: int = 0
    rating_total: float = 0

    @property
    def error_rate(self):
        return self.errors / self.requests if self.requests else None

    @property
    def mean_rating(self):
        return self.rating_total / self.ratings if self.ratings else None


@dataclass
class Summary:
    buckets: list
    requests: int
    errors: int
    p50: float | None
    p95: float | None
    p99: float | None
    prompt_tokens: int
    completion_tokens: int
    ratings: int
    mean_rating: float | None
    low_rated: int

    @property
    def error_rate(self):
        return self.errors / self.requests if self.requests else None


def summarize(completions, feedback, start, end, width, low_rating=2):
    """completions: [(created_at, latency_ms, ok, prompt_tokens, completion_tokens)];
    feedback: [(created_at, rating)]; both within [start, end). Latency percentiles count
    answered requests only (a failure's latency is the time it took to give up)."""
    buckets = make_buckets(start, end, width)
    count = len(buckets)

    def bucket(at):
        return min(count - 1, max(0, int((at - start) / width)))

    latencies, per_bucket, prompt_tokens, completion_tokens, errors = [], [[] for _ in buckets], 0, 0, 0
    for at, latency, ok, p_tokens, c_tokens in completions:
        i = bucket(at)
        buckets[i].requests += 1
        if ok:
            per_bucket[i].append(latency)
            latencies.append(latency)
            prompt_tokens += p_tokens
            completion_tokens += c_tokens
        else:
            buckets[i].errors += 1
            errors += 1
    for b, values in zip(buckets, per_bucket):
        b.p50, b.p95 = percentile(values, 50), percentile(values, 95)
    ratings = []
    for at, rating in feedback:
        b = buckets[bucket(at)]
        b.ratings += 1
        b.rating_total += rating
        ratings.append(rating)
    return Summary(
        buckets=buckets,
        requests=len(completions),
        errors=errors,
        p50=percentile(latencies, 50),
        p95=percentile(latencies, 95),
        p99=percentile(latencies, 99),
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        ratings=len(ratings),
        mean_rating=sum(ratings) / len(ratings) if ratings else None,
        low_rated=sum(1 for r in ratings if r <= low_rating),
    )


def make_buckets(start, end, width):
    return [Bucket(start + i * width) for i in range(max(1, math.ceil((end - start) / width)))]
