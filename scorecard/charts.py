"""Charts drawn on the server as inline SVG: no script, no styles inline (the
stylesheet colours them by class), and a text alternative for each.

Geometry is computed in Decimal like every figure, and written to one place.
"""

from datetime import date
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from . import formatting, periods, spc

ONE_PLACE = Decimal("0.1")


def _n(value: Decimal) -> str:
    return str(value.quantize(ONE_PLACE))


def _scale(low: Decimal, high: Decimal, top: Decimal, bottom: Decimal):
    """A function from a value to a y coordinate (top is smaller than bottom)."""
    if high == low:
        high, low = high + 1, low - 1
    span = high - low

    def y(value: Decimal) -> Decimal:
        return bottom - (value - low) / span * (bottom - top)

    return y


def sparkline(points: list[tuple[date, Decimal | None]], measure) -> SafeString:
    """A small line of the last 12 months, with its numbers as its text alternative.
    Only the months a figure is due in are points (a quarterly measure's quarter
    ends, joined): the months between are not gaps."""
    points = [(m, v) for m, v in points if periods.is_due(measure.frequency, m)]
    known = [(i, v) for i, (_, v) in enumerate(points) if v is not None]
    if len(known) < 2:
        return mark_safe("")  # noqa: S308 - a constant empty string
    width, height, pad = Decimal(96), Decimal(24), Decimal(3)
    values = [v for _, v in known]
    y = _scale(min(values), max(values), pad, height - pad)
    step = (width - 2 * pad) / (len(points) - 1)
    coordinates = " ".join(f"{_n(pad + i * step)},{_n(y(v))}" for i, v in known)
    last_i, last_v = known[-1]
    label = "Last 12 months: " + ", ".join(
        f"{month:%b %Y} {formatting.figure(value, measure)}"
        for month, value in points
        if value is not None
    )
    return format_html(
        '<svg class="sparkline" width="96" height="24" viewBox="0 0 96 24" role="img" '
        'aria-label="{}"><polyline class="sparkline__line" points="{}"/>'
        '<circle class="sparkline__last" cx="{}" cy="{}" r="2.5"/></svg>',
        label,
        coordinates,
        _n(pad + last_i * step),
        _n(y(last_v)),
    )


def trend_chart(
    *,
    months: list[date],
    outturns: list[Decimal | None],
    provisional: list[bool],
    targets: list[Decimal | None],
    benchmarks: list[tuple[str, str, Decimal]],
    measure,
    title: str,
    process=None,
) -> SafeString:
    """Outturn by month, the target as a dashed step line, each benchmark as a
    horizontal line; provisional points hollow. `benchmarks`: (css name, label, value).
    `process` (`reports.ProcessChart`): the mean and process limits from the
    chart's first point on, and a ring round each point a special-cause rule flags.

    Only the months a figure is due in are plotted (`periods.is_due`): a quarterly
    measure's quarter ends, evenly spaced and joined, each labelled; a month
    without a figure among them is still a gap."""
    due = [i for i, month in enumerate(months) if periods.is_due(measure.frequency, month)]
    months = [months[i] for i in due]
    outturns, provisional = [outturns[i] for i in due], [provisional[i] for i in due]
    targets = [targets[i] for i in due]
    monthly = measure.frequency == periods.MONTHLY
    width, height = Decimal(720), Decimal(300)
    left, right, top, bottom = Decimal(56), Decimal(150), Decimal(16), Decimal(40)
    plot_bottom, plot_right = height - bottom, width - right
    values = [v for v in outturns if v is not None] + [t for t in targets if t is not None]
    values += [value for _, _, value in benchmarks]
    lines = [
        (f"benchmark chart__benchmark--{css}", label, value) for css, label, value in benchmarks
    ]
    if process is not None:
        values += [process.upper, process.lower]
        lines += [
            ("limit", "Upper limit", process.upper),
            ("mean", "Mean", process.mean),
            ("limit", "Lower limit", process.lower),
        ]
    if not values:
        return mark_safe("")  # noqa: S308 - a constant empty string
    low, high = min(values), max(values)
    margin = max((high - low) / 10, Decimal(1))
    low, high = max(low - margin, Decimal(0)) if low >= 0 else low - margin, high + margin
    y = _scale(low, high, top, plot_bottom)
    step = (plot_right - left) / max(len(months) - 1, 1)

    def x(i):
        return left + i * step

    parts = []
    for k in range(5):  # horizontal grid lines with their values
        value = low + (high - low) * k / 4
        parts.append(
            format_html(
                '<line class="chart__grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="chart__axis" x="{}" y="{}" text-anchor="end">{}</text>',
                _n(left),
                _n(plot_right),
                _n(y(value)),
                _n(y(value)),
                _n(left - 6),
                _n(y(value) + 4),
                formatting.number(value, measure.decimal_places),
            )
        )
    for i, month in enumerate(months):
        if month.month in (4, 7, 10, 1) or not monthly:
            parts.append(
                format_html(
                    '<text class="chart__axis" x="{}" y="{}" text-anchor="middle">{}</text>',
                    _n(x(i)),
                    _n(plot_bottom + 18),
                    f"{month:%b %y}",
                )
            )
    target_points = " ".join(
        f"{_n(x(i))},{_n(y(t))}" for i, t in enumerate(targets) if t is not None
    )
    if target_points:
        parts.append(format_html('<polyline class="chart__target" points="{}"/>', target_points))
    # the process lines start at the chart's first point (its baseline)
    process_start = next((i for i, m in enumerate(months) if process and m >= process.first), 0)
    label_y = Decimal(-100)
    for css, label, value in sorted(lines, key=lambda line: -line[2]):
        label_y = max(y(value) + 4, label_y + 14)  # labels of close values must not overlap
        start = process_start if css in ("limit", "mean") else 0
        parts.append(
            format_html(
                '<line class="chart__{}" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="chart__label" x="{}" y="{}">{} {}</text>',
                css,
                _n(x(start)),
                _n(plot_right),
                _n(y(value)),
                _n(y(value)),
                _n(plot_right + 6),
                _n(label_y),
                label,
                formatting.number(value, measure.decimal_places),
            )
        )
    segments, current = [], []
    for i, value in enumerate(outturns):  # a gap where a month has no figure
        if value is None:
            if current:
                segments.append(current)
            current = []
        else:
            current.append(f"{_n(x(i))},{_n(y(value))}")
    if current:
        segments.append(current)
    for segment in segments:
        parts.append(
            format_html('<polyline class="chart__outturn" points="{}"/>', " ".join(segment))
        )
    for i, value in enumerate(outturns):
        if value is not None:
            parts.append(
                format_html(
                    '<circle class="chart__point{}" cx="{}" cy="{}" r="4"/>',
                    " chart__point--provisional" if provisional[i] else "",
                    _n(x(i)),
                    _n(y(value)),
                )
            )
    for i, value in enumerate(outturns):
        found = process.signals.get(months[i]) if process and value is not None else None
        if found:
            meanings = {signal.meaning for signal in found}
            meaning = next(m for m in (spc.CONCERNING, spc.IMPROVING, spc.NEUTRAL) if m in meanings)
            parts.append(
                format_html(
                    '<circle class="chart__special chart__special--{}" cx="{}" cy="{}" r="8">'
                    "<title>{}: {}</title></circle>",
                    meaning,
                    _n(x(i)),
                    _n(y(value)),
                    f"{months[i]:%B %Y}",
                    process.words(months[i]),
                )
            )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="chart-title" '
        'preserveAspectRatio="xMinYMin meet"><title id="chart-title">{}</title>{}</svg>',
        _n(width),
        _n(height),
        title,
        format_html_join("", "{}", ((p,) for p in parts)),
    )
