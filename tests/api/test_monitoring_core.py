"""The plain-Python core of the monitoring page: percentiles, buckets and plot geometry."""

from datetime import UTC, datetime, timedelta

import pytest

from api.core.monitoring import percentile, summarize

T0 = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)


def test_percentiles_interpolate_between_ranks_like_numpy():
    values = list(range(1, 11))
    assert percentile(values, 50) == 5.5
    assert percentile(values, 95) == pytest.approx(9.55)
    assert percentile(values, 99) == pytest.approx(9.91)
    assert percentile([7], 95) == 7
    assert percentile([], 50) is None
    assert percentile([30, 10, 20], 0) == 10 and percentile([30, 10, 20], 100) == 30


def test_summary_counts_requests_errors_and_ratings_per_bucket():
    hour = timedelta(hours=1)
    completions = [
        (T0 + timedelta(minutes=5), 100.0, True, 10, 5),
        (T0 + timedelta(minutes=50), 300.0, True, 12, 6),
        (T0 + timedelta(minutes=70), 5000.0, False, 0, 0),  # a failure: counted, not in latency
        (T0 + timedelta(hours=3, minutes=1), 200.0, True, 8, 4),
    ]
    feedback = [
        (T0 + timedelta(minutes=55), 1),
        (T0 + timedelta(hours=3, minutes=2), 5),
        (T0 + timedelta(hours=3, minutes=3), 4),
    ]
    s = summarize(completions, feedback, T0, T0 + 4 * hour, hour)
    assert [b.requests for b in s.buckets] == [2, 1, 0, 1]
    assert [b.errors for b in s.buckets] == [0, 1, 0, 0]
    assert [b.error_rate for b in s.buckets] == [0, 1, None, 0]
    assert [b.mean_rating for b in s.buckets] == [1, None, None, 4.5]
    assert s.requests == 4 and s.errors == 1 and s.error_rate == 0.25
    assert s.p50 == 200.0  # of 100, 200, 300: the failure's 5 s is not a latency
    assert (s.prompt_tokens, s.completion_tokens) == (30, 15)
    assert s.ratings == 3 and s.mean_rating == pytest.approx(10 / 3) and s.low_rated == 1
