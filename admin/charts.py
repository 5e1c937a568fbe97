"""Server-rendered SVG charts for the dashboard: no JavaScript, no chart library, readable without colour
(each series also has a pattern-free legend and every bar a <title>), with the numbers in a table beside.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from markupsafe import Markup

# Colour-blind-safe palette (Okabe & Ito), each with at least 3:1 contrast against white.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8a6d00", "#56B4E9", "#000000")
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 720, 260, 40, 40, 16


@dataclass(frozen=True)
class Series:
    label: str
    values: list[int]  # one per bucket


def stacked_bars(title: str, buckets: list[str], series: list[Series]) -> Markup:
    """One bar per bucket (an hour, an age), its series stacked; an accessible name and per-bar titles."""
    totals = [sum(s.values[i] for s in series) for i in range(len(buckets))]
    peak = max([*totals, 1])
    plot_w, plot_h = WIDTH - LEFT - 10, HEIGHT - BOTTOM - TOP
    slot = plot_w / max(len(buckets), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT + 20 * len(series)}" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - 10}" y2="{TOP + plot_h}" stroke="#4a4a4a"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 10}" text-anchor="end" font-size="11">{peak}</text>',
        f'<text x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end" font-size="11">0</text>',
    ]
    for i, bucket in enumerate(buckets):
        x, base = LEFT + i * slot + slot * 0.15, float(TOP + plot_h)
        for n, s in enumerate(series):
            value = s.values[i]
            if not value:
                continue
            h = plot_h * value / peak
            base -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[n % len(PALETTE)]}">'
                f"<title>{escape(bucket)} – {escape(s.label)}: {value}</title></rect>"
            )
        if len(buckets) <= 12 or i % 3 == 0:
            parts.append(
                f'<text x="{x + slot * 0.35:.1f}" y="{TOP + plot_h + 14}" text-anchor="middle" '
                f'font-size="10">{escape(bucket)}</text>'
            )
    for n, s in enumerate(series):
        y = HEIGHT + 20 * n
        parts.append(
            f'<rect x="{LEFT}" y="{y - 10}" width="12" height="12" fill="{PALETTE[n % len(PALETTE)]}"/>'
        )
        parts.append(
            f'<text x="{LEFT + 18}" y="{y}" font-size="12">{escape(s.label)} ({sum(s.values)})</text>'
        )
    parts.append("</svg>")
    # Every label and title above went through escape(); the numbers are ours.
    return Markup("".join(parts))  # noqa: S704
