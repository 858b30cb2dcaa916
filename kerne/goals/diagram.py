"""The effect chain of an intervention drawn as an SVG diagram, laid out on the server.

Three columns: the intervention, its results, its effects. Each link is a curve with an arrow
and a number; the page lists the numbered links with their assumptions as the text alternative
(the diagram carries no information that the list does not). Evidence is shown by the line
style *and* written in the list, so colour is never the only signal.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape

BOX_WIDTH = 250
COLUMN_GAP = 110
LINE_HEIGHT = 18
PADDING = 12
ROW_GAP = 24
WRAP = 30
TOP = 40
LOOP_MARGIN = 120  # room on the right for links between boxes of the same column

DASHES = {"none": "6 5", "practice": "10 4", "studies": "", "local": ""}
WIDTHS = {"none": 1.5, "practice": 1.5, "studies": 2.5, "local": 3.5}


@dataclass(frozen=True)
class Box:
    key: str  # "intervention" or "node-<pk>"
    column: int  # 0 intervention, 1 results, 2 effects
    text: str


@dataclass(frozen=True)
class Arrow:
    number: int
    source: str
    target: str
    evidence: str


@dataclass(frozen=True)
class Placed:
    box: Box
    x: float
    y: float
    height: float
    lines: tuple[str, ...]


def layout(boxes: Sequence[Box]) -> tuple[dict[str, Placed], float, float]:
    placed: dict[str, Placed] = {}
    heights = [0.0, 0.0, 0.0]
    for box in boxes:
        lines = tuple(textwrap.wrap(box.text, WRAP) or [""])
        height = len(lines) * LINE_HEIGHT + 2 * PADDING
        x = box.column * (BOX_WIDTH + COLUMN_GAP) + 10
        y = TOP + heights[box.column]
        placed[box.key] = Placed(box, x, y, height, lines)
        heights[box.column] += height + ROW_GAP
    width = 3 * BOX_WIDTH + 2 * COLUMN_GAP + 20 + LOOP_MARGIN
    return placed, width, TOP + max(heights) + 10


def render(boxes: Sequence[Box], arrows: Sequence[Arrow], headings: Sequence[str], title: str) -> str:
    placed, width, height = layout(boxes)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'class="chain-diagram" role="img" aria-label="{escape(title)}">',
        "<defs><marker id='arrowhead' viewBox='0 0 10 10' refX='10' refY='5' markerWidth='12' "
        "markerHeight='12' markerUnits='userSpaceOnUse' orient='auto-start-reverse'>"
        "<path d='M0,0 L10,5 L0,10 z' fill='#1b1f24'/></marker></defs>",
    ]
    for column, heading in enumerate(headings):
        x = column * (BOX_WIDTH + COLUMN_GAP) + 10 + BOX_WIDTH / 2
        out.append(
            f'<text x="{x:.0f}" y="20" text-anchor="middle" class="chain-heading">{escape(heading)}</text>'
        )
    for arrow in arrows:
        source, target = placed.get(arrow.source), placed.get(arrow.target)
        if source is None or target is None:
            continue
        x1, y1 = source.x + BOX_WIDTH, source.y + source.height / 2
        x2, y2 = target.x, target.y + target.height / 2
        if target.x <= source.x:  # same column or backwards: loop around the right side
            x2 = target.x + BOX_WIDTH
            bend = LOOP_MARGIN - 20
            path = f"M{x1:.0f},{y1:.0f} C{x1 + bend:.0f},{y1:.0f} {x2 + bend:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"
            mx, my = max(x1, x2) + bend * 0.75, (y1 + y2) / 2
        else:
            mid = (x1 + x2) / 2
            path = f"M{x1:.0f},{y1:.0f} C{mid:.0f},{y1:.0f} {mid:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"
            mx, my = mid, (y1 + y2) / 2
        dash = DASHES.get(arrow.evidence, "")
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<path d="{path}" fill="none" stroke="#1b1f24" stroke-width="{WIDTHS.get(arrow.evidence, 1.5)}"'
            f'{dash_attr} marker-end="url(#arrowhead)"/>'
        )
        out.append(
            f'<circle cx="{mx:.0f}" cy="{my:.0f}" r="11" fill="#fff" stroke="#1a4e8a" stroke-width="2"/>'
            f'<text x="{mx:.0f}" y="{my + 4:.0f}" text-anchor="middle" '
            f'class="chain-number">{arrow.number}</text>'
        )
    for item in placed.values():
        css = ["chain-box-intervention", "chain-box-result", "chain-box-effect"][item.box.column]
        out.append(
            f'<rect x="{item.x:.0f}" y="{item.y:.0f}" width="{BOX_WIDTH}" height="{item.height:.0f}" '
            f'rx="6" class="{css}"/>'
        )
        for i, line in enumerate(item.lines):
            ty = item.y + PADDING + (i + 1) * LINE_HEIGHT - 4
            out.append(
                f'<text x="{item.x + PADDING:.0f}" y="{ty:.0f}" class="chain-text">{escape(line)}</text>'
            )
    out.append("</svg>")
    return "\n".join(out)
