"""Aggregation up the tree (aggregation.py): sum, average, weighted average, latest."""

from __future__ import annotations

import datetime as dt

import pytest

from kerne.goals.aggregation import Observation, combine, topmost, unit_series

D = dt.date
JAN, FEB, MAR = D(2025, 1, 1), D(2025, 2, 1), D(2025, 3, 1)
ROOT, A, A1, A2, B = "r", "ra", "ra1", "ra2", "rb"  # paths: r → a → a1, a2; r → b


def obs(path, value, period=JAN, weight=None, entered=None):
    return Observation(path, period, value, weight, entered)


def test_sum_average_of_leaves():
    data = [obs(A1, 10), obs(A2, 20), obs(B, 30)]
    assert unit_series("sum", ROOT, data)[JAN].value == 60
    assert unit_series("average", ROOT, data)[JAN].value == pytest.approx(20)
    assert unit_series("sum", A, data)[JAN].value == 30
    assert unit_series("sum", B, data)[JAN].value == 30


def test_a_unit_that_reports_for_itself_is_not_counted_twice():
    data = [obs(A, 100), obs(A1, 10), obs(A2, 20), obs(B, 30)]
    assert [o.path for o in topmost(data)] == [A, B]
    assert unit_series("sum", ROOT, data)[JAN].value == 130
    assert unit_series("sum", A, data)[JAN].value == 100  # own value wins


def test_weighted_average():
    data = [obs(A1, 80, weight=30), obs(A2, 60, weight=10)]
    assert unit_series("weighted_average", ROOT, data)[JAN].value == pytest.approx(75)
    missing = [obs(A1, 80, weight=30), obs(A2, 60)]
    assert unit_series("weighted_average", ROOT, missing)[JAN].reason == "weights_missing"
    zero = [obs(A1, 80, weight=0), obs(A2, 60, weight=0)]
    assert unit_series("weighted_average", ROOT, zero)[JAN].reason == "weights_zero"


def test_latest_carries_the_newest_value_forward():
    early, late = dt.datetime(2025, 1, 5), dt.datetime(2025, 1, 20)
    data = [obs(A1, 10, JAN, entered=late), obs(B, 12, JAN, entered=early), obs(A2, 15, MAR)]
    series = unit_series("latest", ROOT, data)
    assert series[JAN].value == 10  # same period: the latest entered
    assert series[MAR].value == 15
    assert FEB not in series


def test_periods_are_kept_apart_and_other_subtrees_ignored():
    data = [obs(A1, 1, JAN), obs(A1, 2, FEB), obs(B, 5, FEB)]
    series = unit_series("sum", A, data)
    assert {p: v.value for p, v in series.items()} == {JAN: 1, FEB: 2}


def test_combine_empty_and_unknown_rule():
    assert combine("sum", []).reason == "no_data"
    with pytest.raises(ValueError):
        combine("median", [obs(A, 1)])
