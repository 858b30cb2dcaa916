"""Survey results as indicators: values come from the results app with its access and anonymity rules."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from kerne.goals.models import Indicator
from kerne.goals.series import SeriesReader
from kerne.results.rollup import clear_memo
from kerne.results.selectors import trend
from tests.access import build_world
from tests.goals.helpers import make_indicator
from tests.results.factories import add_invitations, add_responses, make_instrument, make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey_world(db):
    clear_memo()
    cache.clear()
    w = build_world()
    instrument = make_instrument(dimensions=(2, 1))
    round_ = make_round(instrument, w.root, k=5, released=True, name="Social kapital")
    add_responses(round_, w.team_a1x, [[5, 5, 5]] * 6)  # d0 = 100
    add_responses(round_, w.dept_a1, [[3, 3, 3]] * 5)
    add_responses(round_, w.centre_b, [[1, 1, 1]] * 2)  # 2 below dept_b1: differencing risk
    add_responses(round_, w.dept_b1, [[4, 4, 4]] * 7)
    for unit in (w.team_a1x, w.dept_a1, w.centre_b, w.dept_b1):
        add_invitations(round_, unit, 10)
    indicator = make_indicator(
        w.root,
        name_da="Tillid",
        source=Indicator.Source.SURVEY,
        survey_dimension=instrument.dimensions.get(key="d0"),
        frequency="yearly",
    )
    w.extra.update(round=round_, instrument=instrument, indicator=indicator)
    yield w
    clear_memo()
    cache.clear()


def test_one_value_per_round_for_a_unit_the_user_may_see(survey_world):
    w = survey_world
    indicator, round_ = w.extra["indicator"], w.extra["round"]
    series = SeriesReader([(indicator, w.team_a1x)], w.users["leader"]).series(indicator, w.team_a1x)
    assert {p: v.value for p, v in series.items()} == {round_.cut_off_date: 100.0}
    # Without a user, or for a unit whose results the user may not see, nothing at all.
    assert SeriesReader([(indicator, w.team_a1x)]).series(indicator, w.team_a1x) == {}
    beside = SeriesReader([(indicator, w.dept_b1)], w.users["leader"]).series(indicator, w.dept_b1)
    assert beside == {}


def test_suppressed_scores_stay_empty_with_the_anonymity_reason(survey_world):
    w = survey_world
    indicator, instrument = w.extra["indicator"], w.extra["instrument"]
    hr = w.users["hr"]
    for unit in (w.centre_b, w.dept_b1):
        expected = trend(hr, instrument, unit)[0].dimensions["d0"]
        (value,) = SeriesReader([(indicator, unit)], hr).series(indicator, unit).values()
        if expected is None:
            assert value.value is None and value.reason == "anonymity"
            assert value.reason_text == "Skjult af hensyn til anonymiteten."
        else:
            assert value.value == pytest.approx(expected)
    hidden = [trend(hr, instrument, u)[0].dimensions["d0"] for u in (w.centre_b, w.dept_b1)]
    assert None in hidden  # the world is built so that one of the two must be suppressed
