"""The fast path of DESIGN §4: a round's results for every unit, from one query and numpy.

The issue asks for "one SQL aggregate per (leaf unit, item) with count, sum and sum of
squares". Responses are stored packed (one row per response, one byte per item,
`kerne.surveys.packing`), so there is no answer table to GROUP BY. The equivalent here:

1. ONE query reads the round's responses as (unit_id, rater_group, evaluation_id,
   answers) tuples with `values_list` (no model objects), and `answers_matrix` turns
   the packed bytes into a respondents × items uint8 matrix.
2. numpy maps options to score buckets (reversal applied), computes each respondent's
   dimension scores (mean of answered items when at least half are answered) and, per
   cell (leaf unit, or 360 evaluation × rater group), the sufficient statistics with
   `bincount`: respondents; per item a histogram of the five buckets (count, sum and sum
   of squares all follow from it); per dimension count, sum, sum of squares and the
   favourable/neutral/unfavourable band counts.
3. The sums are additive, so each unit's "with everything below it" totals are its own
   plus its descendants'. Units are kept in path (pre-order) order, where a subtree is a
   contiguous range, so every subtree total is one cumulative sum and one subtraction:
   `cum[end] − cum[start]`, for all units at once.

This also yields dimension scores per respondent, which an item-level SQL GROUP BY
cannot (the half-answered rule needs the respondent's row). There is no Python loop per
respondent or per answer: the loops run over items or dimensions only.

Results are cached per round (process memory first, then Django's cache when it is shared
between processes; an in-process LocMemCache would only hold a second, pickled copy). The key holds
the round's status, k, comment_k and, while the round is open, its response count; so a
new response or closing the round computes afresh. A closed round's tree and thresholds
are frozen on first computation (models.RoundTree).

Anonymity (which groups may be shown) is decided by `anonymity.py`; `round_results`
stores its decisions beside the numbers, and everything a user sees goes through
`selectors.py`, which reads those decisions.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count

from kerne.disclosure import anonymity, statistics
from kerne.disclosure.pooling import response_units
from kerne.organisation.models import Unit
from kerne.results.models import RoundTree
from kerne.results.scoring import (
    BUCKET_SCORE,
    BUCKET_SCORE_SQ,
    Summary,
    bucket_bands,
    dimension_bands,
    dimension_scores_by_dimension,
    score_buckets,
    summarize,
)
from kerne.surveys.models import Dimension, InstrumentKind, Invitation, Item, RaterGroup, Response, Round
from kerne.surveys.packing import answers_matrix

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

CACHE_VERSION = 2

# 360: the groups of one evaluation, in forest order (a parent before its children).
EVAL_SELF, EVAL_OTHERS, EVAL_MANAGER, EVAL_PEER, EVAL_EMPLOYEE = range(5)
EVAL_GROUPS = ("self", "others", "manager", "peer", "employee")
EVAL_GROUP_COUNT = len(EVAL_GROUPS)
_EVAL_SLOT: dict[str, int] = {
    RaterGroup.SELF.value: EVAL_SELF,
    RaterGroup.MANAGER.value: EVAL_MANAGER,
    RaterGroup.PEER.value: EVAL_PEER,
    RaterGroup.EMPLOYEE.value: EVAL_EMPLOYEE,
}


# --- Instrument and tree layouts ---------------------------------------------------------


@dataclass(frozen=True)
class InstrumentLayout:
    """Items in packed order (Item.position) and their dimensions (Dimension.position)."""

    item_ids: tuple[int, ...]
    item_keys: tuple[str, ...]
    item_dimension: IntArray  # dimension index of each item
    reversed: BoolArray
    dimension_ids: tuple[int, ...]
    dimension_keys: tuple[str, ...]
    item_count: int  # packed length: highest position + 1

    @property
    def dimension_count(self) -> int:
        return len(self.dimension_ids)

    def items_of(self, dimension_index: int) -> list[int]:
        return [int(i) for i in np.flatnonzero(self.item_dimension == dimension_index)]


def instrument_layout(instrument_id: int) -> InstrumentLayout:
    dims = list(
        Dimension.objects.filter(instrument_id=instrument_id).order_by("position").values_list("id", "key")
    )
    dim_index = {pk: i for i, (pk, _key) in enumerate(dims)}
    items = list(
        Item.objects.filter(instrument_id=instrument_id)
        .order_by("position")
        .values_list("id", "key", "position", "dimension_id", "reversed")
    )
    item_count = (items[-1][2] + 1) if items else 0
    # Positions should be 0…n−1; a gap is an unused byte, kept as an item of no dimension.
    item_dimension = np.full(item_count, -1, dtype=np.int64)
    rev = np.zeros(item_count, dtype=bool)
    ids = [0] * item_count
    keys = [""] * item_count
    for pk, key, position, dimension_id, is_reversed in items:
        item_dimension[position] = dim_index[dimension_id]
        rev[position] = is_reversed
        ids[position] = pk
        keys[position] = key
    return InstrumentLayout(
        item_ids=tuple(ids),
        item_keys=tuple(keys),
        item_dimension=item_dimension,
        reversed=rev,
        dimension_ids=tuple(pk for pk, _key in dims),
        dimension_keys=tuple(key for _pk, key in dims),
        item_count=item_count,
    )


@dataclass(frozen=True)
class TreeLayout:
    """Units in pre-order (path order): the subtree of unit i is the index range [i, end[i])."""

    unit_ids: IntArray
    parent: IntArray  # index of the parent unit, −1 for the root
    depth: IntArray  # 0 for the root
    end: IntArray
    _index: dict[int, int] = field(default_factory=dict, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.unit_ids)

    def index_of(self, unit_id: int) -> int | None:
        if not self._index and len(self.unit_ids):
            self._index.update((int(u), i) for i, u in enumerate(self.unit_ids.tolist()))
        return self._index.get(unit_id)

    def children(self, index: int) -> list[int]:
        return [int(c) for c in np.flatnonzero(self.parent == index)]

    def indices_of(self, unit_ids: IntArray) -> IntArray:
        """Index of each unit id; −1 for ids not in the tree (vectorised)."""
        return lookup(self.unit_ids, unit_ids)


def lookup(keys: IntArray, values: IntArray) -> IntArray:
    """Position of each value in `keys` (distinct), −1 where absent; vectorised with a sort."""
    values = np.asarray(values, dtype=np.int64)
    if len(keys) == 0:
        return np.full(len(values), -1, dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    pos = np.clip(np.searchsorted(sorted_keys, values), 0, len(sorted_keys) - 1)
    return np.where(sorted_keys[pos] == values, order[pos], -1).astype(np.int64)


def tree_from_parents(unit_ids: npt.ArrayLike, parent: npt.ArrayLike) -> TreeLayout:
    """Build the layout from pre-order ids and parent indices (each parent before its children)."""
    ids = np.asarray(unit_ids, dtype=np.int64)
    par = np.asarray(parent, dtype=np.int64)
    n = len(ids)
    if n and (par[0] != -1 or np.any(par[1:] >= np.arange(1, n)) or np.any(par[1:] < 0)):
        raise ValueError("units must be in pre-order with one root first")
    depth = np.zeros(n, dtype=np.int64)
    # Depth level by level: a parent precedes its children, so depth[parent] is final
    # once every shallower level is done. Few levels, each one vectorised step.
    if n > 1:
        pending = np.arange(1, n)
        while pending.size:
            depth[pending] = depth[par[pending]] + 1
            ready = np.isin(par[pending], pending, invert=True)
            if ready.all():
                break
            pending = pending[~ready]
    size = np.ones(n, dtype=np.int64)
    for d in range(int(depth.max(initial=0)), 0, -1):
        level = np.flatnonzero(depth == d)
        np.add.at(size, par[level], size[level])
    end = np.arange(n, dtype=np.int64) + size
    # Pre-order means every subtree is contiguous; check it (cheap) so a bad tree fails loudly.
    if n and (end[par[1:]] < end[1:]).any():
        raise ValueError("units are not in pre-order")
    return TreeLayout(unit_ids=ids, parent=par, depth=depth, end=end)


def current_tree(root: Unit) -> TreeLayout:
    """The target unit's subtree as it is now (one query)."""
    rows = list(Unit.objects.subtree_of(root).order_by("path").values_list("id", "parent_id"))
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    parent_ids = np.array([-1 if r[1] is None else r[1] for r in rows], dtype=np.int64)
    parent_index = lookup(ids, parent_ids)
    if len(parent_index):
        parent_index[0] = -1  # the target unit is the root, whatever is above it
    return tree_from_parents(ids, parent_index)


# --- Sufficient statistics ---------------------------------------------------------------


@dataclass(frozen=True)
class Stats:
    """Additive sufficient statistics of G groups (first axis)."""

    respondents: IntArray  # [G]
    item_hist: IntArray  # [G, I, 5] answers per bucket (score 0, 25, 50, 75, 100)
    dim_n: IntArray  # [G, D] respondents with a dimension score
    dim_sum: FloatArray  # [G, D]
    dim_sq: FloatArray  # [G, D]
    dim_bands: IntArray  # [G, D, 3] unfavourable, neutral, favourable

    def __len__(self) -> int:
        return len(self.respondents)

    def take(self, index: npt.ArrayLike) -> Stats:
        idx = np.asarray(index, dtype=np.int64)
        return Stats(*(getattr(self, f)[idx] for f in _STATS_FIELDS))

    def sum_of(self, groups: list[npt.ArrayLike]) -> Stats:
        """One new group per entry: the sum of the listed groups."""
        parts = [self.take(g) for g in groups]
        return Stats(*(np.stack([getattr(p, f).sum(axis=0) for p in parts]) for f in _STATS_FIELDS))

    def item_moments(self) -> tuple[IntArray, FloatArray, FloatArray]:
        h = self.item_hist.astype(np.float64)
        return (h @ np.ones(5)).astype(np.int64), h @ BUCKET_SCORE[1:], h @ BUCKET_SCORE_SQ[1:]


_STATS_FIELDS = ("respondents", "item_hist", "dim_n", "dim_sum", "dim_sq", "dim_bands")


def empty_stats(groups: int, items: int, dimensions: int) -> Stats:
    return Stats(
        respondents=np.zeros(groups, dtype=np.int64),
        item_hist=np.zeros((groups, items, 5), dtype=np.int64),
        dim_n=np.zeros((groups, dimensions), dtype=np.int64),
        dim_sum=np.zeros((groups, dimensions)),
        dim_sq=np.zeros((groups, dimensions)),
        dim_bands=np.zeros((groups, dimensions, 3), dtype=np.int64),
    )


def aggregate(
    cells: IntArray,
    cell_count: int,
    buckets: npt.NDArray[np.uint8],
    item_dimension: IntArray,
    dimension_count: int,
) -> Stats:
    """Per-cell sufficient statistics of respondents (rows of `buckets`) by `cells` (vectorised).

    `cells[r]` is respondent r's cell 0…cell_count−1; rows with a negative cell are ignored.
    """
    keep = cells >= 0
    if not keep.all():
        cells, buckets = cells[keep], buckets[keep]
    items = buckets.shape[1]
    by_item = np.ascontiguousarray(buckets.T)  # items × respondents: each item's answers contiguous
    respondents = np.bincount(cells, minlength=cell_count).astype(np.int64)
    hist = np.zeros((cell_count, items, 5), dtype=np.int64)
    base = cells.astype(np.int64) * 6
    for i in range(items):
        counts = np.bincount(base + by_item[i], minlength=cell_count * 6).reshape(cell_count, 6)
        hist[:, i, :] = counts[:, 1:]
    scores = dimension_scores_by_dimension(by_item, item_dimension, dimension_count)
    bands = dimension_bands(scores)
    dim_n = np.zeros((cell_count, dimension_count), dtype=np.int64)
    dim_sum = np.zeros((cell_count, dimension_count))
    dim_sq = np.zeros((cell_count, dimension_count))
    dim_bands = np.zeros((cell_count, dimension_count, 3), dtype=np.int64)
    for d in range(dimension_count):
        present = bands[d] >= 0
        c = cells[present]
        s = scores[d, present]
        dim_n[:, d] = np.bincount(c, minlength=cell_count)
        dim_sum[:, d] = np.bincount(c, weights=s, minlength=cell_count)
        dim_sq[:, d] = np.bincount(c, weights=s * s, minlength=cell_count)
        dim_bands[:, d, :] = np.bincount(c * 3 + bands[d, present], minlength=cell_count * 3).reshape(
            cell_count, 3
        )
    return Stats(respondents, hist, dim_n, dim_sum, dim_sq, dim_bands)


def range_sums(values: npt.NDArray[Any], tree: TreeLayout) -> npt.NDArray[Any]:
    """Sum over each unit's subtree along the first axis: cum[end] − cum[start], all units at once."""
    cum = np.concatenate((np.zeros((1, *values.shape[1:]), dtype=values.dtype), np.cumsum(values, axis=0)))
    return cum[tree.end] - cum[: len(tree)]


def subtree_totals(own: Stats, tree: TreeLayout) -> Stats:
    """Each unit's totals with everything below it (vectorised range sums over the pre-order)."""
    return Stats(*(range_sums(getattr(own, f), tree) for f in _STATS_FIELDS))


@dataclass(frozen=True)
class Summaries:
    """Presentable statistics of G groups: per item and per dimension (NaN where undefined)."""

    items: Summary  # arrays [G, I]
    item_shares: FloatArray  # [G, I, 3] unfavourable, neutral, favourable
    dims: Summary  # arrays [G, D]
    dim_shares: FloatArray  # [G, D, 3]


def summaries(stats: Stats) -> Summaries:
    n, total, total_sq = stats.item_moments()
    item_bands = bucket_bands(stats.item_hist)
    with np.errstate(invalid="ignore", divide="ignore"):
        item_shares = item_bands / np.maximum(item_bands.sum(axis=-1, keepdims=True), 1)
        dim_shares = stats.dim_bands / np.maximum(stats.dim_bands.sum(axis=-1, keepdims=True), 1)
    return Summaries(
        items=summarize(n, total, total_sq),
        item_shares=item_shares,
        dims=summarize(stats.dim_n, stats.dim_sum, stats.dim_sq),
        dim_shares=dim_shares,
    )


# --- A round's results -------------------------------------------------------------------


@dataclass(frozen=True)
class UnitBlock:
    """Every unit of the round's tree: alone ("own") and with everything below it ("subtree")."""

    tree: TreeLayout
    own: Stats
    subtree: Stats
    invited_own: IntArray
    invited_subtree: IntArray
    own_summaries: Summaries
    subtree_summaries: Summaries
    visibility: anonymity.UnitVisibility
    # Per statistic, groups in anonymity.unit_groups order (2i with everything below, 2i+1 alone).
    decision: statistics.StatisticDecision
    # Units whose whole subtree had fewer than k invitations are reported within the nearest
    # ancestor whose subtree had k ("alone" of that unit): DESIGN §3.1, disclosure/pooling.py.
    reported_on: IntArray

    def item_shown(self, index: int, item: int, alone: bool = False) -> bool:
        return bool(self.decision.items[2 * index + int(alone), item])

    def dimension_shown(self, index: int, dimension: int, alone: bool = False) -> bool:
        return bool(self.decision.dimensions[2 * index + int(alone), dimension])


@dataclass(frozen=True)
class EvaluationBlock:
    """360: per evaluation the groups self, others (all but self), manager, peer, employee."""

    evaluation_ids: IntArray
    stats: Stats  # [E * 5] in EVAL_GROUPS order per evaluation
    invited: IntArray  # [E * 5]
    summaries: Summaries
    visibility: anonymity.EvaluationVisibility
    decision: statistics.StatisticDecision  # groups [E * 5] in EVAL_GROUPS order

    def item_shown(self, group: int, item: int) -> bool:
        return bool(self.decision.items[group, item])

    def dimension_shown(self, group: int, dimension: int) -> bool:
        return bool(self.decision.dimensions[group, dimension])

    def index_of(self, evaluation_id: int) -> int | None:
        hits = np.flatnonzero(self.evaluation_ids == evaluation_id)
        return int(hits[0]) if hits.size else None


@dataclass(frozen=True)
class RoundResults:
    round_id: int
    instrument_id: int
    status: str
    k: int
    comment_k: int
    respondents: int
    layout: InstrumentLayout
    units: UnitBlock | None  # None for 360 rounds
    evaluations: EvaluationBlock | None  # None unless a 360 round


@dataclass(frozen=True)
class ResponseData:
    """A round's responses as arrays (what one query returns)."""

    unit_ids: IntArray
    rater_groups: list[str]
    evaluation_ids: IntArray  # −1 where none
    options: npt.NDArray[np.uint8]


def read_responses(round_id: int, item_count: int, per_rater: bool = False) -> ResponseData:
    """ONE query: the round's responses as plain tuples (no model objects, no ids, no dates).

    `per_rater` also reads the rater group and evaluation (360 rounds). Raw SQL with the
    model's own table and column names, so that on SQLite the query can read the table in
    order when the round holds a large share of it: the responses table is clustered by
    its random ids (WITHOUT ROWID, see surveys.models), so reaching half a million rows
    through the (round, unit) index costs one B-tree probe each, about four times the
    cost of reading every row in order.
    """
    meta = Response._meta
    qn = connection.ops.quote_name
    fields = ("unit", "rater_group", "evaluation", "answers") if per_rater else ("unit", "answers")
    columns = ", ".join(qn(_column(f)) for f in fields)
    round_column = qn(_column("round"))
    scan = connection.vendor == "sqlite" and _sqlite_scan_is_cheaper(round_id)
    # "+column" keeps SQLite from using an index for the condition.
    condition = f"+{round_column}" if scan else round_column
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {qn(meta.db_table)} WHERE {condition} = %s", [round_id])
        rows = cursor.fetchall()
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return ResponseData(empty, [], empty.copy(), answers_matrix([], item_count))
    # One list per column (zip(*rows) would unpack half a million arguments: much slower).
    columns_of = [[row[i] for row in rows] for i in range(len(fields))]
    answers = [a if isinstance(a, bytes) else bytes(a) for a in columns_of[-1]]
    if set(map(len, answers)) == {item_count}:
        options = np.frombuffer(b"".join(answers), dtype=np.uint8).reshape(len(answers), item_count)
    else:  # rows from before an item was appended: padded with "not answered"
        options = answers_matrix(answers, item_count)
    unit_ids = np.array(columns_of[0], dtype=np.int64)
    if per_rater:
        groups = list(columns_of[1])
        evaluation_ids = np.array([-1 if e is None else e for e in columns_of[2]], dtype=np.int64)
    else:
        groups, evaluation_ids = [], np.full(len(rows), -1, dtype=np.int64)
    return ResponseData(
        unit_ids=unit_ids, rater_groups=groups, evaluation_ids=evaluation_ids, options=options
    )


def _column(field_name: str) -> str:
    field = Response._meta.get_field(field_name)
    column = getattr(field, "column", None)
    assert isinstance(column, str)
    return column


def _sqlite_scan_is_cheaper(round_id: int) -> bool:
    """Does the round hold at least a quarter of all responses? (Two index-only counts; the
    second stops as soon as it has counted a quarter.)"""
    qn = connection.ops.quote_name
    table = qn(Response._meta.db_table)
    round_column = qn(_column("round"))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        total = int(cursor.fetchone()[0])
        quarter = max(1, (total + 3) // 4)
        cursor.execute(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE {round_column} = %s LIMIT %s) AS sample",
            [round_id, quarter],
        )
        return int(cursor.fetchone()[0]) >= quarter


def _invited_per_unit(round_id: int, tree: TreeLayout) -> IntArray:
    rows = list(
        Invitation.objects.filter(round_id=round_id)
        .values("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    )
    invited = np.zeros(len(tree), dtype=np.int64)
    if rows:
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        idx = tree.indices_of(ids)
        counts = np.array([r[1] for r in rows], dtype=np.int64)
        # Invitations for units outside today's tree count at the root (as their responses do).
        np.add.at(invited, np.where(idx >= 0, idx, 0), counts)
    return invited


def compute_unit_block(
    tree: TreeLayout,
    data: ResponseData,
    layout: InstrumentLayout,
    invited_own: IntArray,
    k: int,
    comment_k: int,
    pool: bool = False,
) -> UnitBlock:
    """Pure numpy: everything about the units, including which statistics may be shown.

    With `pool` (rounds with invitations), a unit whose whole subtree had fewer than k
    invitations is reported within the nearest ancestor whose subtree had k, wherever its
    responses are stored (on the unit itself in rounds from before pooling, on that
    ancestor since): so pooling the storage changes no number anyone sees.
    """
    buckets = score_buckets(data.options, layout.reversed)
    cells = tree.indices_of(data.unit_ids)
    # A response whose unit has left the round's tree since (moved away) still counts in
    # the round's total: it is placed at the root's own group.
    cells = np.where(cells >= 0, cells, 0) if len(tree) else cells
    if pool and len(tree):
        # Respondents as a floor: a unit cannot have answered more than it was invited.
        invited_floor = np.maximum(invited_own, np.bincount(cells, minlength=len(tree)))
        reported_on = response_units(tree.parent, range_sums(invited_floor, tree), k)
        cells = reported_on[cells] if len(cells) else cells
        invited_own = np.bincount(reported_on, weights=invited_own, minlength=len(tree)).astype(np.int64)
    else:
        reported_on = np.arange(len(tree), dtype=np.int64)
    own = aggregate(cells, len(tree), buckets, layout.item_dimension, layout.dimension_count)
    subtree = subtree_totals(own, tree)
    invited_subtree = range_sums(invited_own, tree)
    visibility = anonymity.unit_visibility(
        parent=tree.parent, own_n=own.respondents, subtree_n=subtree.respondents, k=k, comment_k=comment_k
    )
    group_shown = np.empty(2 * len(tree), dtype=bool)
    group_shown[0::2] = visibility.subtree_shown
    group_shown[1::2] = visibility.own_shown
    decision = statistics.unit_statistics(
        parent=tree.parent,
        group_shown=group_shown,
        own_item_n=own.item_hist.sum(axis=2),
        subtree_item_n=subtree.item_hist.sum(axis=2),
        own_dimension_n=own.dim_n,
        subtree_dimension_n=subtree.dim_n,
        item_dimension=layout.item_dimension,
        k=k,
    )
    return UnitBlock(
        tree=tree,
        own=own,
        subtree=subtree,
        invited_own=invited_own,
        invited_subtree=invited_subtree,
        own_summaries=summaries(own),
        subtree_summaries=summaries(subtree),
        visibility=visibility,
        decision=decision,
        reported_on=reported_on,
    )


def compute_evaluation_block(
    evaluation_ids: IntArray,
    data: ResponseData,
    layout: InstrumentLayout,
    invited: IntArray,
    k: int,
    comment_k: int,
) -> EvaluationBlock:
    """Pure numpy: 360 groups per evaluation, including which may be shown."""
    buckets = score_buckets(data.options, layout.reversed)
    eval_index = lookup(evaluation_ids, data.evaluation_ids)
    slots = np.array([_EVAL_SLOT.get(g, -1) for g in data.rater_groups], dtype=np.int64)
    cells = np.where((eval_index >= 0) & (slots >= 0), eval_index * EVAL_GROUP_COUNT + slots, -1)
    count = len(evaluation_ids) * EVAL_GROUP_COUNT
    stats = aggregate(cells, count, buckets, layout.item_dimension, layout.dimension_count)
    # "others" = manager + peer + employee, per evaluation (sums are additive).
    for f in _STATS_FIELDS if len(evaluation_ids) else ():
        per_evaluation = getattr(stats, f).reshape(len(evaluation_ids), EVAL_GROUP_COUNT, -1)
        per_evaluation[:, EVAL_OTHERS] = per_evaluation[:, EVAL_MANAGER:].sum(axis=1)
    invited = invited.reshape(len(evaluation_ids), EVAL_GROUP_COUNT).copy()
    invited[:, EVAL_OTHERS] = invited[:, EVAL_MANAGER:].sum(axis=1)
    invited = invited.reshape(-1)
    visibility = anonymity.evaluation_visibility(
        n=stats.respondents.reshape(-1, EVAL_GROUP_COUNT), k=k, comment_k=comment_k
    )
    decision = statistics.evaluation_statistics(
        group_shown=visibility.shown.reshape(-1),
        item_n=stats.item_hist.sum(axis=2),
        dimension_n=stats.dim_n,
        item_dimension=layout.item_dimension,
        k=k,
    )
    return EvaluationBlock(
        evaluation_ids=evaluation_ids,
        stats=stats,
        invited=invited,
        summaries=summaries(stats),
        visibility=visibility,
        decision=decision,
    )


def _invited_per_evaluation(round_id: int, evaluation_ids: IntArray) -> IntArray:
    invited = np.zeros(len(evaluation_ids) * EVAL_GROUP_COUNT, dtype=np.int64)
    position = {int(e): i for i, e in enumerate(evaluation_ids.tolist())}
    for evaluation_id, group, n in (
        Invitation.objects.filter(round_id=round_id, evaluation__isnull=False)
        .values("evaluation_id", "rater_group")
        .annotate(n=Count("id"))
        .values_list("evaluation_id", "rater_group", "n")
    ):
        slot = _EVAL_SLOT.get(group)
        if slot is not None and evaluation_id in position:
            invited[position[evaluation_id] * EVAL_GROUP_COUNT + slot] += n
    return invited


def frozen_tree_fields(round: Round, tree: TreeLayout) -> dict[str, Any]:
    """A RoundTree row's fields for `tree` and the round's thresholds (read back by _frozen_tree)."""
    return {
        "unit_ids": tree.unit_ids.astype("<i8").tobytes(),
        "parent_index": tree.parent.astype("<i8").tobytes(),
        "k": round.k,
        "comment_k": round.comment_k,
    }


def _frozen_tree(round: Round) -> tuple[TreeLayout, int, int]:
    """The tree and thresholds the round is reported on: the tree as it was when the round
    was launched (frozen then by round_launch; rounds from before that are frozen on their
    first computation). A reorganisation during or after the round changes nothing shown.
    The thresholds are frozen with the tree: a pattern computed with another k, laid over
    the first, could isolate a small group."""
    frozen = RoundTree.objects.filter(round=round).first()
    if frozen is None:
        frozen, _created = RoundTree.objects.get_or_create(
            round=round, defaults=frozen_tree_fields(round, current_tree(round.target_unit))
        )
    ids = np.frombuffer(bytes(frozen.unit_ids), dtype="<i8").astype(np.int64)
    parent = np.frombuffer(bytes(frozen.parent_index), dtype="<i8").astype(np.int64)
    return tree_from_parents(ids, parent), frozen.k, frozen.comment_k


def compute_round_results(round: Round) -> RoundResults:
    """Compute everything about a round afresh (no cache). See the module docstring."""
    layout = instrument_layout(round.instrument_id)
    kind = round.instrument.kind
    data = read_responses(round.pk, layout.item_count, per_rater=kind == InstrumentKind.LEADERSHIP_360)
    tree, k, comment_k = _frozen_tree(round)
    units: UnitBlock | None = None
    evaluations: EvaluationBlock | None = None
    if kind == InstrumentKind.LEADERSHIP_360:
        evaluation_ids = np.array(
            list(round.evaluations.order_by("id").values_list("id", flat=True)), dtype=np.int64
        )
        evaluations = compute_evaluation_block(
            evaluation_ids, data, layout, _invited_per_evaluation(round.pk, evaluation_ids), k, comment_k
        )
    else:
        units = compute_unit_block(
            tree,
            data,
            layout,
            _invited_per_unit(round.pk, tree),
            k,
            comment_k,
            pool=round.mode != Round.Mode.OPEN_LINK,
        )
    return RoundResults(
        round_id=round.pk,
        instrument_id=round.instrument_id,
        status=round.status,
        k=k,
        comment_k=comment_k,
        respondents=len(data.unit_ids),
        layout=layout,
        units=units,
        evaluations=evaluations,
    )


# --- Cache ---------------------------------------------------------------------------------

_memo: OrderedDict[str, RoundResults] = OrderedDict()
_memo_lock = threading.Lock()
MEMO_SIZE = 4
CACHE_SECONDS = 6 * 3600


def live_bucket(now: float | None = None) -> int:
    """While a round runs, its numbers are recomputed at most once per bucket of
    KERNE_LIVE_REFRESH_SECONDS (30 minutes by default): one arrival cannot be timed by
    polling a page (docs/anonymity.md)."""
    seconds = max(1, int(getattr(settings, "KERNE_LIVE_REFRESH_SECONDS", 1800)))
    return int((time.time() if now is None else now) // seconds)


def cache_key(round: Round) -> str:
    """Changes when the round closes, its thresholds change, or (open rounds) the live bucket turns."""
    parts = [f"kerne:results:v{CACHE_VERSION}", str(round.pk), round.created.isoformat(), round.status]
    if round.status == Round.Status.CLOSED:
        # A closed round takes no more responses, and its tree is frozen.
        parts.append("closed")
    else:
        parts.append(f"live{live_bucket()}")
    return ":".join(parts)


def _shared_cache_in_use() -> bool:
    """Django's cache, unless it is the in-process LocMemCache (the memo already is that, unpickled)."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    return not isinstance(caches["default"], LocMemCache)


def round_results(round: Round) -> RoundResults:
    """The round's results for every unit (or 360 evaluation), with the anonymity decisions.

    Cached per round: in process memory (a few rounds) and, when Django's cache is shared
    between processes (Redis, a database cache …), there too.
    """
    key = cache_key(round)
    with _memo_lock:
        hit = _memo.get(key)
        if hit is not None:
            _memo.move_to_end(key)
            return hit
    shared = _shared_cache_in_use()
    results: RoundResults | None = cache.get(key) if shared else None
    if results is None:
        results = compute_round_results(round)
        if shared:
            cache.set(key, results, CACHE_SECONDS)
    with _memo_lock:
        _memo[key] = results
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)
    return results


def clear_memo() -> None:
    """Forget the in-process results (tests; after restoring a database)."""
    with _memo_lock:
        _memo.clear()
