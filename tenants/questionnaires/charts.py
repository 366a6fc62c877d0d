"""Charts drawn on the server as SVG: the same markup in pages and in PDFs (WeasyPrint).

Colours are SVG presentation attributes, not style attributes: the CSP allows
no inline style, and a PDF needs no stylesheet. Each chart has a <title> and
role="img"; pages also show the figures as a table.
"""
from __future__ import annotations

import math
from html import escape

from markupsafe import Markup

INK, GRID, FILL, STROKE, BAR_BG = "#1d2330", "#c8ced9", "#1f5fbf", "#1f5fbf", "#eef1f6"


def _fmt(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def radar(labels: list[str], values: list[float], maximum: float, title: str, size: int = 280) -> Markup:
    """A radar (hexagon for six dimensions): one axis per label, values from 0 to `maximum`."""
    n = len(labels)
    if n < 3:
        return bars(labels, values, maximum, title)
    # Room for the labels left and right; 480 units across a 336 px phone column keeps the 20-unit type
    # at about 14 px.
    width = size + 200
    height = size + 24  # and below: the bottom label has two lines
    cx, cy = width / 2, size / 2
    radius = size / 2 - 45

    def point(i: int, fraction: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        return cx + radius * fraction * math.cos(angle), cy + radius * fraction * math.sin(angle)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" '
             f'role="img" aria-label="{escape(title)}" class="chart"><title>{escape(title)}</title>']
    for ring in (0.25, 0.5, 0.75, 1.0):
        ring_points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, ring) for i in range(n)))
        parts.append(f'<polygon points="{ring_points}" fill="none" stroke="{GRID}" stroke-width="1"/>')
    for i in range(n):
        x, y = point(i, 1.0)
        parts.append(f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>')
    shape = " ".join(f"{x:.1f},{y:.1f}" for x, y in
                     (point(i, max(0.0, min(1.0, v / maximum if maximum else 0))) for i, v in enumerate(values)))
    parts.append(f'<polygon points="{shape}" fill="{FILL}" fill-opacity="0.25" stroke="{STROKE}" stroke-width="2"/>')
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x, y = point(i, 1.12)
        anchor = "middle" if abs(x - cx) < 5 else ("start" if x > cx else "end")
        top = y - 14 if y < cy - 5 else (y + 2 if y > cy + 5 else y - 6)
        parts.append(f'<text x="{x:.1f}" y="{top:.1f}" text-anchor="{anchor}" font-size="20" '
                     f'font-family="sans-serif" fill="{INK}"><tspan x="{x:.1f}" dy="0.9em">{escape(label)}</tspan>'
                     f'<tspan x="{x:.1f}" dy="1.2em" font-weight="bold">{_fmt(value)}</tspan></text>')
    parts.append("</svg>")
    return Markup("".join(parts))


LABEL_SIZE = 16  # px at a 360 px wide phone: the bars' viewBox is about a phone's width, so 1 unit ≈ 1 px
LINE_CHARS = 34  # what fits in a line of the bars' width at LABEL_SIZE


def wrap(label: str, width: int = LINE_CHARS) -> list[str]:
    """A label cut into lines at spaces (a word longer than a line stays whole): never truncated."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def bars(labels: list[str], values: list[float], maximum: float, title: str, width: int = 360) -> Markup:
    """Horizontal bars from 0 to `maximum`, each under its whole label (wrapped, phone-sized type)."""
    line, bar_h, gap = LABEL_SIZE + 4, 18, 12
    bar_w = width - 50
    rows = [wrap(label) for label in labels]
    height = sum(len(lines) * line + bar_h + gap for lines in rows) + 4
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" role="img" aria-label="{escape(title)}" class="chart"><title>{escape(title)}</title>']
    y = 2
    for lines, value in zip(rows, values, strict=True):
        filled = bar_w * max(0.0, min(1.0, value / maximum if maximum else 0))
        text = "".join(f'<tspan x="0" dy="{line if n else LABEL_SIZE}">{escape(part)}</tspan>'
                       for n, part in enumerate(lines))
        parts.append(f'<text x="0" y="{y}" font-size="{LABEL_SIZE}" font-family="sans-serif" '
                     f'fill="{INK}">{text}</text>')
        y += len(lines) * line
        parts.append(f'<rect x="0" y="{y}" width="{bar_w}" height="{bar_h}" fill="{BAR_BG}"/>')
        parts.append(f'<rect x="0" y="{y}" width="{filled:.1f}" height="{bar_h}" fill="{FILL}"/>')
        parts.append(f'<text x="{bar_w + 6}" y="{y + bar_h - 3}" font-size="{LABEL_SIZE}" font-family="sans-serif" '
                     f'font-weight="bold" fill="{INK}">{_fmt(value)}</text>')
        y += bar_h + gap
    parts.append("</svg>")
    return Markup("".join(parts))


def for_scores(scores: dict | None, title: str) -> Markup | None:
    """The chart that suits a questionnaire's scores (radar for interests, bars otherwise)."""
    if not scores:
        return None
    if scores["type"] == "riasec":
        dims = scores["dimensions"]
        return radar([d["label"] for d in dims], [d["score"] for d in dims], scores["max"], title)
    if scores["type"] == "skills":
        doms = scores["domains"]
        return bars([d["label"] for d in doms], [d["score"] for d in doms], scores["max"], title)
    if scores["type"] == "values":
        ranking = scores["ranking"]
        return bars([r["label"] for r in ranking], [r["points"] for r in ranking], scores["max"], title)
    if scores["type"] == "aggregate360":
        rows = scores["rows"]
        return bars([r["label"] for r in rows], [r["mean"] for r in rows], scores["max"], title)
    return None
