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


def exact_t_table() -> FloatArray:
    """t(0.975, ν) for ν = 1…200 (index ν; index 0 is NaN), by bisection on the exact distribution
    function, all ν at once. Used to produce and test `_T975`; results use the stored table."""
    df = np.arange(1, _EXACT_DF_LIMIT + 1, dtype=np.int64)
    lo, hi = np.zeros(df.shape), np.full(df.shape, 16.0)  # t(0.975, 1) = 12.7 is the largest
    for _step in range(60):
        mid = (lo + hi) / 2
        below = _t_two_sided_mass(mid, df) < 0.95
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return np.concatenate(([np.nan], (lo + hi) / 2))


# t(0.975, ν) for ν = 1…200, as computed by exact_t_table() (tests/results/test_scoring.py checks it).
# fmt: off
_T975 = np.array((
    np.nan,
    12.706204736174676, 4.302652729749459, 3.1824463052837064, 2.7764451051977934, 2.5705818356363146,
    2.446911851144968, 2.364624251592783, 2.306004135204166, 2.2621571627982053, 2.228138851986274,
    2.200985160091639, 2.1788128296672262, 2.16036865646279, 2.1447866879178026, 2.131449545559774,
    2.119905299221254, 2.1098155778333147, 2.100922040241037, 2.0930240544083096, 2.085963447265864,
    2.079613844727679, 2.0738730679040245, 2.0686576104190495, 2.0638985616280223, 2.0595385527532972,
    2.0555294386428695, 2.051830516480285, 2.0484071417952485, 2.045229642132706, 2.042272456301241,
    2.0395134463964073, 2.0369333434601007, 2.034515297449338, 2.0322445093177164, 2.0301079282503434,
    2.028094000980449, 2.0261924630291093, 2.0243941639119685, 2.0226909200367604, 2.0210753903062715,
    2.0195409704413754, 2.018081702818445, 2.0166921992278217, 2.015367574443763, 2.014103388880849,
    2.012895598919429, 2.011740513729764, 2.010634757624234, 2.009575237129239, 2.008559112100759,
    2.007583770315833, 2.0066468050616875, 2.0057459953178673, 2.0048792881880546, 2.004044783289146,
    2.0032407188478736, 2.002465459291005, 2.001717484145235, 2.0009953780882697, 2.0002978220142538,
    1.9996235849949393, 1.9989715170333753, 1.9983405425207392, 1.997729654317693, 1.997137908392003,
    1.9965644189523029, 1.996008354025303, 1.9954689314298433, 1.9949454151072397, 1.9944371117711803,
    1.9939433678456324, 1.993463566661867, 1.9929971258898505, 1.9925434951809318, 1.9921021540022417,
    1.9916726096446706, 1.991254395388384, 1.9908470688116875, 1.9904502102301334, 1.9900634212544395,
    1.9896863234569047, 1.9893185571365777, 1.9889597801751693, 1.9886096669757127, 1.9882679074772205,
    1.987934206239014, 1.98760828158907, 1.9872898648311712, 1.9869786995062841, 1.9866745407037723,
    1.9863771544186206, 1.9860863169511225, 1.985801814345824, 1.9855234418665986, 1.985251003505501,
    1.9849843115224615, 1.984723186013985, 1.9844674545084775, 1.9842169515864203, 1.9839715185235454,
    1.983731002955604, 1.983495258562868, 1.9832641447734551, 1.9830375264837286, 1.982815273795055,
    1.9825972617654974, 1.982383370175698, 1.9821734833077187, 1.981967489736478, 1.981765282132371,
    1.9815667570749036, 1.9813718148763022, 1.9811803594146613, 1.9809922979758605, 1.980807541103907,
    1.9806260024590818, 1.980447598683405, 1.9802722492729794, 1.9800998764569324, 1.9799304050824458,
    1.979763762505387, 1.9795998784866349, 1.9794386850933008, 1.9792801166048553, 1.9791241094237955,
    1.9789706019906177, 1.9788195347028514, 1.9786708498378407, 1.9785244914792477, 1.978380405447016,
    1.9782385392303734, 1.9780988419241314, 1.9779612641677269, 1.9778257580871208, 1.9776922772392571,
    1.977560776558923, 1.9774312123081677, 1.9773035420276561, 1.9771777244903328, 1.9770537196570905,
    1.9769314886342642, 1.9768109936328573, 1.9766921979298098, 1.9765750658304468, 1.9764595626329258,
    1.9763456545938287, 1.9762333088953348, 1.9761224936137438, 1.97601317768919, 1.9759053308966203,
    1.975798923817925, 1.9756939278152674, 1.975590315005252, 1.9754880582343421, 1.9753871310551219,
    1.9752875077034462, 1.9751891630766, 1.9750920727120942, 1.9749962127674627, 1.9749015600007862,
    1.9748080917517998, 1.9747157859237934, 1.9746246209663578, 1.9745345758584727, 1.9744456300923932,
    1.9743577636580296, 1.9742709570280699, 1.9741851911433206, 1.9741004473989658, 1.9740167076309745,
    1.9739339541031016, 1.97385216949451, 1.973771336887515, 1.973691439756065, 1.9736124619543967,
    1.9735343877061005, 1.9734572015938046, 1.973380888548827, 1.9733054338414777, 1.9732308230715314,
    1.9731570421591669, 1.9730840773359088, 1.9730119151362584, 1.972940542389375, 1.972869946210897,
    1.9728001139954383, 1.9727310334089134, 1.9726626923812955, 1.972595079099674, 1.9725281820013225,
    1.9724619897672278, 1.9723964913155667, 1.9723316757957554, 1.9722675325821273, 1.972204051268446,
    1.972141221662031, 1.9720790337785035, 1.9720174778363222, 1.9719565442517557, 1.9718962236339137
))
# fmt: on


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
        result[small] = _T975[d[small].astype(np.int64)]
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
