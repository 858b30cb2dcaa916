"""Relative-weights analysis (drivers) against known properties, and the ≥ 30 rule."""

from __future__ import annotations

import numpy as np
import pytest

from kerne.results import selectors
from kerne.results.drivers import complete_cases, relative_weights
from tests.factories import make_hr, make_unit
from tests.results.factories import add_responses, make_instrument, make_round


def test_uncorrelated_predictors_get_their_squared_correlation():
    rng = np.random.default_rng(7)
    a = rng.normal(size=2000)
    b = rng.normal(size=2000)
    # Make a and b exactly uncorrelated (and centred) by Gram–Schmidt.
    a -= a.mean()
    b -= b.mean()
    b -= a * (a @ b) / (a @ a)
    y = 2 * a + b + rng.normal(size=2000)
    weights = relative_weights(np.column_stack([a, b]), y)
    r = [np.corrcoef(a, y)[0, 1], np.corrcoef(b, y)[0, 1]]
    np.testing.assert_allclose(weights.raw, np.square(r), rtol=1e-9)


def test_weights_sum_to_the_regressions_r_squared():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(500, 4))
    x[:, 1] += 0.8 * x[:, 0]  # correlated predictors
    y = x @ np.array([1.0, 0.5, 0.0, -0.3]) + rng.normal(size=500)
    weights = relative_weights(x, y)
    design = np.column_stack([np.ones(500), x])
    fitted = design @ np.linalg.lstsq(design, y, rcond=None)[0]
    r_squared = 1 - ((y - fitted) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    assert weights.r_squared == pytest.approx(r_squared, rel=1e-9)
    assert weights.share.sum() == pytest.approx(1.0)
    assert np.argmax(weights.raw) == 0 and weights.raw.min() >= 0


def test_a_constant_predictor_gets_no_weight_and_a_constant_outcome_is_refused():
    x = np.column_stack([np.arange(10.0), np.ones(10)])
    weights = relative_weights(x, np.arange(10.0) * 2)
    assert weights.raw[1] == 0 and weights.share[0] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="does not vary"):
        relative_weights(x, np.ones(10))


def test_complete_cases_drop_missing_scores():
    scores = np.array([[1.0, 2.0, 3.0], [np.nan, 1.0, 1.0], [4.0, 5.0, 6.0]])
    x, y, columns = complete_cases(scores, outcome=0)
    assert columns == [1, 2] and y.tolist() == [1.0, 4.0] and x.tolist() == [[2.0, 3.0], [5.0, 6.0]]


@pytest.mark.django_db
def test_drivers_need_thirty_respondents_and_rank_the_dimension_that_moves_with_the_outcome():
    rng = np.random.default_rng(11)
    root = make_unit("Forvaltning", kind="executive")
    instrument = make_instrument(dimensions=(1, 1, 1))
    round_ = make_round(instrument, root, k=5)
    hr = make_hr()
    rows = []
    for _ in range(29):
        driver = int(rng.integers(1, 6))
        noise = int(rng.integers(1, 6))
        rows.append([driver, driver, noise])  # outcome d0 = driver d1; d2 is noise
    add_responses(round_, root, rows)
    with pytest.raises(selectors.NotEnoughRespondents):
        selectors.drivers(hr, round_, root, "d0")
    add_responses(round_, root, [[4, 4, 1], [2, 2, 5]])
    from kerne.results.rollup import clear_memo

    clear_memo()
    result = selectors.drivers(hr, round_, root, "d0")
    assert result is not None and result.n == 31
    assert [r.key for r in result.rows] == ["d1", "d2"]
    assert result.rows[0].importance > 0.9 and result.rows[0].score is not None
    with pytest.raises(KeyError):
        selectors.drivers(hr, round_, root, "nope")
    # Two respondents without every dimension score: the page shows the group's respondent
    # count (33, as every page does), never the complete cases (31), a statistic of its own.
    add_responses(round_, root, [[4, 0, 0], [0, 0, 3]])
    clear_memo()
    result = selectors.drivers(hr, round_, root, "d0")
    assert result is not None and result.n == 33
