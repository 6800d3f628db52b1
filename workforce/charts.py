"""The workforce page's charts, drawn on the server as inline SVG: no script,
coordinates worked out in Decimal, and each chart named by its title and given
beside a table of the same numbers. Colour never carries meaning alone: every
bar and line is labelled in words."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from scorecard import formatting

ONE_PLACE = Decimal("0.1")
INK, GRID, LINE, BENCHMARK = "#0b0c0c", "#b1b4b6", "#1d70b8", "#505a5f"


def _n(value: Decimal) -> str:
    return str(value.quantize(ONE_PLACE))


def _svg(chart_id: str, width: Decimal, height: Decimal, title: str, parts) -> SafeString:
    return format_html(
        '<svg class="app-chart" width="{}" height="{}" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="{}-title" focusable="false"><title id="{}-title">{}</title>{}</svg>',
        _n(width),
        _n(height),
        _n(width),
        _n(height),
        chart_id,
        chart_id,
        title,
        format_html_join("", "{}", ((part,) for part in parts)),
    )


def line_chart(
    *,
    chart_id: str,
    title: str,
    points: list[tuple[date, Decimal | None]],
    text: Callable[[Decimal], str],
) -> SafeString:
    """One team's figures month by month: a line with a gap where a month has none,
    the lowest and highest value on the axis, the first and last month below."""
    width, height = Decimal(300), Decimal(140)
    left, right, top, bottom = Decimal(52), Decimal(12), Decimal(12), Decimal(28)
    plot_right, plot_bottom = width - right, height - bottom
    values = [value for _, value in points if value is not None]
    parts = []
    if not values:
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" font-size="13" fill="{}">'
                "No approved figures</text>",
                _n(width / 2),
                _n(height / 2),
                INK,
            )
        )
        return _svg(chart_id, width, height, title, parts)
    low, high = min(min(values), Decimal(0)), max(values)
    if high == low:
        high = low + 1
    step = (plot_right - left) / max(len(points) - 1, 1)

    def x(index):
        return left + index * step

    def y(value):
        return plot_bottom - (value - low) / (high - low) * (plot_bottom - top)

    for value in (low, high):
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1"/>'
                '<text x="{}" y="{}" text-anchor="end" font-size="12" fill="{}">{}</text>',
                _n(left),
                _n(plot_right),
                _n(y(value)),
                _n(y(value)),
                GRID,
                _n(left - 6),
                _n(y(value) + 4),
                INK,
                text(value),
            )
        )
    for index in (0, len(points) - 1):
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="{}" font-size="12" fill="{}">{}</text>',
                _n(x(index)),
                _n(plot_bottom + 18),
                "start" if index == 0 else "end",
                INK,
                f"{points[index][0]:%b %Y}",
            )
        )
    segment = []
    for index, (_, value) in enumerate([*points, (None, None)]):
        if value is not None:
            segment.append(f"{_n(x(index))},{_n(y(value))}")
            continue
        if len(segment) > 1:
            parts.append(
                format_html(
                    '<polyline points="{}" fill="none" stroke="{}" stroke-width="3"/>',
                    " ".join(segment),
                    LINE,
                )
            )
        segment = []
    for index, (_, value) in enumerate(points):
        if value is not None:
            parts.append(
                format_html(
                    '<circle cx="{}" cy="{}" r="4" fill="{}"/>', _n(x(index)), _n(y(value)), LINE
                )
            )
    return _svg(chart_id, width, height, title, parts)


def bar_chart(
    *,
    chart_id: str,
    title: str,
    bars: list[tuple[str, Decimal | None, bool]],
    places: int,
    suffix: str = "",
) -> SafeString:
    """Horizontal bars, each with its name above it and its value beside it;
    `bars`: (label, value, is_comparator). A comparator is grey with a dashed
    outline, ours solid blue."""
    width, row, bar_height = Decimal(640), Decimal(54), Decimal(22)
    known = [value for _, value, _ in bars if value is not None]
    high = max(known) if known else Decimal(1)
    high = high if high > 0 else Decimal(1)
    room = width - Decimal(90)
    height = row * len(bars) + Decimal(6)
    parts = []
    for index, (label, value, comparator) in enumerate(bars):
        top = index * row
        parts.append(
            format_html(
                '<text x="0" y="{}" font-size="14" fill="{}">{}</text>', _n(top + 16), INK, label
            )
        )
        bar_top = top + 24
        if value is None:
            parts.append(
                format_html(
                    '<text x="0" y="{}" font-size="14" fill="{}">no figure</text>',
                    _n(bar_top + 16),
                    INK,
                )
            )
            continue
        length = value / high * room
        parts.append(
            format_html(
                '<rect x="0" y="{}" width="{}" height="{}" fill="{}"{}/>'
                '<text x="{}" y="{}" font-size="14" font-weight="bold" fill="{}">{}{}</text>',
                _n(bar_top),
                _n(length),
                _n(bar_height),
                BENCHMARK if comparator else LINE,
                format_html(' stroke="{}" stroke-dasharray="4 2"', INK) if comparator else "",
                _n(length + 6),
                _n(bar_top + 16),
                INK,
                formatting.number(value, places),
                suffix,
            )
        )
    return _svg(chart_id, width, height, title, parts)
