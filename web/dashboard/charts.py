"""Bar charts as inline SVG, drawn on the server: no JavaScript, no CDN, printable."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 170
BAR_WIDTH = 320
COLOURS = ("#1a5fb4", "#9a6700")  # current, previous: contrast >= 4.5:1 on white


def bar_chart(
    *,
    title: str,
    rows: Sequence[tuple[str, float | None, float | None]],
    unit: str = "",
) -> SafeString:
    """Horizontal bars: each row is (label, current value, previous value or None)."""
    peak = max([v for _, cur, prev in rows for v in (cur, prev) if v is not None] + [0.0])
    scale = BAR_WIDTH / peak if peak else 0.0
    has_prev = any(prev is not None for _, _, prev in rows)
    step = BAR_HEIGHT * (2 if has_prev else 1) + GAP
    height = max(step * len(rows), step)
    width = LABEL_WIDTH + BAR_WIDTH + 70
    parts = []
    for i, (label, cur, prev) in enumerate(rows):
        y = i * step
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" font-size="13" fill="#1f1f1f">{}</text>',
                LABEL_WIDTH - 6,
                y + 15,
                label[:14],
            )
        )
        for j, value in enumerate((cur, prev) if has_prev else (cur,)):
            if value is None:
                continue
            by = y + j * BAR_HEIGHT
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>'
                    '<text x="{}" y="{}" font-size="12" fill="#1f1f1f">{}{}</text>',
                    LABEL_WIDTH,
                    by + 2,
                    f"{max(value * scale, 1):.1f}",
                    BAR_HEIGHT - 6,
                    COLOURS[j],
                    f"{LABEL_WIDTH + value * scale + 4:.1f}",
                    by + 15,
                    f"{value:g}",
                    unit,
                )
            )
    return format_html(
        '<svg role="img" aria-label="{}" width="100%" viewBox="0 0 {} {}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        title,
        width,
        height,
        title,
        format_html_join("", "{}", ((p,) for p in parts)),
    )
