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
LINE = 14
"""The height a row grows by for each line of its label past the first."""
LABEL_WIDTH = 190
BAR_WIDTH = 330
VALUE_WIDTH = 140
CHARACTER = 7
"""A generous width of one character at the charts' 12px, to fit text without measuring it."""
LABEL_CHARACTERS = (LABEL_WIDTH - 12) // CHARACTER
"""The longest line of a row's label; a longer label wraps at its spaces (role names like
`financial_controller + budget_owner + line_manager` would otherwise run off the chart)."""

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


def _lines(label: str) -> list[str]:
    """`label` wrapped at its spaces into lines of at most LABEL_CHARACTERS; a word longer than
    a line is cut short with an ellipsis (the row's tooltip keeps the whole label)."""
    lines: list[str] = []
    for word in label.split():
        if len(word) > LABEL_CHARACTERS:
            word = word[: LABEL_CHARACTERS - 1] + "…"
        if lines and len(lines[-1]) + 1 + len(word) <= LABEL_CHARACTERS:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


@dataclass(frozen=True)
class _Row:
    """Where one row of a bar chart stands: its top, its height and its label's lines."""

    top: float
    height: float
    lines: tuple[str, ...]

    @property
    def bar_top(self) -> float:
        """The top of the row's bar, centred in the row."""
        return self.top + (self.height - (ROW - 8)) / 2

    @property
    def baseline(self) -> float:
        """The baseline of text centred on the row's bar."""
        return self.bar_top + ROW - 11

    def label(self) -> str:
        """The row's label, right-aligned to the bars, its lines centred on the bar."""
        first = self.baseline - (len(self.lines) - 1) * LINE / 2
        spans = "".join(
            f'<tspan x="{LABEL_WIDTH - 6}" y="{first + index * LINE:.1f}">{escape(line)}</tspan>'
            for index, line in enumerate(self.lines)
        )
        return f'<text text-anchor="end">{spans}</text>'


def _rows(labels: Sequence[str]) -> list[_Row]:
    rows, top = [], 0.0
    for label in labels:
        lines = _lines(label)
        height = ROW + (len(lines) - 1) * LINE
        rows.append(_Row(top, height, tuple(lines)))
        top += height
    return rows


def _bars_svg(rows: list[_Row], values: Sequence[str], title: str, body: list[str]) -> Markup:
    """The chart of `rows` with their value labels `values`, wide enough for the longest."""
    longest = max((len(value) for value in values), default=0)
    width = LABEL_WIDTH + BAR_WIDTH + max(VALUE_WIDTH, 12 + CHARACTER * longest)
    height = rows[-1].top + rows[-1].height if rows else ROW
    return _svg(width, round(height), title, "".join(body))


def bar_chart(
    bars: Sequence[Bar], *, title: str, shown: Format, colour: str = PALETTE[0]
) -> Markup:
    """Horizontal bars, one per row, scaled to the largest value."""
    largest = max((bar.value for bar in bars), default=0) or 1
    rows = _rows([bar.label for bar in bars])
    values = [shown(bar.value) for bar in bars]
    parts = []
    for row, bar, value in zip(rows, bars, values, strict=True):
        width = max(bar.value / largest * BAR_WIDTH, 0)
        tip = escape(f"{bar.label}: {value}{' ' + bar.note if bar.note else ''}")
        parts.append(
            f"<g><title>{tip}</title>"
            + row.label()
            + f'<rect x="{LABEL_WIDTH}" y="{row.bar_top:.1f}" width="{width:.1f}" '
            f'height="{ROW - 8}" fill="{colour}" rx="2"/>'
            + _text(LABEL_WIDTH + width + 6, row.baseline, value, css="value")
            + "</g>"
        )
    return _bars_svg(rows, values, title, parts)


def share_chart(
    rows: Sequence[tuple[str, float, float]], *, title: str, shown: Format, part_name: str
) -> Markup:
    """Bars of a whole (light) with the part inside it (dark): (label, part, whole) per row.

    Each bar is labelled with what its length shows, the part's share of the whole:
    `15% of EUR 5,106` (a bare share beside the longest bar read as that bar's size).
    """
    largest = max((whole for _, _, whole in rows), default=0) or 1
    placed = _rows([label for label, _, _ in rows])
    shares = [f"{part / whole:.0%}" if whole else "–" for _, part, whole in rows]
    values = [
        f"{share} of {shown(whole)}" for share, (_, _, whole) in zip(shares, rows, strict=True)
    ]
    parts = []
    for row, (label, part, whole), share, value in zip(placed, rows, shares, values, strict=True):
        whole_width = whole / largest * BAR_WIDTH
        part_width = part / largest * BAR_WIDTH
        tip = escape(f"{label}: {shown(part)} {part_name} of {shown(whole)} ({share})")
        parts.append(
            f"<g><title>{tip}</title>"
            + row.label()
            + f'<rect x="{LABEL_WIDTH}" y="{row.bar_top:.1f}" width="{whole_width:.1f}" '
            f'height="{ROW - 8}" fill="#c9d8ea" rx="2"/>'
            + f'<rect x="{LABEL_WIDTH}" y="{row.bar_top:.1f}" width="{part_width:.1f}" '
            f'height="{ROW - 8}" fill="{PALETTE[0]}" rx="2"/>'
            + _text(LABEL_WIDTH + whole_width + 6, row.baseline, value, css="value")
            + "</g>"
        )
    return _bars_svg(placed, values, title, parts)


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
