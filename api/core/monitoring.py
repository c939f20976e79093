"""Monitoring of a served model in plain Python: requests, latency percentiles, errors and ratings
per time bucket, and the geometry of the plots that show them."""

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


# --- plots ------------------------------------------------------------------------------------

WIDTH, HEIGHT, LEFT, TOP, BOTTOM = 640, 180, 44, 10, 22


def _nice_max(value):
    if not value or value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _frame(top_value, labels, fixed_max=None):
    top = fixed_max if fixed_max is not None else _nice_max(top_value)
    plot_h = HEIGHT - TOP - BOTTOM
    ticks = [{"y": round(TOP + plot_h * (1 - i / 4), 1), "value": f"{top * i / 4:g}"} for i in range(5)]
    n = len(labels)
    slot = (WIDTH - LEFT - 6) / max(n, 1)
    every = max(1, math.ceil(n / 8))
    xlabels = [{"x": round(LEFT + slot * (i + 0.5), 1), "text": labels[i]} for i in range(0, n, every)]
    return (
        top,
        plot_h,
        slot,
        {
            "width": WIDTH,
            "height": HEIGHT,
            "left": LEFT,
            "ticks": ticks,
            "xlabels": xlabels,
            "baseline": TOP + plot_h,
            "label_y": HEIGHT - 6,
        },
    )


def bar_chart(labels, stacks, title):
    """Stacked bars: stacks = [(name, css class, [value per bucket])]."""
    totals = [sum(s[2][i] for s in stacks) for i in range(len(labels))]
    top, plot_h, slot, frame = _frame(max(totals, default=0), labels)
    bars = []
    for i, label in enumerate(labels):
        y = TOP + plot_h
        for name, css, values in stacks:
            h = plot_h * values[i] / top
            if values[i]:
                y -= h
                bars.append(
                    {
                        "x": round(LEFT + slot * i + slot * 0.15, 1),
                        "y": round(y, 1),
                        "w": round(slot * 0.7, 1),
                        "h": round(h, 1),
                        "css": css,
                        "title": f"{label}: {values[i]} {name}",
                    }
                )
    return {
        **frame,
        "kind": "bars",
        "title": title,
        "bars": bars,
        "legend": [(name, css) for name, css, _ in stacks],
        "empty": not any(totals),
    }


def line_chart(labels, lines, title, unit="", fixed_max=None):
    """Lines with gaps where a bucket has no value: lines = [(name, css class, [value or None])];
    the unit goes into each point's tooltip (the title names it for the axis)."""
    values = [v for _, _, vs in lines for v in vs if v is not None]
    top, plot_h, slot, frame = _frame(max(values, default=0), labels, fixed_max)
    drawn = []
    for name, css, vs in lines:
        segments, current, dots = [], [], []
        for i, v in enumerate(vs):
            if v is None:
                if current:
                    segments.append(" ".join(current))
                current = []
                continue
            x, y = round(LEFT + slot * (i + 0.5), 1), round(TOP + plot_h * (1 - min(v, top) / top), 1)
            current.append(f"{x},{y}")
            dots.append({"x": x, "y": y, "title": f"{labels[i]}: {v:.3g}{unit} {name}"})
        if current:
            segments.append(" ".join(current))
        drawn.append({"name": name, "css": css, "segments": segments, "dots": dots})
    return {
        **frame,
        "kind": "lines",
        "title": title,
        "lines": drawn,
        "legend": [(name, css) for name, css, _ in lines],
        "empty": not values,
    }
