"""Values read from the database: aggregation up the real tree, formulas evaluated when read."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kerne.goals import services
from kerne.goals.models import Indicator
from kerne.goals.series import SeriesReader, formula_problem
from tests.goals.helpers import make_indicator

pytestmark = pytest.mark.django_db
JAN = dt.date(2025, 1, 1)


def _record(indicator, unit, value, period=JAN, weight=None):
    services.measurement_record(
        actor=None,
        indicator=indicator,
        unit=unit,
        period=period,
        value=Decimal(value),
        weight=None if weight is None else Decimal(weight),
    )


def test_sum_goes_up_the_tree_by_path(world):
    children = make_indicator(world.root, name_da="Børn", aggregation="sum", frequency="monthly")
    _record(children, world.team_a1x, 10)
    _record(children, world.dept_b1, 5)
    reader = SeriesReader([(children, world.root), (children, world.centre_a), (children, world.centre_b)])
    assert reader.series(children, world.root)[JAN].value == 15
    assert reader.series(children, world.centre_a)[JAN].value == 10
    assert reader.series(children, world.centre_b)[JAN].value == 5


def test_formula_over_aggregated_inputs_and_its_failures(world):
    num = make_indicator(world.root, name_da="Tæller", aggregation="sum", frequency="monthly")
    den = make_indicator(world.root, name_da="Nævner", aggregation="sum", frequency="monthly")
    share = make_indicator(
        world.root, name_da="Andel", source="computed", numerator=num, denominator=den, factor=Decimal(100)
    )
    _record(num, world.dept_a1, 3)
    _record(num, world.dept_b1, 1)
    _record(den, world.dept_a1, 10)
    _record(den, world.dept_b1, 10)
    feb = dt.date(2025, 2, 1)
    _record(num, world.dept_a1, 2, feb)  # no denominator in February
    mar = dt.date(2025, 3, 1)
    _record(num, world.dept_a1, 2, mar)
    _record(den, world.dept_a1, 0, mar)  # division by zero in March
    reader = SeriesReader([(share, world.root), (share, world.centre_b)])
    series = reader.series(share, world.root)
    assert series[JAN].value == pytest.approx(20)  # (3 + 1) / (10 + 10) × 100
    assert series[feb].value is None and series[feb].reason == "denominator_missing"
    assert series[mar].value is None and series[mar].reason == "division_by_zero"
    assert reader.series(share, world.centre_b)[JAN].value == pytest.approx(10)


def test_a_formula_that_refers_to_itself_gives_no_value(world):
    a = make_indicator(world.root, name_da="A", source="computed")
    b = make_indicator(world.root, name_da="B", source="computed", numerator=a, denominator=a)
    Indicator.objects.filter(pk=a.pk).update(numerator=b, denominator=b)
    a.refresh_from_db()
    assert formula_problem(a) == "cycle"
    assert SeriesReader([(a, world.root)]).series(a, world.root) == {}
    assert formula_problem(make_indicator(world.root, source="computed")) == "not_configured"
