"""The dashboard's charts, drawn as inline SVG: no script, no library, no network.

Each chart is an `<svg role="img">` with a `<title>` and an `aria-label` that says what it shows,
and every bar or point carries its own `<title>` with the exact figure (a tooltip in browsers,
read by screen readers). Labels are escaped here; the result is safe to insert as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

PALETTE = ("#2f6fb3", "#e08a2c", "#3b9a5a", "#c2453d", "#7b5ea7", "#8a8a8a")
ROW = 22
LABEL_WIDTH = 190
BAR_WIDTH = 360
VALUE_WIDTH = 110

Format = Callable[[float], str]


@dataclass(frozen=True)
class Bar:
    """One bar of a bar chart: its label, value and tooltip note."""

    label: str
    value: float
    note: str = ""
    """Extra words for the bar's tooltip."""


@dataclass(frozen=True)
class Series:
    """One named line of values in a column chart; None for a gap."""

    name: str
    values: tuple[float | None, ...]


def _svg(width: int, height: int, title: str, body: str) -> Markup:
    label = escape(title)
    return Markup(
        f'<svg role="img" aria-label="{label}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" class="chart">'
        f"<title>{label}</title>{body}</svg>"
    )


def _text(x: float, y: float, words: str, *, anchor: str = "start", css: str = "") -> str:
    kind = f' class="{css}"' if css else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{kind}>{escape(words)}</text>'


def bar_chart(
    bars: Sequence[Bar], *, title: str, shown: Format, colour: str = PALETTE[0]
) -> Markup:
    """Horizontal bars, one per row, scaled to the largest value."""
    largest = max((bar.value for bar in bars), default=0) or 1
    parts = []
    for index, bar in enumerate(bars):
        y = index * ROW
        width = max(bar.value / largest * BAR_WIDTH, 0)
        tip = escape(f"{bar.label}: {shown(bar.value)}{' ' + bar.note if bar.note else ''}")
        parts.append(
            f"<g><title>{tip}</title>"
            + _text(LABEL_WIDTH - 6, y + 15, bar.label, anchor="end")
            + f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{width:.1f}" height="{ROW - 8}" '
            f'fill="{colour}" rx="2"/>'
            + _text(LABEL_WIDTH + width + 6, y + 15, shown(bar.value), css="value")
            + "</g>"
        )
    height = max(len(bars), 1) * ROW
    return _svg(LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH, height, title, "".join(parts))


def share_chart(
    rows: Sequence[tuple[str, float, float]], *, title: str, shown: Format, part_name: str
) -> Markup:
    """Bars of a whole (light) with the part inside it (dark): (label, part, whole) per row."""
    largest = max((whole for _, _, whole in rows), default=0) or 1
    parts = []
    for index, (label, part, whole) in enumerate(rows):
        y = index * ROW
        whole_width = whole / largest * BAR_WIDTH
        part_width = part / largest * BAR_WIDTH
        share = f"{part / whole:.0%}" if whole else "–"
        tip = escape(f"{label}: {shown(part)} {part_name} of {shown(whole)} ({share})")
        parts.append(
            f"<g><title>{tip}</title>"
            + _text(LABEL_WIDTH - 6, y + 15, label, anchor="end")
            + f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{whole_width:.1f}" height="{ROW - 8}" '
            f'fill="#c9d8ea" rx="2"/>'
            + f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{part_width:.1f}" height="{ROW - 8}" '
            f'fill="{PALETTE[0]}" rx="2"/>'
            + _text(LABEL_WIDTH + whole_width + 6, y + 15, share, css="value")
            + "</g>"
        )
    height = max(len(rows), 1) * ROW
    return _svg(LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH, height, title, "".join(parts))


def column_chart(
    labels: Sequence[str], series: Sequence[Series], *, title: str, shown: Format
) -> Markup:
    """Grouped vertical columns: one group per label, one column per series, with a legend."""
    values = [v for s in series for v in s.values if v is not None]
    largest = max(values, default=0) or 1
    width, height, bottom, left = 640, 220, 30, 12 + 7 * len(shown(largest))
    group = (width - left) / max(len(labels), 1)
    column = group * 0.8 / max(len(series), 1)
    parts = [_axis(left, width, height - bottom, largest, shown)]
    for g, label in enumerate(labels):
        x0 = left + g * group + group * 0.1
        parts.append(_text(x0 + group * 0.4, height - bottom + 16, label, anchor="middle"))
        for s, one in enumerate(series):
            value = one.values[g]
            if value is None:
                continue
            bar = value / largest * (height - bottom - 20)
            x = x0 + s * column
            tip = escape(f"{one.name}, {label}: {shown(value)}")
            parts.append(
                f'<rect x="{x:.1f}" y="{height - bottom - bar:.1f}" width="{column * 0.9:.1f}" '
                f'height="{bar:.1f}" fill="{PALETTE[s % len(PALETTE)]}"><title>{tip}</title></rect>'
            )
    parts.append(_legend(series, left, width))
    return _svg(width, height + 10, title, "".join(parts))


def _axis(left: int, width: int, base: int, largest: float, shown: Format) -> str:
    top = 20
    return (
        f'<line x1="{left}" y1="{base}" x2="{width}" y2="{base}" class="axis"/>'
        f'<line x1="{left}" y1="{top}" x2="{width}" y2="{top}" class="grid"/>'
        + _text(left - 4, top + 4, shown(largest), anchor="end", css="value")
        + _text(left - 4, base, shown(0), anchor="end", css="value")
    )


def _legend(series: Sequence[Series], left: int, width: int) -> str:
    parts = []
    x = left
    for index, one in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        parts.append(f'<rect x="{x}" y="2" width="10" height="10" fill="{colour}"/>')
        parts.append(_text(x + 14, 11, one.name))
        x += 24 + 7 * len(one.name)
    return "".join(parts)


def sparkline(values: Sequence[float], *, title: str, width: int = 120, height: int = 24) -> Markup:
    """A small line of values over time, with a dot on the last one."""
    largest = max(values, default=0) or 1
    step = width / max(len(values) - 1, 1)
    points = [
        (index * step, height - 3 - value / largest * (height - 6))
        for index, value in enumerate(values)
    ]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    body = f'<polyline points="{line}" fill="none" stroke="{PALETTE[0]}" stroke-width="1.5"/>'
    if points:
        x, y = points[-1]
        body += f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.2" fill="{PALETTE[0]}"/>'
    return _svg(width, height, title, body)


def meter(share: float | None, *, title: str, width: int = 220) -> Markup:
    """A horizontal gauge of a share from 0 to 1 (empty when there is no figure)."""
    filled = (share or 0) * width
    body = (
        f'<rect x="0" y="0" width="{width}" height="12" rx="6" fill="#e4e8ee"/>'
        f'<rect x="0" y="0" width="{filled:.1f}" height="12" rx="6" fill="{PALETTE[0]}"/>'
    )
    return _svg(width, 12, title, body)
