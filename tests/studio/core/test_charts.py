"""Exact geometry of the one chart module: ticks, scales, bars and lines in the SVG box."""

from studio.core.charts import (
    MAX_MARKERS,
    Series,
    bins,
    category_chart,
    histogram,
    label,
    line_chart,
    ticks,
    time_chart,
)


def test_ticks_are_round_and_cover_the_values():
    assert ticks(1.9, 3) == [1.5, 2, 2.5, 3]  # loss curves do not start at zero
    assert ticks(0, 400) == [0, 100, 200, 300, 400]
    assert ticks(0, 8) == [0, 2, 4, 6, 8]
    assert ticks(0, 0.003) == [0, 0.001, 0.002, 0.003]
    assert ticks(0, 37, count=6, integer=True) == [0, 10, 20, 30, 40]
    assert ticks(0, 3, integer=True) == [0, 1, 2, 3]  # counts: no 0.75 of a request
    assert ticks(3, 7, zero=True) == [0, 2, 4, 6, 8]
    assert ticks(-3, -1, zero=True) == [-3, -2, -1, 0]  # negative values reach up to zero
    assert ticks(-1, 1) == [-1, -0.5, 0, 0.5, 1]


def test_ticks_of_one_value_and_of_a_fixed_scale():
    assert ticks(2, 2) == [1.8, 1.9, 2, 2.1, 2.2]  # a band around the one value
    assert ticks(0, 0, zero=True, integer=True) == [0, 1]
    assert ticks(0, 0) == [-1, -0.5, 0, 0.5, 1]
    assert ticks(0, 5, zero=True, exact=True) == [0, 1, 2, 3, 4, 5]  # ratings: the scale ends at 5
    assert ticks(0, 1, exact=True) == [0, 0.25, 0.5, 0.75, 1]


def test_labels_carry_the_decimals_of_their_step():
    assert [label(v, 0.25) for v in (0, 0.25, 1)] == ["0.00", "0.25", "1.00"]
    assert [label(v, 0.5) for v in (-1, 0, 2.5)] == ["-1.0", "0.0", "2.5"]
    assert [label(v, 5000) for v in (0, 15000)] == ["0", "15,000"]


def test_bins_are_equal_width_whole_numbers_with_the_empty_ones():
    assert bins([1, 2, 3, 40], count=4) == [(1, 10, 3), (11, 20, 0), (21, 30, 0), (31, 40, 1)]
    assert bins([7]) == [(7, 7, 1)]
    assert bins([5, 6, 7], count=20) == [(5, 5, 1), (6, 6, 1), (7, 7, 1)]
    assert bins([]) == []


def test_a_line_chart_lays_series_on_shared_axes():
    chart = line_chart(
        [Series("train", [(0, 1), (5, 2), (10, 3)], "blue"), Series("validation", [(10, 2)], "blue", dashed=True)],
        "Loss by step",
        x_title="step",
        y_title="loss",
    )
    # the plot area of a 720 x 260 box: x 54..708, y 10..224 (up is more)
    assert (chart.left, chart.right, chart.top, chart.bottom) == (54, 708, 10, 224)
    assert [(t.at, t.label) for t in chart.x_ticks] == [
        (54.0, "0"),
        (184.8, "2"),
        (315.6, "4"),
        (446.4, "6"),
        (577.2, "8"),
        (708.0, "10"),
    ]
    assert [(t.at, t.label) for t in chart.y_ticks] == [
        (224.0, "1.0"),
        (170.5, "1.5"),
        (117.0, "2.0"),
        (63.5, "2.5"),
        (10.0, "3.0"),
    ]
    train, validation = chart.lines
    assert train.segments == ["54.0,224.0 381.0,117.0 708.0,10.0"]
    assert [(m.x, m.y, m.title) for m in validation.markers] == [(708.0, 117.0, "validation, step 10: 2")]
    assert validation.dashed and not train.dashed and train.dots
    assert chart.legend == [("train", "blue", False), ("validation", "blue", True)]
    assert chart.description == "train: 3 points, from 1 to 3; validation: 1 point, from 2 to 2."
    assert not chart.empty


def test_a_line_chart_breaks_at_a_gap_and_goes_below_zero():
    chart = line_chart([Series("delta", [(0, -1), (1, None), (2, 0), (4, 1)], "green")], "Change", unit=" pt")
    (line,) = chart.lines
    assert [t.label for t in chart.y_ticks] == ["-1.0", "-0.5", "0.0", "0.5", "1.0"]
    assert line.segments == ["54.0,224.0", "381.0,117.0 708.0,10.0"]  # zero sits mid-way
    assert [m.title for m in line.markers] == ["delta, x 0: -1 pt", "delta, x 2: 0 pt", "delta, x 4: 1 pt"]


def test_a_line_chart_of_one_point_and_of_none():
    chart = line_chart([Series("train loss", [(5, 2.0)], "blue")], "Loss by step", x_title="step")
    assert [t.label for t in chart.x_ticks] == ["0", "1", "2", "3", "4", "5"]
    assert [t.label for t in chart.y_ticks] == ["1.8", "1.9", "2.0", "2.1", "2.2"]
    (line,) = chart.lines
    assert line.segments == ["708.0,117.0"] and line.dots  # a lone point shows as its dot
    empty = line_chart(
        [Series("train loss", [], "blue"), Series("validation loss", [(3, None)], "blue")],
        "Loss by step",
        empty_text="No loss reported yet.",
    )
    assert empty.empty and empty.lines == [] and empty.legend == [] and empty.empty_text == "No loss reported yet."


def test_a_long_series_keeps_a_bounded_number_of_hover_points_and_its_last():
    chart = line_chart([Series("train loss", [(s, 1 / s) for s in range(1, 1001)], "blue")], "Loss by step")
    (line,) = chart.lines
    assert len(line.segments[0].split()) == 1000  # the curve itself keeps every point
    assert len(line.markers) <= MAX_MARKERS + 1 and line.markers[-1].title == "train loss, x 1000: 0.001"
    assert not line.dots  # too many to draw: they show on hover


def test_a_histogram_has_a_count_axis_from_zero_and_a_value_axis():
    chart = histogram([(0, 4, 2), (5, 9, 0), (10, 14, 4)], "Token lengths", "tokens", width=360, height=180)
    # a 360 x 180 box: x 54..348, y 10..144; the bins span 0..15 tokens, 19.6 pixels a token
    assert [(t.at, t.label) for t in chart.x_ticks] == [(54.0, "0"), (152.0, "5"), (250.0, "10"), (348.0, "15")]
    assert [(t.at, t.label) for t in chart.y_ticks] == [
        (144.0, "0"),
        (110.5, "1"),
        (77.0, "2"),
        (43.5, "3"),
        (10.0, "4"),
    ]
    assert [(b.x, b.y, b.width, b.height, b.title) for b in chart.bars] == [
        (54.5, 77.0, 97.0, 67.0, "0–4 tokens: 2"),
        (152.5, 144.0, 97.0, 0.0, "5–9 tokens: 0"),  # an empty bin keeps its place
        (250.5, 10.0, 97.0, 134.0, "10–14 tokens: 4"),
    ]
    assert (chart.x_title, chart.y_title) == ("tokens", "examples")
    assert chart.description == "6 examples from 0 to 14 tokens in 3 bins; the most, 4, at 10–14 tokens."
    assert histogram([], "Token lengths", "tokens").empty


def test_a_histogram_of_one_value():
    chart = histogram(bins([7]), "Output length", "characters", width=360, height=180)
    assert [t.label for t in chart.x_ticks] == ["7", "8"] and [t.label for t in chart.y_ticks] == ["0", "1"]
    (bar,) = chart.bars
    assert (bar.x, bar.width, bar.y, bar.height) == (54.5, 293.0, 10.0, 134.0)


def test_stacked_time_bars_share_one_axis_and_skip_zeros():
    chart = time_chart(
        ["a", "b"],
        [Series("answered", [6, 0], "blue"), Series("failed", [2, 1], "red")],
        "Requests",
        stacked=True,
        width=640,
        height=200,
    )
    assert [t.label for t in chart.y_ticks] == ["0", "2", "4", "6", "8"]  # 8 at most in one bucket
    bars = {b.title: b for b in chart.bars}
    assert set(bars) == {"a: 6 answered", "a: 2 failed", "b: 1 failed"}  # nothing drawn for a zero
    # a 640 x 200 box: y 10..164, 19.25 pixels a request
    assert (bars["a: 6 answered"].y, bars["a: 6 answered"].height) == (48.5, 115.5)
    assert (bars["a: 2 failed"].y, bars["a: 2 failed"].height) == (10.0, 38.5)  # on top of the answered
    assert (bars["b: 1 failed"].y, bars["b: 1 failed"].height) == (144.8, 19.2)
    assert bars["a: 6 answered"].color == "blue" and bars["a: 2 failed"].color == "red"
    assert [(t.at, t.label) for t in chart.x_ticks] == [(197.5, "a"), (484.5, "b")]
    assert time_chart(["a"], [Series("answered", [0], "blue")], "Requests", stacked=True).empty


def test_time_lines_break_where_a_bucket_has_no_value():
    chart = time_chart(["1", "2", "3", "4"], [Series("p50", [10, None, 30, 40], "blue")], "Latency", unit=" ms")
    (line,) = chart.lines
    assert len(line.segments) == 2 and len(line.markers) == 3
    assert line.markers[0].title == "1: 10 ms p50"
    assert [t.label for t in chart.y_ticks] == ["0", "10", "20", "30", "40"]
    assert time_chart(["1"], [Series("mean rating", [None], "green")], "Ratings", top=5).empty


def test_a_fixed_top_holds_the_scale():
    ratings = time_chart(["1", "2"], [Series("mean rating", [5, 2.5], "green")], "Ratings", top=5, height=200)
    assert [t.label for t in ratings.y_ticks] == ["0", "1", "2", "3", "4", "5"]
    top = ratings.y_ticks[-1].at
    assert ratings.lines[0].markers[0].y == top and ratings.lines[0].markers[1].y == 87.0  # half way
    above = time_chart(["1"], [Series("mean rating", [7], "green")], "Ratings", top=5)
    assert above.lines[0].markers[0].y == top and above.lines[0].markers[0].title == "1: 7 mean rating"


def test_a_category_chart_groups_one_bar_per_series_in_each_class():
    chart = category_chart(
        ["billing", "delivery", "an unusually long class name"],
        [Series("train", [40, 30, 2], "blue"), Series("test", [5, 4, 0], "orange")],
        "Examples by category",
    )
    assert len(chart.bars) == 6 and [t.label for t in chart.y_ticks][0] == "0"
    tallest = max(chart.bars, key=lambda b: b.height)
    assert tallest.title == "billing, train: 40"
    assert chart.bars[5].height == 0  # an empty bar has no height but is there
    assert [name for name, *_ in chart.legend] == ["train", "test"]
    assert chart.x_ticks[2].label.endswith("…") and len(chart.x_ticks[2].label) < 30
    assert "test: billing 5" in chart.description
    assert category_chart(["a"], [Series("x", [0])], "t").empty


def test_time_chart_labels_never_overlap():
    long = [f"{d:02d} Nov {h:02d}h" for d in range(20, 30) for h in (6, 18)]
    chart = time_chart(long, [Series("answered", list(range(len(long))), "blue")], "Requests", stacked=True)
    xs = [t.at for t in chart.x_ticks]
    room = min(b - a for a, b in zip(xs, xs[1:]))
    assert room >= len(long[0]) * 6.5  # each label has its width to itself
    short = time_chart([str(h) for h in range(6)], [Series("p50", [1] * 6, "blue")], "Latency")
    assert len(short.x_ticks) == 6  # short labels: every one shown
