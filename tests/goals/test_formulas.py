"""Formula indicators: numerator / denominator × factor; no value (with a reason) instead of errors."""

from __future__ import annotations

import datetime as dt

import pytest

from kerne.goals.formulas import Value, evaluate, evaluate_series, no_value

D = dt.date


def test_evaluate():
    assert evaluate(Value(5), Value(20), 100).value == pytest.approx(25)
    assert evaluate(Value(0), Value(20), 100).value == 0


def test_division_by_zero_gives_no_value_with_reason():
    result = evaluate(Value(5), Value(0), 100)
    assert result.value is None and result.reason == "division_by_zero"
    assert "0" in result.reason_text


def test_missing_inputs_give_no_value_with_reason():
    assert evaluate(None, Value(3)).reason == "numerator_missing"
    assert evaluate(no_value("no_data"), Value(3)).reason == "numerator_missing"
    assert evaluate(Value(3), None).reason == "denominator_missing"
    assert evaluate(Value(3), no_value("anonymity")).reason == "denominator_missing"


def test_series_covers_every_period_of_either_input():
    num = {D(2025, 1, 1): Value(10), D(2025, 2, 1): Value(12)}
    den = {D(2025, 1, 1): Value(40), D(2025, 3, 1): Value(50)}
    series = evaluate_series(num, den, 100)
    assert series[D(2025, 1, 1)].value == pytest.approx(25)
    assert series[D(2025, 2, 1)].reason == "denominator_missing"
    assert series[D(2025, 3, 1)].reason == "numerator_missing"
