"""Charts for pages and labs: pure functions that return standalone SVG text.

No plotting library and no network: a chart is a few hundred bytes of SVG that
the page embeds inline. Text and axes use ``currentColor`` so a chart follows
the page's light or dark scheme; the series colours are mid-tones chosen to
stay readable on both backgrounds.

>>> svg = bar_chart("Start time", ["VM", "container"], {"seconds": [30.0, 0.5]})
>>> svg.startswith("<svg") and "container" in svg
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

#: Series colours (Okabe–Ito palette, colour-blind safe); mid-tones readable on
#: white and on Material's dark slate background.
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
)

_WIDTH = 640
_HEIGHT = 360
_MARGIN_LEFT = 72
_MARGIN_RIGHT = 16
_MARGIN_TOP = 40
_MARGIN_BOTTOM = 72


def _fmt(value: float) -> str:
    """Format a tick or bar label briefly: 1200 -> '1,200', 0.25 -> '0.25'."""
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:,.3g}"
    return f"{value:.2g}"


def _nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]: a step of 1, 2 or 5 times a power of ten."""
    if high <= low:
        high = low + 1.0
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks = []
    tick = first
    while tick <= high + step * 1e-9:
        ticks.append(round(tick, 12))
        tick += step
    if ticks[-1] < high:
        ticks.append(round(tick, 12))
    return ticks


class _Scale:
    """Maps data values to the vertical pixel range, linearly or logarithmically."""

    def __init__(self, values: Sequence[float], *, log: bool) -> None:
        self.log = log
        if log:
            positive = [v for v in values if v > 0]
            if not positive:
                raise ValueError("a log-scale chart needs at least one positive value")
            low = 10 ** math.floor(math.log10(min(positive)))
            high = 10 ** math.ceil(math.log10(max(positive)))
            if high == low:
                high = low * 10
            exponents = range(round(math.log10(low)), round(math.log10(high)) + 1)
            self.ticks = [10.0**e for e in exponents]
        else:
            self.ticks = _nice_ticks(min(0.0, *values), max(0.0, *values))
        self.low, self.high = self.ticks[0], self.ticks[-1]

    def _unit(self, value: float) -> float:
        if self.log:
            value = max(value, self.low)
            return (math.log10(value) - math.log10(self.low)) / (
                math.log10(self.high) - math.log10(self.low)
            )
        return (value - self.low) / (self.high - self.low)

    def y(self, value: float) -> float:
        plot_height = _HEIGHT - _MARGIN_TOP - _MARGIN_BOTTOM
        return _MARGIN_TOP + plot_height * (1.0 - self._unit(value))


def _frame(title: str, scale: _Scale, y_label: str, x_label: str) -> list[str]:
    """The title, horizontal grid lines with tick labels, and axis labels."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {_HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" class="virtdocs-chart" '
        f'font-family="sans-serif" font-size="12" fill="currentColor">',
        f"<title>{escape(title)}</title>",
        f'<text x="{_WIDTH / 2}" y="22" text-anchor="middle" font-size="15" '
        f'font-weight="bold">{escape(title)}</text>',
    ]
    for tick in scale.ticks:
        y = scale.y(tick)
        parts.append(
            f'<line x1="{_MARGIN_LEFT}" x2="{_WIDTH - _MARGIN_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="currentColor" stroke-opacity="0.2"/>'
        )
        parts.append(
            f'<text x="{_MARGIN_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_fmt(tick)}</text>'
        )
    if y_label:
        middle = (_HEIGHT - _MARGIN_BOTTOM + _MARGIN_TOP) / 2
        parts.append(
            f'<text transform="translate(16 {middle:.1f}) rotate(-90)" '
            f'text-anchor="middle">{escape(y_label)}</text>'
        )
    if x_label:
        parts.append(
            f'<text x="{(_WIDTH + _MARGIN_LEFT) / 2:.1f}" y="{_HEIGHT - 8}" '
            f'text-anchor="middle">{escape(x_label)}</text>'
        )
    return parts


def _legend(names: Sequence[str]) -> list[str]:
    parts = []
    x = _MARGIN_LEFT
    y = _HEIGHT - 30
    for index, name in enumerate(names):
        colour = PALETTE[index % len(PALETTE)]
        parts.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="{y}">{escape(name)}</text>')
        x += 24 + 7 * len(name)
    return parts


def _check_series(length: int, series: dict[str, Sequence[float]]) -> None:
    if not series:
        raise ValueError("a chart needs at least one series")
    for name, values in series.items():
        if len(values) != length:
            raise ValueError(f"series {name!r} has {len(values)} values, expected {length}")


def bar_chart(
    title: str,
    categories: Sequence[str],
    series: dict[str, Sequence[float]],
    *,
    y_label: str = "",
    log_scale: bool = False,
) -> str:
    """Grouped bars: one group per category, one bar per series, each bar labelled."""
    _check_series(len(categories), series)
    scale = _Scale([v for values in series.values() for v in values], log=log_scale)
    parts = _frame(title, scale, y_label, "")
    plot_width = _WIDTH - _MARGIN_LEFT - _MARGIN_RIGHT
    group = plot_width / max(len(categories), 1)
    bar = group * 0.8 / len(series)
    baseline = scale.y(scale.low if log_scale else max(scale.low, 0.0))
    for c_index, category in enumerate(categories):
        left = _MARGIN_LEFT + c_index * group + group * 0.1
        for s_index, values in enumerate(series.values()):
            value = values[c_index]
            top = scale.y(value)
            x = left + s_index * bar
            y, height = min(top, baseline), abs(baseline - top)
            colour = PALETTE[s_index % len(PALETTE)]
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar * 0.92:.1f}" height="{height:.1f}" '
                f'fill="{colour}"><title>{escape(category)}: {_fmt(value)}</title></rect>'
            )
            parts.append(
                f'<text x="{x + bar * 0.46:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
                f'font-size="10">{_fmt(value)}</text>'
            )
        parts.append(
            f'<text x="{left + group * 0.4:.1f}" y="{_HEIGHT - _MARGIN_BOTTOM + 16}" '
            f'text-anchor="middle">{escape(category)}</text>'
        )
    if len(series) > 1:
        parts.extend(_legend(list(series)))
    parts.append("</svg>")
    return "\n".join(parts)


def line_chart(
    title: str,
    x: Sequence[float],
    series: dict[str, Sequence[float]],
    *,
    x_label: str = "",
    y_label: str = "",
    step: bool = False,
) -> str:
    """Lines over a shared x axis; ``step=True`` draws a staircase (counts that jump)."""
    _check_series(len(x), series)
    if len(x) < 2:
        raise ValueError("a line chart needs at least two points")
    scale = _Scale([v for values in series.values() for v in values], log=False)
    parts = _frame(title, scale, y_label, x_label)
    plot_width = _WIDTH - _MARGIN_LEFT - _MARGIN_RIGHT
    x_low, x_high = min(x), max(x)
    span = (x_high - x_low) or 1.0

    def px(value: float) -> float:
        return _MARGIN_LEFT + plot_width * (value - x_low) / span

    for tick in _nice_ticks(x_low, x_high):
        if x_low <= tick <= x_high:
            parts.append(
                f'<text x="{px(tick):.1f}" y="{_HEIGHT - _MARGIN_BOTTOM + 16}" '
                f'text-anchor="middle">{_fmt(tick)}</text>'
            )
    for index, (name, values) in enumerate(series.items()):
        points: list[str] = []
        for i, (xv, yv) in enumerate(zip(x, values, strict=True)):
            if step and i > 0:
                points.append(f"{px(xv):.1f},{scale.y(values[i - 1]):.1f}")
            points.append(f"{px(xv):.1f},{scale.y(yv):.1f}")
        colour = PALETTE[index % len(PALETTE)]
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
            f'points="{" ".join(points)}"><title>{escape(name)}</title></polyline>'
        )
    parts.extend(_legend(list(series)))
    parts.append("</svg>")
    return "\n".join(parts)
