"""Formula indicators, as DHIS2 does them: numerator / denominator × factor, evaluated when read.

A formula never raises and never invents a 0: a missing input or a zero denominator gives
"no value" with the reason, which the pages show in place of the number.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

REASONS = {
    "numerator_missing": _("Tælleren mangler en værdi for perioden."),
    "denominator_missing": _("Nævneren mangler en værdi for perioden."),
    "division_by_zero": _("Nævneren er 0 for perioden, så brøken har ingen værdi."),
    "not_configured": _("Formlen mangler tæller eller nævner."),
    "cycle": _("Formlen henviser til sig selv."),
    "anonymity": _("Skjult af hensyn til anonymiteten."),
    "weights_missing": _("Vægt mangler for mindst én enhed."),
    "weights_zero": _("Vægtene summer til 0."),
    "no_data": _("Ingen målinger i perioden."),
    "invalid_value": _("En gemt værdi er ugyldig (ikke et tal eller for stor); ret målingen."),
}


@dataclass(frozen=True)
class Value:
    """A number, or no number and why (a key of REASONS)."""

    value: float | None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.value is not None

    @property
    def reason_text(self) -> str:
        return str(REASONS.get(self.reason, self.reason))


def no_value(reason: str) -> Value:
    return Value(None, reason)


def evaluate(numerator: Value | None, denominator: Value | None, factor: float = 1.0) -> Value:
    """numerator / denominator × factor for one period."""
    if numerator is None or numerator.value is None:
        return no_value("numerator_missing")
    if denominator is None or denominator.value is None:
        return no_value("denominator_missing")
    if denominator.value == 0:
        return no_value("division_by_zero")
    result = numerator.value / denominator.value * factor
    if not math.isfinite(result):  # a factor stored before numbers were checked
        return no_value("invalid_value")
    return Value(result)


def evaluate_series(
    numerator: Mapping[dt.date, Value], denominator: Mapping[dt.date, Value], factor: float = 1.0
) -> dict[dt.date, Value]:
    """The formula for every period in which either input has a row."""
    periods = sorted(set(numerator) | set(denominator))
    return {p: evaluate(numerator.get(p), denominator.get(p), factor) for p in periods}
