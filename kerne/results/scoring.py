"""Scoring (DESIGN §3, "Instruments and their licences"): pure numpy, no database.

- Answer options are packed as 1…5 (5 = the most favourable wording of the scale) and 0
  for no answer / "don't know" (`kerne.surveys.packing`). An option scores 5→100, 4→75,
  3→50, 2→25, 1→0; a reversed (negatively worded) item is mirrored (5→0 … 1→100);
  0 is missing and never scored.
- Internally an answer becomes a *bucket* 0…5: 0 = missing, 1…5 = score 0, 25, 50, 75,
  100 (reversal applied). Histograms of buckets are additive, and count, sum and sum of
  squares of an item's scores all follow from them.
- A respondent's dimension score is the mean of the dimension's items they answered,
  when they answered at least half of them; otherwise it is missing.
- A group's score is the mean over its respondents, with n, the sample standard
  deviation and a 95% t-interval, computed from sufficient statistics (n, Σx, Σx²).
- Shares: an item's favourable share is the share of answers scoring 75 or 100, neutral
  50, unfavourable 0 or 25. A dimension score is continuous (a mean of items), so its
  bands are: favourable ≥ 75, unfavourable ≤ 25, neutral in between (`DIMENSION_BAND_RULE`).
- A difference to a comparison is called a change only beyond 5 points (|Δ| > 5).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
from django.utils.translation import gettext_lazy as _

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

SCORES = (0.0, 25.0, 50.0, 75.0, 100.0)
"""Score of buckets 1…5 (bucket 0 is missing)."""
BUCKET_SCORE = np.array((0.0, *SCORES))
"""Score by bucket index 0…5; index 0 is never used as a score (missing)."""
BUCKET_SCORE_SQ = BUCKET_SCORE**2

CHANGE_THRESHOLD = 5.0
"""DESIGN §3: a difference under (or at) 5 points is not called a change."""
FAVOURABLE_FROM = 75.0
UNFAVOURABLE_TO = 25.0
DIMENSION_BAND_RULE = _(
    "Et dimensionsscore er et gennemsnit af flere spørgsmål. Det tæller som positivt ved 75 eller derover, "
    "som negativt ved 25 eller derunder og ellers som neutralt."
)
ITEM_BAND_RULE = _(
    "For et spørgsmål er svarene med score 75 og 100 positive, 50 neutrale og 0 og 25 negative. "
    "Ved ikke tæller ikke med."
)

# Band indices (order used in every bands array)
UNFAVOURABLE, NEUTRAL, FAVOURABLE = 0, 1, 2


def score_buckets(options: npt.NDArray[np.uint8], reversed_items: npt.ArrayLike) -> npt.NDArray[np.uint8]:
    """Respondents × items options (0…5) → buckets (0 missing, 1…5 = score 0…100), reversal applied."""
    options = np.asarray(options, dtype=np.uint8)
    rev = np.asarray(reversed_items, dtype=bool)
    if options.ndim != 2 or options.shape[1] != rev.shape[0]:
        raise ValueError(f"answers have {options.shape[-1]} items, the instrument has {rev.shape[0]}")
    if options.size and int(options.max()) > 5:
        raise ValueError("an answer option is outside 0…5")
    buckets = options.copy()
    if rev.any():
        # Mirrored option of o is 6 − o; 0 (missing) stays 0.
        buckets[:, rev] = _MIRROR[options[:, rev]]
    return buckets


_MIRROR = np.array([0, 5, 4, 3, 2, 1], dtype=np.uint8)


def item_scores(options: npt.NDArray[np.uint8], reversed_items: npt.ArrayLike) -> FloatArray:
    """Respondents × items scores 0…100, NaN where missing."""
    buckets = score_buckets(options, reversed_items)
    scores = BUCKET_SCORE[buckets]
    scores[buckets == 0] = np.nan
    return scores


def dimension_scores_by_dimension(
    buckets_by_item: npt.NDArray[np.uint8], item_dimension: npt.ArrayLike, dimension_count: int
) -> FloatArray:
    """Dimensions × respondents scores from items × respondents buckets (contiguous rows: fast).

    The mean of a respondent's answered items of the dimension when they answered at least
    half of them, else NaN. Loops over items only; each step is one vector operation.
    """
    dims = np.asarray(item_dimension, dtype=np.int64)
    respondents = buckets_by_item.shape[1]
    result = np.full((dimension_count, respondents), np.nan)
    for d in range(dimension_count):
        cols = np.flatnonzero(dims == d)
        if cols.size == 0:
            continue
        count = np.zeros(respondents, dtype=np.int16)
        total = np.zeros(respondents, dtype=np.int16)
        for i in cols:
            column = buckets_by_item[i]
            count += column > 0
            total += column
        total -= count  # Σ(bucket − 1) over answered items = quarter points (score / 25)
        ok = (count * 2 >= cols.size) & (count > 0)
        result[d, ok] = 25.0 * total[ok] / count[ok]
    return result


def dimension_scores(
    buckets: npt.NDArray[np.uint8], item_dimension: npt.ArrayLike, dimension_count: int
) -> FloatArray:
    """Respondents × dimensions: mean of answered items when ≥ half answered, else NaN.

    `item_dimension[i]` is the index (0…D−1) of item i's dimension (−1: in no dimension).
    """
    by_item = np.ascontiguousarray(np.asarray(buckets, dtype=np.uint8).T)
    return dimension_scores_by_dimension(by_item, item_dimension, dimension_count).T


def dimension_bands(scores: FloatArray) -> npt.NDArray[np.int8]:
    """Band per dimension score: 0 unfavourable (≤ 25), 1 neutral, 2 favourable (≥ 75); −1 missing."""
    bands = np.full(scores.shape, -1, dtype=np.int8)
    present = ~np.isnan(scores)
    bands[present] = NEUTRAL
    bands[present & (scores >= FAVOURABLE_FROM)] = FAVOURABLE
    bands[present & (scores <= UNFAVOURABLE_TO)] = UNFAVOURABLE
    return bands


def bucket_bands(hist: npt.ArrayLike) -> IntArray:
    """Histogram over buckets 1…5 (last axis, length 5) → counts per band (unfav, neutral, fav)."""
    h = np.asarray(hist, dtype=np.int64)
    return np.stack((h[..., 0] + h[..., 1], h[..., 2], h[..., 3] + h[..., 4]), axis=-1)


def moments_from_hist(hist: npt.ArrayLike) -> tuple[IntArray, FloatArray, FloatArray]:
    """Histogram over buckets 1…5 (last axis) → n, Σscore, Σscore²."""
    h = np.asarray(hist, dtype=np.int64)
    n = h.sum(axis=-1)
    total = h @ BUCKET_SCORE[1:]
    total_sq = h @ BUCKET_SCORE_SQ[1:]
    return n, total, total_sq


# --- Student's t quantile (scipy is not a dependency) ------------------------------------

_Z975 = 1.959963984540054  # standard normal 97.5% quantile
_EXACT_DF_LIMIT = 200


def _t_two_sided_mass(t: FloatArray, df: IntArray) -> FloatArray:
    """A(t|ν) = P(|T| ≤ t) for integer ν ≥ 1, elementwise (Abramowitz & Stegun 26.7.3–4: exact finite sums).

    Even ν: sin θ · Σ_{j<ν/2} Π_{i≤j} (2i−1)/(2i) · cos^{2j} θ;
    odd ν: 2/π · (θ + sin θ cos θ · Σ_{j<(ν−1)/2} Π_{i≤j} (2i)/(2i+1) · cos^{2j} θ), with θ = atan(t/√ν).
    """
    theta = np.arctan(t / np.sqrt(df))
    c2 = np.cos(theta) ** 2
    even = df % 2 == 0
    terms = np.where(even, df // 2, (df - 1) // 2)  # number of terms in the sum (0 for ν = 1)
    term = np.ones_like(t)
    total = np.where(terms > 0, 1.0, 0.0)
    for j in range(1, int(terms.max(initial=0))):
        factor = np.where(even, (2 * j - 1) / (2 * j), (2 * j) / (2 * j + 1))
        term = term * c2 * factor
        total = total + np.where(j < terms, term, 0.0)
    even_mass = np.sin(theta) * total
    odd_mass = 2 / math.pi * (theta + np.sin(theta) * np.cos(theta) * total)
    return np.asarray(np.where(even, even_mass, odd_mass))


@cache
def _exact_table() -> FloatArray:
    """t(0.975, ν) for ν = 1…200, by bisection on the exact distribution function (all ν at once)."""
    df = np.arange(1, _EXACT_DF_LIMIT + 1, dtype=np.int64)
    lo, hi = np.zeros(df.shape), np.full(df.shape, 16.0)  # t(0.975, 1) = 12.7 is the largest
    for _step in range(60):
        mid = (lo + hi) / 2
        below = _t_two_sided_mass(mid, df) < 0.95
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return np.concatenate(([np.nan], (lo + hi) / 2))


def _cornish_fisher(df: FloatArray) -> FloatArray:
    """Abramowitz & Stegun 26.7.5: t quantile from the normal one; error < 1e-9 for ν > 200."""
    x = _Z975
    g1 = (x**3 + x) / 4
    g2 = (5 * x**5 + 16 * x**3 + 3 * x) / 96
    g3 = (3 * x**7 + 19 * x**5 + 17 * x**3 - 15 * x) / 384
    g4 = (79 * x**9 + 776 * x**7 + 1482 * x**5 - 1920 * x**3 - 945 * x) / 92160
    return np.asarray(x + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4)


def t_critical_95(df: npt.ArrayLike) -> FloatArray:
    """Two-sided 95% critical value of Student's t (the 97.5% quantile); NaN for ν < 1."""
    d = np.asarray(df, dtype=np.float64)
    result = np.full(d.shape, np.nan)
    valid = d >= 1
    small = valid & (d <= _EXACT_DF_LIMIT)
    if small.any():
        result[small] = _exact_table()[d[small].astype(np.int64)]
    large = d > _EXACT_DF_LIMIT
    if large.any():
        result[large] = _cornish_fisher(d[large])
    return result


# --- Group statistics ---------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """Statistics of one or many groups (arrays broadcast alike). NaN where undefined."""

    n: IntArray
    mean: FloatArray
    sd: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray


def summarize(n: npt.ArrayLike, total: npt.ArrayLike, total_sq: npt.ArrayLike) -> Summary:
    """Mean, sample SD and 95% t-interval from n, Σx and Σx² (vectorised)."""
    count = np.asarray(n, dtype=np.int64)
    s = np.asarray(total, dtype=np.float64)
    sq = np.asarray(total_sq, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, s / count, np.nan)
        # Σ(x − mean)² = Σx² − (Σx)²/n; clip tiny negative rounding residue.
        ss = np.maximum(sq - np.where(count > 0, s * s / count, 0.0), 0.0)
        var = np.where(count > 1, ss / (count - 1), np.nan)
        sd = np.sqrt(var)
        half = t_critical_95(count - 1) * sd / np.sqrt(count)
    half = np.where(count > 1, half, np.nan)
    # The interval is clipped to the scale (a score cannot leave 0…100).
    return Summary(
        n=count,
        mean=mean,
        sd=sd,
        ci_low=np.clip(mean - half, 0.0, 100.0),
        ci_high=np.clip(mean + half, 0.0, 100.0),
    )


def shares(band_counts: npt.ArrayLike) -> FloatArray:
    """Counts per band (last axis) → shares that sum to 1 (NaN for an empty group)."""
    counts = np.asarray(band_counts, dtype=np.float64)
    total = counts.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, counts / total, np.nan)


def change(current: float | None, comparison: float | None) -> int:
    """+1 better, −1 worse, 0 no change (|Δ| ≤ 5 points or a number missing)."""
    if current is None or comparison is None or math.isnan(current) or math.isnan(comparison):
        return 0
    delta = current - comparison
    if delta > CHANGE_THRESHOLD:
        return 1
    if delta < -CHANGE_THRESHOLD:
        return -1
    return 0
