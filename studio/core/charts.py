"""Every plot in the studio as geometry: axes with round ticks, scales, series, bars and hover titles
laid out in an SVG box, in plain Python. One template, templates/studio/chart.html, draws them all.

Four builders: `line_chart` (several series over a numeric x, such as loss by step), `histogram`
(counts in equal-width bins, such as lengths), `category_chart` (grouped bars per class, such as a
label's counts per split) and `time_chart` (stacked bars or broken lines over time buckets, such as
requests per hour). Colours are names from `PALETTE`; the stylesheet gives each
a shade (`.series-<name>`), so a table beside a chart can use the same class for its text.
"""

import math
from dataclasses import dataclass, field

PALETTE = ("blue", "orange", "green", "purple", "brown", "teal")
MAX_MARKERS = 120  # hover points per series; a longer series gets every k-th point and its last
VISIBLE_MARKERS = 40  # up to this many points per series the dots are drawn, beyond they show on hover
NICE = (1, 2, 2.5, 5)


def color(i):
    """The i-th colour of the palette, round and round."""
    return PALETTE[i % len(PALETTE)]


def bins(values, count=20):
    """[(low, high, count)] over whole numbers in at most `count` equal-width bins, both ends
    inclusive, the empty bins between included; [] for no values."""
    if not values:
        return []
    low, high = min(values), max(values)
    width = max(1, -(-(high - low + 1) // count))
    counts = {}
    for n in values:
        b = (n - low) // width
        counts[b] = counts.get(b, 0) + 1
    return [(low + b * width, low + (b + 1) * width - 1, counts.get(b, 0)) for b in range((high - low) // width + 1)]


# --- axes -------------------------------------------------------------------------------------


def _steps(magnitude, integer):
    for power in (magnitude - 1, magnitude, magnitude + 1):
        for m in NICE:
            step = m * 10.0**power
            if not integer or step >= 1 and step == int(step):
                yield step


def ticks(low, high, count=4, zero=False, integer=False, exact=False):
    """Round tick values covering [low, high] in about `count` intervals (1, 2, 2.5 or 5 times a
    power of ten). zero: the axis includes 0. integer: steps of whole numbers only. exact: the
    ends stay at low and high (a fixed scale such as ratings 0–5), the step dividing the span."""
    if zero:
        low, high = min(low, 0), max(high, 0)
    if high == low:  # one value: a band around it (0 to 1 on an axis from zero)
        pad = abs(low) / 10 or 1
        low, high = (0, 1) if zero else (low - pad, high + pad)
    span = high - low
    magnitude = math.floor(math.log10(span / count))
    candidates = list(_steps(magnitude, integer)) or [1.0]
    if exact:
        fitting = [s for s in candidates if abs(span / s - round(span / s)) < 1e-9]
        step = min(fitting, key=lambda s: abs(span / s - count)) if fitting else span / count
        first, n = low, round(span / step)
    else:
        step = next((s for s in candidates if s >= span / count - 1e-12), candidates[-1])
        first = math.floor(low / step + 1e-9) * step
        n = math.ceil((high - first) / step - 1e-9)
    return [_clean(first + i * step) for i in range(n + 1)]


def _clean(value):
    value = round(value, 10)
    return int(value) if value == int(value) else value


def label(value, step):
    """A tick value with as many decimals as its step needs: 0.25 -> '0.25', 2.5 -> '2.5', 10 -> '10'."""
    decimals = 0
    while decimals < 10 and abs(step * 10**decimals - round(step * 10**decimals)) > 1e-9:
        decimals += 1
    return f"{value:,.{decimals}f}"


def number(value):
    """A value for a hover title: at most four significant digits, no exponent for whole numbers."""
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value)}"
    return f"{value:.4g}"


@dataclass
class Tick:
    at: float  # pixels along the axis
    label: str


@dataclass
class Scale:
    """Maps values in [low, high] to pixels in [start, end] (end < start for a y axis: up is more)."""

    low: float
    high: float
    start: float
    end: float

    def __call__(self, value):
        return round(self.start + (value - self.low) * (self.end - self.start) / (self.high - self.low), 1)

    def ticks(self, values):
        step = values[1] - values[0] if len(values) > 1 else 1
        return [Tick(self(v), label(v, step)) for v in values]


# --- what the template draws ------------------------------------------------------------------


@dataclass
class Series:
    """Input of a builder. values: (x, y) pairs for a line chart; one value (or None for a gap)
    per bucket for a time chart. dashed: drawn with dashes (validation beside training)."""

    name: str
    values: list
    color: str = ""
    dashed: bool = False


@dataclass
class Marker:
    x: float
    y: float
    title: str


@dataclass
class Line:
    name: str
    color: str
    dashed: bool
    segments: list  # "x,y x,y ..." for each unbroken stretch
    markers: list
    dots: bool  # markers drawn (few points) or shown only on hover


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    color: str
    title: str


@dataclass
class Chart:
    kind: str  # "line-chart", "histogram" or "time-chart": the SVG's class
    title: str  # what is plotted and its unit; the accessible name of the SVG
    width: int
    height: int
    left: float  # the plot area, in pixels of the viewBox
    top: float
    right: float
    bottom: float
    x_title: str = ""
    y_title: str = ""
    x_ticks: list = field(default_factory=list)
    y_ticks: list = field(default_factory=list)
    lines: list = field(default_factory=list)
    bars: list = field(default_factory=list)
    legend: list = field(default_factory=list)  # [(name, colour, dashed)]
    description: str = ""  # a sentence on what the plot shows, for screen readers
    empty: bool = False
    empty_text: str = "Nothing to plot yet."

    @property
    def y_label_x(self):
        return self.left - 5

    @property
    def x_label_y(self):
        return self.bottom + 13

    @property
    def x_title_y(self):
        return self.height - 3

    @property
    def y_title_y(self):
        return (self.top + self.bottom) / 2

    @property
    def middle(self):
        return (self.left + self.right) / 2


MARGIN = {"left": 54, "top": 10, "right": 12, "bottom": 36}


def _frame(kind, title, width, height, **kwargs):
    return Chart(
        kind=kind,
        title=title,
        width=width,
        height=height,
        left=MARGIN["left"],
        top=MARGIN["top"],
        right=width - MARGIN["right"],
        bottom=height - MARGIN["bottom"],
        **kwargs,
    )


def _markers(points):
    """Every point if few, else every k-th and the last, so hovering anywhere finds one near."""
    if len(points) <= MAX_MARKERS:
        return points
    every = math.ceil(len(points) / MAX_MARKERS)
    return points[::every] + ([points[-1]] if (len(points) - 1) % every else [])


def line_chart(
    series, title, x_title="", y_title="", unit="", width=720, height=260, empty_text="Nothing to plot yet."
):
    """Series of (x, y) on shared axes: x from 0, y over the range of the values (loss curves do
    not start at zero). A None y is a gap. unit follows each value in the hover titles."""
    points = [(x, y) for s in series for x, y in s.values if y is not None]
    chart = _frame("line-chart", title, width, height, x_title=x_title, y_title=y_title, empty_text=empty_text)
    chart.legend = [(s.name, s.color, s.dashed) for s in series if any(y is not None for _, y in s.values)]
    if not points:
        chart.empty = True
        return chart
    whole = all(float(x).is_integer() for x, _ in points)
    xs = ticks(min(x for x, _ in points), max(x for x, _ in points), count=6, zero=True, integer=whole)
    ys = ticks(min(y for _, y in points), max(y for _, y in points))
    x = Scale(xs[0], xs[-1], chart.left, chart.right)
    y = Scale(ys[0], ys[-1], chart.bottom, chart.top)
    chart.x_ticks, chart.y_ticks = x.ticks(xs), y.ticks(ys)
    described = []
    for s in series:
        segments, current, drawn = [], [], []
        for vx, vy in s.values:
            if vy is None:
                segments.append(current)
                current = []
                continue
            current.append((vx, vy))
            drawn.append((vx, vy))
        segments.append(current)
        if not drawn:
            continue
        chart.lines.append(
            Line(
                name=s.name,
                color=s.color,
                dashed=s.dashed,
                segments=[" ".join(f"{x(vx)},{y(vy)}" for vx, vy in seg) for seg in segments if seg],
                markers=[
                    Marker(x(vx), y(vy), f"{s.name}, {x_title or 'x'} {number(vx)}: {number(vy)}{unit}")
                    for vx, vy in _markers(drawn)
                ],
                dots=len(drawn) <= VISIBLE_MARKERS,
            )
        )
        described.append(
            f"{s.name}: {len(drawn)} point{'s' if len(drawn) != 1 else ''}, "
            f"from {number(drawn[0][1])}{unit} to {number(drawn[-1][1])}{unit}"
        )
    chart.description = "; ".join(described) + "."
    return chart


def histogram(counts, title, unit, y_title="examples", width=300, height=170, empty_text="Nothing to count yet."):
    """Bars for [(low, high, count)] (whole-number bins, both ends inclusive, as `bins` makes them)
    on a numeric x axis in `unit` and a count axis from zero; every bin gets a bar, an empty one
    with no height."""
    chart = _frame("histogram", title, width, height, x_title=unit, y_title=y_title, empty_text=empty_text)
    if not counts:
        chart.empty = True
        return chart
    low, high = counts[0][0], counts[-1][1] + 1
    ys = ticks(0, max(c for _, _, c in counts), zero=True, integer=True)
    x = Scale(low, high, chart.left, chart.right)
    y = Scale(ys[0], ys[-1], chart.bottom, chart.top)
    chart.x_ticks = x.ticks([v for v in ticks(low, high, count=5, integer=True) if low <= v <= high])
    chart.y_ticks = y.ticks(ys)
    for b_low, b_high, count in counts:
        left, right = x(b_low), x(b_high + 1)
        gap = min(1, (right - left) / 4)
        chart.bars.append(
            Bar(
                x=round(left + gap / 2, 1),
                y=y(count),
                width=round(right - left - gap, 1),
                height=round(chart.bottom - y(count), 1),
                color="blue",
                title=f"{b_low}–{b_high} {unit}: {count}",
            )
        )
    total, peak = sum(c for *_, c in counts), max(counts, key=lambda b: b[2])
    chart.description = (
        f"{total} {y_title} from {low} to {high - 1} {unit} in {len(counts)} bins; "
        f"the most, {peak[2]}, at {peak[0]}–{peak[1]} {unit}."
    )
    return chart


def category_chart(
    categories, series, title, y_title="examples", x_title="", width=420, height=190, empty_text="Nothing to count yet."
):
    """Grouped bars: one group per category (a class such as "urgent") along x, one bar per
    Series in it (a split), on a count axis from zero. Each Series holds one count per category."""
    chart = _frame("histogram", title, width, height, x_title=x_title, y_title=y_title, empty_text=empty_text)
    counts = [v or 0 for s in series for v in s.values]
    if not categories or not counts or max(counts) == 0:
        chart.empty = True
        return chart
    ys = ticks(0, max(counts), zero=True, integer=True)
    y = Scale(ys[0], ys[-1], chart.bottom, chart.top)
    chart.y_ticks = y.ticks(ys)
    slot = (chart.right - chart.left) / len(categories)
    bar = max(1.0, (slot * 0.8) / max(1, len(series)))
    chart.legend = [(s.name, s.color, False) for s in series] if len(series) > 1 else []
    for c, name in enumerate(categories):
        start = chart.left + c * slot + slot * 0.1
        shown = name if len(name) <= max(3, int(slot / 6)) else name[: max(2, int(slot / 6) - 1)] + "…"
        chart.x_ticks.append(Tick(round(chart.left + (c + 0.5) * slot, 1), shown))
        for n, s in enumerate(series):
            count = s.values[c] or 0
            chart.bars.append(
                Bar(
                    x=round(start + n * bar, 1),
                    y=y(count),
                    width=round(bar - 0.5, 1),
                    height=round(chart.bottom - y(count), 1),
                    color=s.color or color(n),
                    title=f"{name}{', ' + s.name if len(series) > 1 else ''}: {count}",
                )
            )
    chart.description = (
        "; ".join(
            f"{s.name}: " + ", ".join(f"{name} {v or 0}" for name, v in zip(categories, s.values)) for s in series
        )
        + "."
    )
    return chart


def time_chart(
    labels,
    series,
    title,
    stacked=False,
    unit="",
    top=None,
    width=380,
    height=190,
    empty_text="Nothing in this period.",
):
    """One slot per time bucket (labels: what to call each), the axis from zero. stacked: each
    series a bar, stacked in order (a zero draws nothing); else lines through the slot centres,
    broken where a value is None. top: a fixed top of the scale (ratings 5); values above it are
    drawn at it. unit follows each value in the hover titles."""
    chart = _frame("time-chart", title, width, height, empty_text=empty_text)
    chart.legend = [(s.name, s.color, s.dashed) for s in series]
    values = [v for s in series for v in s.values if v is not None]
    peak = max((sum(s.values[i] or 0 for s in series) for i in range(len(labels))), default=0) if stacked else None
    if (stacked and not any(values)) or not values:
        chart.empty = True
        return chart
    if top is not None:
        ys = ticks(0, top, zero=True, exact=True)
    else:
        ys = ticks(0, peak if stacked else max(values), count=5, zero=True, integer=stacked)
    y = Scale(ys[0], ys[-1], chart.bottom, chart.top)
    chart.y_ticks = y.ticks(ys)
    slot = (chart.right - chart.left) / max(len(labels), 1)
    # as many labels as fit side by side at the text size (about 6.5 units a character)
    fit = max(2, int((chart.right - chart.left) / (max(len(str(label)) for label in labels) * 6.5 + 12)))
    every = max(1, math.ceil(len(labels) / fit))
    chart.x_ticks = [Tick(round(chart.left + slot * (i + 0.5), 1), labels[i]) for i in range(0, len(labels), every)]
    if stacked:
        for i, name in enumerate(labels):
            base = 0
            for s in series:
                value = s.values[i] or 0
                if value:
                    chart.bars.append(
                        Bar(
                            x=round(chart.left + slot * (i + 0.15), 1),
                            y=y(base + value),
                            width=round(slot * 0.7, 1),
                            height=round(y(base) - y(base + value), 1),
                            color=s.color,
                            title=f"{name}: {number(value)}{unit} {s.name}",
                        )
                    )
                base += value
        chart.description = "; ".join(f"{s.name}: {number(sum(v or 0 for v in s.values))}{unit} in all" for s in series)
        chart.description += f", over {len(labels)} periods from {labels[0]} to {labels[-1]}."
        return chart
    described = []
    for s in series:
        segments, current, markers = [], [], []
        for i, value in enumerate(s.values):
            if value is None:
                segments.append(current)
                current = []
                continue
            px, py = round(chart.left + slot * (i + 0.5), 1), y(min(value, ys[-1]))
            current.append(f"{px},{py}")
            markers.append(Marker(px, py, f"{labels[i]}: {number(value)}{unit} {s.name}"))
        segments.append(current)
        chart.lines.append(
            Line(s.name, s.color, s.dashed, [" ".join(seg) for seg in segments if seg], markers, dots=True)
        )
        if markers:
            described.append(f"{s.name}: {len(markers)} of {len(labels)} periods with a value")
    chart.description = "; ".join(described) + f", from {labels[0]} to {labels[-1]}."
    return chart
