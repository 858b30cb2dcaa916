"""The indicator chart: measurements against the planned line and the milestones.

A Vega-Lite specification built with altair, rendered to SVG on the server with vl-convert (no
JavaScript in the browser). The page always shows the same numbers as a data table.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import altair as alt
from django.utils.translation import gettext as _

from kerne.goals.status import Plan, planned_value


def plan_points(plan: Plan, last: dt.date | None) -> list[dict[str, Any]]:
    """The planned line: baseline → target, then flat to the last measured date if later."""
    if not plan.is_complete():
        return []
    assert plan.baseline_date and plan.target_date
    points = [
        {"date": plan.baseline_date.isoformat(), "value": plan.baseline_value},
        {"date": plan.target_date.isoformat(), "value": plan.target_value},
    ]
    if last and last > plan.target_date:
        points.append({"date": last.isoformat(), "value": planned_value(plan, last)})
    return points


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def spec(
    *,
    title: str,
    unit_of_measure: str,
    measured: Sequence[tuple[dt.date, float]],
    plan: Plan,
    milestones: Sequence[tuple[dt.date, float]],
) -> dict[str, Any]:
    last = max((d for d, _v in measured), default=None)
    measured_label, plan_label, milestone_label = _("Målt"), _("Planlagt forløb"), _("Delmål")
    rows = [{"date": d.isoformat(), "value": v, "series": measured_label} for d, v in measured]
    rows += [{**p, "series": plan_label} for p in plan_points(plan, last)]
    rows += [{"date": d.isoformat(), "value": v, "series": milestone_label} for d, v in milestones]
    # Vega-Lite specs are JSON, which has no infinity or NaN: such a point is left out of the
    # chart (the table beside it says the value is invalid).
    rows = [r for r in rows if _finite(r["value"])]
    data = alt.Data(values=rows)
    y_title = unit_of_measure or _("Værdi")
    colour = alt.Color(
        "series:N",
        title=None,
        scale=alt.Scale(
            domain=[measured_label, plan_label, milestone_label], range=["#1a4e8a", "#4a5462", "#8a5a00"]
        ),
        legend=alt.Legend(orient="bottom"),
    )
    x = alt.X("date:T", title=_("Periode"), axis=alt.Axis(format="%Y-%m"))
    y = alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False))
    base = alt.Chart(data).encode(x=x, y=y, color=colour)
    measured_line = base.transform_filter(alt.datum.series == measured_label).mark_line(
        point=True, strokeWidth=2.5
    )
    plan_line = base.transform_filter(alt.datum.series == plan_label).mark_line(
        strokeDash=[6, 4], strokeWidth=2
    )
    milestone_marks = base.transform_filter(alt.datum.series == milestone_label).mark_point(
        shape="diamond", size=120, filled=True
    )
    chart = (
        alt.layer(plan_line, measured_line, milestone_marks)
        .properties(width=640, height=280, title=title)
        .configure_view(stroke=None)
    )
    return chart.to_dict()


def svg(chart_spec: dict[str, Any], language: str = "da") -> str:
    import json

    import vl_convert as vlc

    text = json.dumps(chart_spec, allow_nan=False)
    if language == "da":
        return str(vlc.vegalite_to_svg(text, format_locale="da-DK", time_format_locale="da-DK"))
    return str(vlc.vegalite_to_svg(text, format_locale="en-US", time_format_locale="en-US"))
