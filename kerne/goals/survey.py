"""Survey results as indicator values: one value per round for an instrument dimension and a unit.

Anonymity is never decided here. The score comes from the results app with its rules applied
(minimum group size k and complementary suppression, DESIGN §3); a suppressed score stays empty
with the reason "hidden to protect anonymity", never a number.

The results app is expected to expose

    kerne.results.indicators.unit_dimension_score(*, round, unit, dimension) -> (score, suppressed)

where `score` is the unit's mean dimension score (0–100) for the round, or None, and
`suppressed` is True when the anonymity rules hide it. Until that function exists, survey
indicators show no value, with the reason that results are not available yet.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from kerne.goals.formulas import REASONS, Value, no_value

if TYPE_CHECKING:
    from kerne.goals.models import Indicator
    from kerne.organisation.models import Unit

REASONS.setdefault("survey_unavailable", _("Resultater fra spørgeskemaer er ikke tilgængelige endnu."))

ScoreFunction = Callable[..., tuple[float | None, bool]]


def score_function() -> ScoreFunction | None:
    try:
        module = importlib.import_module("kerne.results.indicators")
    except ModuleNotFoundError:
        return None
    function: Any = getattr(module, "unit_dimension_score", None)
    return function if callable(function) else None


def round_value(score: float | None, suppressed: bool) -> Value:
    """One round's value for an indicator: hidden stays hidden, missing stays missing."""
    if suppressed:
        return no_value("anonymity")
    if score is None:
        return no_value("no_data")
    return Value(float(score))


def dimension_series(indicator: Indicator, unit: Unit) -> dict[dt.date, Value]:
    """One value per released round of the dimension's instrument that covers the unit."""
    from kerne.surveys.models import Round

    dimension = indicator.survey_dimension
    if dimension is None:
        return {}
    rounds = (
        Round.objects.filter(instrument_id=dimension.instrument_id, released=True)
        .select_related("target_unit")
        .order_by("cut_off_date")
    )
    covering = [r for r in rounds if unit.is_within(r.target_unit) or r.target_unit.is_within(unit)]
    if not covering:
        return {}
    function = score_function()
    if function is None:
        return {r.cut_off_date: no_value("survey_unavailable") for r in covering}
    series: dict[dt.date, Value] = {}
    for survey_round in covering:
        score, suppressed = function(round=survey_round, unit=unit, dimension=dimension)
        series[survey_round.cut_off_date] = round_value(score, suppressed)
    return series
