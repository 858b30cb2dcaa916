"""Aggregation of measurements up the tree, by the indicator's rule. Pure functions over plain data.

A unit's value for a period:

- If the unit has its own measurement for the period, that value is used as it is.
- Otherwise its value is combined from the *topmost measured units* below it: a measured unit
  whose ancestor (below the asked unit) is also measured is left out, so a department that
  reports for itself is never counted twice with its teams.
- The rules: `sum` adds the values; `average` is their plain mean; `weighted_average` is
  Σ value × weight / Σ weight (each measurement's weight, e.g. the number of citizens behind it;
  no value when a weight is missing or the weights add up to 0); `latest` takes the most recent
  value reported anywhere in the subtree: the latest period on or before the asked one, then the
  latest entered.

Units are identified by their materialized path (see organisation.models), so "below" is a
prefix test.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kerne.goals.formulas import Value, no_value

SUM = "sum"
AVERAGE = "average"
WEIGHTED_AVERAGE = "weighted_average"
LATEST = "latest"
RULES = (SUM, AVERAGE, WEIGHTED_AVERAGE, LATEST)


@dataclass(frozen=True)
class Observation:
    path: str
    period: dt.date
    value: float
    weight: float | None = None
    entered: dt.datetime | None = None
    # The stored value or weight is not a number its column can hold (a row stored before
    # goals/numbers.py checked every number): the period shows "invalid", not a number.
    invalid: bool = False


def topmost(observations: Iterable[Observation]) -> list[Observation]:
    """Leave out observations that have a measured ancestor among the others (same period)."""
    kept: list[Observation] = []
    for obs in sorted(observations, key=lambda o: o.path):
        if kept and obs.path.startswith(kept[-1].path):
            continue
        kept.append(obs)
    return kept


def combine(rule: str, observations: Sequence[Observation]) -> Value:
    """Combine one period's topmost observations by `rule` (`latest` picks the newest entry)."""
    if not observations:
        return no_value("no_data")
    if rule != LATEST and any(o.invalid for o in observations):
        return no_value("invalid_value")
    if rule == SUM:
        return Value(sum(o.value for o in observations))
    if rule == AVERAGE:
        return Value(sum(o.value for o in observations) / len(observations))
    if rule == WEIGHTED_AVERAGE:
        if any(o.weight is None for o in observations):
            return no_value("weights_missing")
        total = sum(o.weight for o in observations if o.weight is not None)
        if total == 0:
            return no_value("weights_zero")
        return Value(sum(o.value * (o.weight or 0.0) for o in observations) / total)
    if rule == LATEST:
        return _value_of(max(observations, key=_recency))
    raise ValueError(f"unknown aggregation rule {rule!r}")


def _value_of(obs: Observation) -> Value:
    return no_value("invalid_value") if obs.invalid else Value(obs.value)


def _recency(obs: Observation) -> tuple[dt.date, dt.datetime]:
    return obs.period, obs.entered or dt.datetime.min


def unit_series(rule: str, root_path: str, observations: Iterable[Observation]) -> dict[dt.date, Value]:
    """The value of the unit at `root_path` for every period in which its subtree has data."""
    by_period: dict[dt.date, list[Observation]] = defaultdict(list)
    for obs in observations:
        if obs.path.startswith(root_path):
            by_period[obs.period].append(obs)
    series: dict[dt.date, Value] = {}
    if rule == LATEST:
        newest: Observation | None = None
        for period in sorted(by_period):
            candidate = max(by_period[period], key=_recency)
            if newest is None or _recency(candidate) >= _recency(newest):
                newest = candidate
            series[period] = _value_of(newest)
        return series
    for period in sorted(by_period):
        group = by_period[period]
        own = [o for o in group if o.path == root_path]
        series[period] = _value_of(own[0]) if own else combine(rule, topmost(group))
    return series
