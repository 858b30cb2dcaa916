"""Scoring against hand-computed examples (DESIGN §3: 100/75/50/25/0, reversed, missing, half rule)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kerne.results.scoring import (
    _T975,
    FAVOURABLE,
    NEUTRAL,
    UNFAVOURABLE,
    bucket_bands,
    change,
    dimension_bands,
    dimension_scores,
    exact_t_table,
    item_scores,
    moments_from_hist,
    score_buckets,
    shares,
    summarize,
    t_critical_95,
)


def test_options_score_100_75_50_25_0_and_reversed_items_are_mirrored():
    options = np.array([[5, 4, 3, 2, 1, 0], [5, 4, 3, 2, 1, 0]], dtype=np.uint8).T  # 6 respondents × 2 items
    scores = item_scores(options, [False, True])
    assert scores[:5, 0].tolist() == [100, 75, 50, 25, 0]
    assert scores[:5, 1].tolist() == [0, 25, 50, 75, 100]
    assert math.isnan(scores[5, 0]) and math.isnan(scores[5, 1])  # 0 = "don't know" is missing


def test_buckets_keep_missing_as_zero_even_when_reversed():
    buckets = score_buckets(np.array([[0, 0], [1, 1]], dtype=np.uint8), [False, True])
    assert buckets.tolist() == [[0, 0], [1, 5]]


def test_answers_outside_the_scale_and_wrong_item_counts_are_refused():
    with pytest.raises(ValueError, match="outside"):
        score_buckets(np.array([[6]], dtype=np.uint8), [False])
    with pytest.raises(ValueError, match="items"):
        score_buckets(np.array([[1, 2]], dtype=np.uint8), [False])


def test_dimension_score_is_the_mean_of_answered_items_when_at_least_half_are_answered():
    # Dimension 0 has items 0, 1, 2; dimension 1 has items 3, 4.
    item_dimension = [0, 0, 0, 1, 1]
    options = np.array(
        [
            [5, 4, 0, 1, 0],  # dim0: (100 + 75) / 2 = 87.5 (2 of 3 answered); dim1: 0 (1 of 2 = half)
            [5, 0, 0, 0, 0],  # dim0: 1 of 3 answered → missing; dim1: none → missing
            [3, 3, 2, 5, 3],  # dim0: (50 + 50 + 25) / 3 = 41.67; dim1: (100 + 50) / 2 = 75
        ],
        dtype=np.uint8,
    )
    buckets = score_buckets(options, [False] * 5)
    scores = dimension_scores(buckets, item_dimension, 2)
    assert scores[0, 0] == pytest.approx(87.5)
    assert scores[0, 1] == 0.0
    assert math.isnan(scores[1, 0]) and math.isnan(scores[1, 1])
    assert scores[2, 0] == pytest.approx(125 / 3)
    assert scores[2, 1] == 75.0


def test_dimension_score_uses_the_reversed_score():
    # Item 1 is reversed: option 1 ("helt uenig" to a negative statement) scores 100.
    buckets = score_buckets(np.array([[4, 1]], dtype=np.uint8), [False, True])
    assert dimension_scores(buckets, [0, 0], 1)[0, 0] == pytest.approx(87.5)


def test_dimension_bands_favourable_from_75_unfavourable_to_25():
    bands = dimension_bands(np.array([100.0, 75.0, 74.9, 50.0, 25.1, 25.0, 0.0, np.nan]))
    assert bands.tolist() == [
        FAVOURABLE,
        FAVOURABLE,
        NEUTRAL,
        NEUTRAL,
        NEUTRAL,
        UNFAVOURABLE,
        UNFAVOURABLE,
        -1,
    ]


def test_item_shares_from_a_histogram():
    # Buckets (score 0, 25, 50, 75, 100): 1, 1, 2, 3, 3 answers.
    hist = np.array([1, 1, 2, 3, 3])
    bands = bucket_bands(hist)
    assert bands.tolist() == [2, 2, 6]
    assert shares(bands).tolist() == [0.2, 0.2, 0.6]
    n, total, total_sq = moments_from_hist(hist)
    assert (n, total, total_sq) == (10, 0 + 25 + 100 + 225 + 300, 625 + 2 * 2500 + 3 * 5625 + 3 * 10000)


def test_group_summary_by_hand():
    # Scores 50, 75, 100, 75: mean 75, deviations −25, 0, 25, 0 → SS 1250, var 1250/3, SD 20.41.
    values = np.array([50.0, 75.0, 100.0, 75.0])
    s = summarize(4, values.sum(), (values**2).sum())
    assert s.mean == 75.0
    assert s.sd == pytest.approx(math.sqrt(1250 / 3))
    # t(0.975, 3) = 3.182446305 → half width 3.1824 × 20.412 / 2 = 32.48
    half = 3.182446305284263 * math.sqrt(1250 / 3) / 2
    assert s.ci_low == pytest.approx(75 - half)
    assert s.ci_high == pytest.approx(100.0)  # 75 + 32.48 is clipped to the scale


def test_summary_of_one_and_of_none():
    one = summarize(1, 50.0, 2500.0)
    assert one.mean == 50.0 and math.isnan(one.sd) and math.isnan(one.ci_low)
    none = summarize(0, 0.0, 0.0)
    assert math.isnan(none.mean)


def test_summary_is_vectorised():
    s = summarize(np.array([2, 3]), np.array([100.0, 150.0]), np.array([5000.0, 7500.0]))
    assert s.mean.tolist() == [50.0, 50.0]
    assert s.sd.tolist() == [0.0, 0.0]


@pytest.mark.parametrize(
    ("df", "expected"),
    [
        # Reference values of Student's t 97.5% quantile (tables / scipy.stats.t.ppf).
        (1, 12.706204736174698),
        (2, 4.302652729749464),
        (3, 3.182446305284263),
        (4, 2.7764451051977934),
        (5, 2.5705818356363146),
        (9, 2.2621571628540993),
        (10, 2.2281388519862744),
        (29, 2.045229642132703),
        (30, 2.0422724563012373),
        (100, 1.9839715184496334),
        (200, 1.9718962236316093),
        (1000, 1.9623390808264078),
    ],
)
def test_t_quantile_matches_reference_values(df, expected):
    assert t_critical_95(df) == pytest.approx(expected, rel=1e-9)


def _t_density_mass(q: float, df: int, steps: int = 20000) -> float:
    """P(0 ≤ T ≤ q) by Simpson's rule on the t density: an independent check of the quantile."""
    log_c = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    xs = np.linspace(0.0, q, steps + 1)
    ys = np.exp(log_c - (df + 1) / 2 * np.log1p(xs**2 / df))
    h = q / steps
    return float(h / 3 * (ys[0] + ys[-1] + 4 * ys[1:-1:2].sum() + 2 * ys[2:-1:2].sum()))


@pytest.mark.parametrize("df", [1, 2, 7, 50, 199, 200, 201, 250, 1000, 10_000, 500_000])
def test_t_quantile_leaves_2_5_percent_in_each_tail(df):
    q = float(t_critical_95(df))
    assert _t_density_mass(q, df) == pytest.approx(0.475, abs=1e-9)


def test_the_stored_t_table_is_the_exact_computation():
    np.testing.assert_allclose(exact_t_table()[1:], _T975[1:], rtol=1e-13)


def test_t_quantile_is_nan_without_degrees_of_freedom():
    assert math.isnan(t_critical_95(0))


def test_a_change_is_called_only_beyond_5_points():
    assert change(60.0, 54.9) == 1
    assert change(60.0, 55.0) == 0
    assert change(50.0, 55.0) == 0
    assert change(49.9, 55.0) == -1
    assert change(None, 50.0) == 0
    assert change(float("nan"), 50.0) == 0
