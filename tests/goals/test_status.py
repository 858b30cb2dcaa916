"""The status rule (status.py), with hand-computed cases."""

from __future__ import annotations

import datetime as dt

import pytest

from kerne.goals.status import Plan, Status, planned_value, status_at, worst

D = dt.date
# Higher is better: 0 on 1 Jan 2025 → 100 on 11 Jan 2025 (10 days, 10 points a day); scale 100.
UP = Plan(D(2025, 1, 1), 0.0, D(2025, 1, 11), 100.0, higher_is_better=True)
# Lower is better: 100 → 60 over the same 10 days (4 points a day); scale 40.
DOWN = Plan(D(2025, 1, 1), 100.0, D(2025, 1, 11), 60.0, higher_is_better=False)


def test_planned_value_is_the_straight_line():
    assert planned_value(UP, D(2025, 1, 1)) == 0
    assert planned_value(UP, D(2025, 1, 6)) == pytest.approx(50)
    assert planned_value(UP, D(2025, 1, 9)) == pytest.approx(80)
    assert planned_value(DOWN, D(2025, 1, 6)) == pytest.approx(80)


def test_planned_value_after_target_date_is_the_target_and_before_baseline_none():
    assert planned_value(UP, D(2030, 1, 1)) == 100
    assert planned_value(UP, D(2024, 12, 31)) is None


@pytest.mark.parametrize(
    ("measured", "expected"),
    [
        (55.0, Status.ON_TRACK),  # better than the plan (50)
        (50.0, Status.ON_TRACK),  # exactly on the plan
        (45.0, Status.ON_TRACK),  # 5 below = 5 % of the range: the tolerance
        (44.0, Status.AT_RISK),  # 6 below
        (35.0, Status.AT_RISK),  # 15 below = the off-track threshold
        (34.9, Status.OFF_TRACK),
        (10.0, Status.OFF_TRACK),
    ],
)
def test_higher_is_better(measured, expected):
    result = status_at(UP, [(D(2025, 1, 6), measured)], D(2025, 1, 6))
    assert result.status == expected
    assert result.planned == pytest.approx(50)
    assert result.shortfall == pytest.approx(50 - measured)


@pytest.mark.parametrize(
    ("measured", "expected"),
    [
        (70.0, Status.ON_TRACK),  # lower than planned (80) is better
        (81.0, Status.ON_TRACK),  # 1 above; tolerance is 5 % of 40 = 2
        (82.0, Status.ON_TRACK),
        (83.0, Status.AT_RISK),
        (86.0, Status.AT_RISK),  # 6 above = 15 % of 40
        (86.5, Status.OFF_TRACK),
    ],
)
def test_lower_is_better(measured, expected):
    assert status_at(DOWN, [(D(2025, 1, 6), measured)], D(2025, 1, 6)).status == expected


def test_value_is_compared_with_the_plan_at_its_own_date():
    # Measured on 3 Jan (plan 20), asked on 9 Jan (plan 80): 20 is on track.
    result = status_at(UP, [(D(2025, 1, 3), 20.0)], D(2025, 1, 9))
    assert result.status == Status.ON_TRACK and result.planned == pytest.approx(20)


def test_latest_measurement_on_or_before_the_day_is_used():
    points = [(D(2025, 1, 8), 10.0), (D(2025, 1, 3), 20.0)]
    assert status_at(UP, points, D(2025, 1, 5)).measured == 20.0
    assert status_at(UP, points, D(2025, 1, 8)).status == Status.OFF_TRACK  # 10 vs plan 70


def test_no_status_before_the_baseline():
    result = status_at(UP, [(D(2024, 12, 1), 5.0)], D(2024, 12, 31))
    assert result.status == Status.NO_STATUS and result.reason == "before_baseline"
    # A value measured before the baseline, asked after it: still no plan to compare with.
    result = status_at(UP, [(D(2024, 12, 1), 5.0)], D(2025, 1, 5))
    assert result.status == Status.NO_STATUS and result.reason == "before_baseline"


def test_after_the_target_date_the_target_is_the_plan():
    assert status_at(UP, [(D(2025, 6, 1), 95.0)], D(2026, 1, 1)).status == Status.ON_TRACK
    result = status_at(UP, [(D(2025, 6, 1), 90.0)], D(2026, 1, 1))
    assert result.status == Status.AT_RISK and result.planned == 100


def test_missing_measurements_and_incomplete_plans():
    assert status_at(UP, [], D(2025, 1, 5)).reason == "no_measurement"
    assert status_at(UP, [(D(2025, 1, 9), 50.0)], D(2025, 1, 5)).reason == "no_measurement"
    assert status_at(UP, [(D(2025, 1, 3), None)], D(2025, 1, 5)).reason == "no_value"
    incomplete = Plan(D(2025, 1, 1), 0.0, None, 100.0)
    assert status_at(incomplete, [(D(2025, 1, 3), 1.0)], D(2025, 1, 5)).reason == "no_plan"
    backwards = Plan(D(2025, 1, 11), 0.0, D(2025, 1, 1), 100.0)
    assert status_at(backwards, [(D(2025, 1, 12), 1.0)], D(2025, 1, 12)).reason == "target_before_baseline"


def test_zero_range_holds_a_level_with_the_target_as_scale():
    hold = Plan(D(2025, 1, 1), 10.0, D(2025, 12, 31), 10.0, higher_is_better=True)
    assert status_at(hold, [(D(2025, 3, 1), 10.2)], D(2025, 3, 1)).status == Status.ON_TRACK
    assert status_at(hold, [(D(2025, 3, 1), 9.5)], D(2025, 3, 1)).status == Status.ON_TRACK  # 5 % of 10
    assert status_at(hold, [(D(2025, 3, 1), 9.0)], D(2025, 3, 1)).status == Status.AT_RISK
    assert status_at(hold, [(D(2025, 3, 1), 8.0)], D(2025, 3, 1)).status == Status.OFF_TRACK


def test_zero_range_at_zero_any_shortfall_is_off_track():
    zero = Plan(D(2025, 1, 1), 0.0, D(2025, 12, 31), 0.0, higher_is_better=False)
    assert status_at(zero, [(D(2025, 3, 1), 0.0)], D(2025, 3, 1)).status == Status.ON_TRACK
    assert status_at(zero, [(D(2025, 3, 1), 1.0)], D(2025, 3, 1)).status == Status.OFF_TRACK


def test_owner_set_thresholds():
    strict = Plan(D(2025, 1, 1), 0.0, D(2025, 1, 11), 100.0, tolerance=0.0, off_track_threshold=0.02)
    assert status_at(strict, [(D(2025, 1, 6), 50.0)], D(2025, 1, 6)).status == Status.ON_TRACK
    assert status_at(strict, [(D(2025, 1, 6), 49.0)], D(2025, 1, 6)).status == Status.AT_RISK
    assert status_at(strict, [(D(2025, 1, 6), 47.0)], D(2025, 1, 6)).status == Status.OFF_TRACK


def test_goal_status_is_the_worst_indicator():
    assert worst([Status.ON_TRACK, Status.AT_RISK, Status.NO_STATUS]) == Status.AT_RISK
    assert worst([Status.OFF_TRACK, Status.ON_TRACK]) == Status.OFF_TRACK
    assert worst([Status.NO_STATUS]) == Status.NO_STATUS
    assert worst([]) == Status.NO_STATUS
