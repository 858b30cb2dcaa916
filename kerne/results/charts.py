"""Charts of the results pages, declared as Vega-Lite specifications with altair and rendered to
SVG on the server with vl-convert (for the pages and for the PDF alike; no JavaScript needed).
Every chart is shown beside a table with the same numbers (its text alternative)."""

from __future__ import annotations

import json
from typing import Any

import altair as alt
from django.utils.translation import gettext as _

# Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999"]


def trend_spec(points: list[dict[str, Any]]) -> dict[str, Any]:
    """Line per dimension over rounds.

    `points`: {"round": name, "order": i, "dimension": name, "score": x}.
    """
    data = alt.Data(values=points)
    chart = (
        alt.Chart(data)
        .mark_line(point=True, strokeWidth=2)
        .encode(
            x=alt.X("round:N", title=_("Måling"), sort=alt.SortField("order")),
            y=alt.Y("score:Q", title=_("Score (0–100)"), scale=alt.Scale(domain=[0, 100])),
            color=alt.Color(
                "dimension:N", title=None, scale=alt.Scale(range=PALETTE), legend=alt.Legend(orient="bottom")
            ),
            strokeDash=alt.StrokeDash("dimension:N", legend=None),
        )
        .properties(width=560, height=260)
        .configure_view(stroke=None)
    )
    return chart.to_dict()


def drivers_spec(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Importance × score grid: `rows` of {"dimension": name, "importance": %, "score": 0…100}."""
    data = alt.Data(values=rows)
    base = alt.Chart(data).encode(
        x=alt.X("importance:Q", title=_("Betydning for udfaldet (%)"), scale=alt.Scale(domain=[0, 100])),
        y=alt.Y("score:Q", title=_("Score (0–100)"), scale=alt.Scale(domain=[0, 100])),
    )
    points = base.mark_point(filled=True, size=90, color=PALETTE[0])
    labels = base.mark_text(align="left", dx=8, dy=-6, fontSize=11, color="#1b1f24").encode(
        text="dimension:N"
    )
    rules = (
        alt.Chart(alt.Data(values=[{"y": 50}])).mark_rule(strokeDash=[4, 4], color="#4a5462").encode(y="y:Q")
    )
    return (
        alt.layer(rules, points, labels)
        .properties(width=520, height=320)
        .configure_view(stroke=None)
        .to_dict()
    )


def svg(chart_spec: dict[str, Any], language: str = "da") -> str:
    import vl_convert as vlc

    text = json.dumps(chart_spec)
    if language.startswith("da"):
        return str(vlc.vegalite_to_svg(text, format_locale="da-DK", time_format_locale="da-DK"))
    return str(vlc.vegalite_to_svg(text, format_locale="en-US", time_format_locale="en-US"))
