"""The plain-Python core of the monitoring page: percentiles, buckets and plot geometry."""

from datetime import UTC, datetime, timedelta

import pytest

from api.core.monitoring import bar_chart, line_chart, percentile, summarize

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


def test_bars_stack_and_scale_to_a_round_top():
    chart = bar_chart(["a", "b"], [("answered", "ok", [6, 0]), ("failed", "bad", [2, 1])], "Requests")
    assert chart["ticks"][-1]["value"] == "10"  # 8 rounds up to 10
    bars = {(b["title"]): b for b in chart["bars"]}
    assert set(bars) == {"a: 6 answered", "a: 2 failed", "b: 1 failed"}  # nothing drawn for a zero
    assert bars["a: 6 answered"]["h"] == pytest.approx(3 * bars["a: 2 failed"]["h"], rel=0.01)
    # the failed part sits on top of the answered part
    assert bars["a: 2 failed"]["y"] + bars["a: 2 failed"]["h"] == pytest.approx(bars["a: 6 answered"]["y"], abs=0.11)
    assert bar_chart(["a"], [("answered", "ok", [0])], "Requests")["empty"]


def test_lines_break_where_a_bucket_has_no_value():
    chart = line_chart(["1", "2", "3", "4"], [("p50", "p50", [10, None, 30, 40])], "Latency", unit=" ms")
    (line,) = chart["lines"]
    assert len(line["segments"]) == 2 and len(line["dots"]) == 3
    assert line["dots"][0]["title"] == "1: 10 ms p50"
    assert line_chart(["1"], [("mean rating", "rating", [None])], "Ratings", fixed_max=5)["empty"]
    ratings = line_chart(["1"], [("mean rating", "rating", [5])], "Ratings", fixed_max=5)
    assert ratings["ticks"][-1]["value"] == "5" and ratings["lines"][0]["dots"][0]["y"] == ratings["ticks"][-1]["y"]
