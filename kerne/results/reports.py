"""What a page, an export or the API shows: plain data built from `RoundResults`.

Every builder here reads the disclosure decisions stored in `RoundResults` — one per
round, group and statistic, made by kerne.disclosure (`statistics.decide`) — and returns
`None` in place of any number that may not be shown; nothing here decides visibility on
its own.

Access (who may see which unit, 360 evaluation or round) is checked by selectors.py before
a builder is called. The builders know nothing about users.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kerne.results.rollup import (
    EVAL_EMPLOYEE,
    EVAL_GROUPS,
    EVAL_MANAGER,
    EVAL_OTHERS,
    EVAL_PEER,
    EVAL_SELF,
    EvaluationBlock,
    RoundResults,
    Summaries,
    UnitBlock,
)
from kerne.results.scoring import change


def _num(value: Any) -> float | None:
    v = float(value)
    return None if math.isnan(v) else v


@dataclass(frozen=True)
class Stat:
    """One group's statistics for one item or dimension; `shown` False means every number is None."""

    shown: bool
    n: int | None = None
    mean: float | None = None
    sd: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    shares: tuple[float, float, float] | None = None  # unfavourable, neutral, favourable (0…1)
    distribution: tuple[float, ...] | None = None  # items: share answering each score 0, 25, 50, 75, 100

    @property
    def percent(self) -> tuple[int, int, int] | None:
        if self.shares is None:
            return None
        return tuple(round(100 * s) for s in self.shares)  # type: ignore[return-value]


HIDDEN = Stat(shown=False)


def item_stat(summ: Summaries, hist: np.ndarray[Any, Any], group: int, item: int, shown: bool) -> Stat:
    """An item's statistics for a group; `shown` is the round's decision for this group and item."""
    n = int(summ.items.n[group, item])
    if not shown or n == 0:
        return HIDDEN
    counts = hist[group, item]
    return Stat(
        shown=True,
        n=n,
        mean=_num(summ.items.mean[group, item]),
        sd=_num(summ.items.sd[group, item]),
        ci_low=_num(summ.items.ci_low[group, item]),
        ci_high=_num(summ.items.ci_high[group, item]),
        shares=tuple(float(x) for x in summ.item_shares[group, item]),  # type: ignore[arg-type]
        distribution=tuple(float(c) / n for c in counts),
    )


def dimension_stat(summ: Summaries, group: int, dim: int, shown: bool) -> Stat:
    """A dimension's statistics for a group; `shown` is the round's decision for this group and dimension."""
    n = int(summ.dims.n[group, dim])
    if not shown or n == 0:
        return HIDDEN
    return Stat(
        shown=True,
        n=n,
        mean=_num(summ.dims.mean[group, dim]),
        sd=_num(summ.dims.sd[group, dim]),
        ci_low=_num(summ.dims.ci_low[group, dim]),
        ci_high=_num(summ.dims.ci_high[group, dim]),
        shares=tuple(float(x) for x in summ.dim_shares[group, dim]),  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class Comparison:
    kind: str  # "parent" | "organisation" | "previous"
    label: str
    mean: float
    delta: float  # this group's mean minus the comparison's
    change: int  # +1 better, −1 worse, 0 not a change (|Δ| ≤ 5)


@dataclass(frozen=True)
class ItemResult:
    key: str
    text: str
    reversed: bool
    stat: Stat
    alone: Stat | None
    comparisons: list[Comparison]


@dataclass(frozen=True)
class DimensionResult:
    key: str
    name: str
    stat: Stat
    alone: Stat | None
    comparisons: list[Comparison]
    items: list[ItemResult]


@dataclass(frozen=True)
class GroupCount:
    """Respondents and response rate of a group; None when the group's numbers are hidden."""

    shown: bool
    respondents: int | None
    invited: int | None
    rate: float | None

    @property
    def percent(self) -> int | None:
        return None if self.rate is None else round(100 * self.rate)


def group_count(respondents: int, invited: int, shown: bool) -> GroupCount:
    if not shown:
        return GroupCount(False, None, invited or None, None)
    return GroupCount(True, respondents, invited or None, respondents / invited if invited else None)


@dataclass(frozen=True)
class ComparisonSource:
    """Another group to compare with: a round's results and the unit index in it."""

    kind: str
    label: str
    results: RoundResults
    index: int


@dataclass(frozen=True)
class SubUnit:
    unit_id: int
    name: str
    respondents: int | None  # None when hidden
    may_open: bool  # the viewer may open its report


@dataclass(frozen=True)
class CommentItem:
    question: str
    text: str


@dataclass
class UnitReport:
    """A unit's report for one round, already suppressed and cut to what the viewer may see."""

    round_id: int
    round_name: str
    unit_id: int
    unit_name: str
    k: int
    numbers: bool  # False while the round is open: only counts are shown then
    released: bool
    total: GroupCount  # the unit with everything below it
    alone: GroupCount | None  # the unit on its own (only when it has sub-units)
    dimensions: list[DimensionResult] = field(default_factory=list)
    comparison_labels: list[tuple[str, str]] = field(default_factory=list)  # (kind, label)
    comments: list[CommentItem] = field(default_factory=list)
    comments_hidden: bool = False  # comments exist but may not be shown
    sub_units: list[SubUnit] = field(default_factory=list)
    hidden_numbers: bool = False  # some number on the page is hidden to protect anonymity

    def dimension(self, key: str) -> DimensionResult:
        return next(d for d in self.dimensions if d.key == key)


def _compare(kind: str, label: str, mine: Stat, other: Stat) -> Comparison | None:
    if mine.mean is None or other.mean is None:
        return None
    return Comparison(kind, label, other.mean, mine.mean - other.mean, change(mine.mean, other.mean))


def build_unit_report(
    results: RoundResults,
    index: int,
    *,
    round_name: str,
    unit_name: str,
    released: bool,
    labels: Labels,
    comparisons: list[ComparisonSource],
    numbers: bool,
) -> UnitReport:
    block = results.units
    assert block is not None
    vis = block.visibility
    k = results.k
    has_children = int(block.tree.end[index]) > index + 1
    total_shown = bool(vis.subtree_shown[index])
    alone_shown = bool(vis.own_shown[index])
    report = UnitReport(
        round_id=results.round_id,
        round_name=round_name,
        unit_id=int(block.tree.unit_ids[index]),
        unit_name=unit_name,
        k=k,
        numbers=numbers,
        released=released,
        total=group_count(
            int(block.subtree.respondents[index]), int(block.invited_subtree[index]), total_shown
        ),
        alone=group_count(int(block.own.respondents[index]), int(block.invited_own[index]), alone_shown)
        if has_children
        else None,
        comparison_labels=[(c.kind, c.label) for c in comparisons],
    )
    report.hidden_numbers = not total_shown or (has_children and not alone_shown)
    if not numbers:
        return report
    layout = results.layout
    others = [(c, _dimension_index(c.results), _item_index(c.results)) for c in comparisons]
    for d, key in enumerate(layout.dimension_keys):
        stat = dimension_stat(block.subtree_summaries, index, d, block.dimension_shown(index, d))
        alone = (
            dimension_stat(block.own_summaries, index, d, block.dimension_shown(index, d, alone=True))
            if has_children
            else None
        )
        dim_comparisons = []
        for source, dims, _items in others:
            other_d = dims.get(key)
            other_block = source.results.units
            if other_d is None or other_block is None:
                continue
            other_stat = dimension_stat(
                other_block.subtree_summaries,
                source.index,
                other_d,
                other_block.dimension_shown(source.index, other_d),
            )
            comparison = _compare(source.kind, source.label, stat, other_stat)
            if comparison:
                dim_comparisons.append(comparison)
        items = []
        for i in layout.items_of(d):
            item_key = layout.item_keys[i]
            istat = item_stat(
                block.subtree_summaries, block.subtree.item_hist, index, i, block.item_shown(index, i)
            )
            ialone = (
                item_stat(
                    block.own_summaries, block.own.item_hist, index, i, block.item_shown(index, i, alone=True)
                )
                if has_children
                else None
            )
            item_comparisons = []
            for source, _dims, item_positions in others:
                other_i = item_positions.get(item_key)
                other_block = source.results.units
                if other_i is None or other_block is None:
                    continue
                other_stat = item_stat(
                    other_block.subtree_summaries,
                    other_block.subtree.item_hist,
                    source.index,
                    other_i,
                    other_block.item_shown(source.index, other_i),
                )
                comparison = _compare(source.kind, source.label, istat, other_stat)
                if comparison:
                    item_comparisons.append(comparison)
            item_label = labels.items.get(item_key)
            items.append(
                ItemResult(
                    key=item_key,
                    text=item_label[0] if item_label else item_key,
                    reversed=bool(layout.reversed[i]),
                    stat=istat,
                    alone=ialone,
                    comparisons=item_comparisons,
                )
            )
        report.dimensions.append(
            DimensionResult(
                key=key,
                name=labels.dimensions.get(key, key),
                stat=stat,
                alone=alone,
                comparisons=dim_comparisons,
                items=items,
            )
        )
    stats = [s for d in report.dimensions for s in (d.stat, d.alone, *(i.stat for i in d.items))]
    stats += [i.alone for d in report.dimensions for i in d.items]
    report.hidden_numbers = report.hidden_numbers or any(s is not None and not s.shown for s in stats)
    return report


@dataclass(frozen=True)
class Labels:
    """Names in the active language: dimension key → name, item key → (text, reversed)."""

    dimensions: dict[str, str]
    items: dict[str, tuple[str, bool]]


def _dimension_index(results: RoundResults) -> dict[str, int]:
    return {key: d for d, key in enumerate(results.layout.dimension_keys)}


def _item_index(results: RoundResults) -> dict[str, int]:
    return {key: i for i, key in enumerate(results.layout.item_keys) if key}


# --- Heatmap -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeatmapRow:
    unit_id: int
    name: str
    depth: int  # below the heatmap's root
    respondents: int | None
    cells: list[float | None]  # per dimension; None = hidden
    may_open: bool


@dataclass
class Heatmap:
    round_id: int
    root_unit_id: int
    k: int
    dimensions: list[tuple[str, str]]  # (key, name)
    rows: list[HeatmapRow]
    numbers: bool


def heatmap_rows(
    block: UnitBlock, indices: list[int], names: dict[int, str], root_depth: int, openable: set[int]
) -> list[HeatmapRow]:
    rows = []
    summ = block.subtree_summaries
    for index in indices:
        shown = bool(block.visibility.subtree_shown[index])
        cells: list[float | None] = []
        for d in range(summ.dims.n.shape[1]):
            cells.append(_num(summ.dims.mean[index, d]) if block.dimension_shown(index, d) else None)
        unit_id = int(block.tree.unit_ids[index])
        rows.append(
            HeatmapRow(
                unit_id=unit_id,
                name=names.get(unit_id, str(unit_id)),
                depth=int(block.tree.depth[index]) - root_depth,
                respondents=int(block.subtree.respondents[index]) if shown else None,
                cells=cells,
                may_open=unit_id in openable,
            )
        )
    return rows


# --- 360 -----------------------------------------------------------------------------------

GROUP_ORDER = (EVAL_SELF, EVAL_MANAGER, EVAL_PEER, EVAL_EMPLOYEE, EVAL_OTHERS)
ANONYMOUS_GROUPS = {EVAL_PEER, EVAL_EMPLOYEE, EVAL_OTHERS}


@dataclass(frozen=True)
class RaterGroupCount:
    key: str  # self | manager | peer | employee | others
    label: str
    invited: int
    respondents: int | None
    shown: bool
    anonymous: bool  # False for the leader themself and the manager group (DESIGN §3.6)


@dataclass(frozen=True)
class BehaviourResult:
    key: str
    name: str
    self_score: float | None
    others: Stat
    groups: dict[str, Stat]  # by rater group key
    gap: float | None  # others − self
    items: list[tuple[str, float | None, Stat]]  # (text, self score, others)


@dataclass
class EvaluationReport:
    evaluation_id: int
    leader_name: str
    unit_name: str
    round_name: str
    k: int
    numbers: bool
    groups: list[RaterGroupCount]
    behaviours: list[BehaviourResult] = field(default_factory=list)
    comments: list[tuple[str, str]] = field(default_factory=list)  # (rater group label, text)
    hidden_numbers: bool = False

    @property
    def gaps(self) -> list[BehaviourResult]:
        """Behaviours by the size of the gap between self and others, biggest first."""
        with_gap = [b for b in self.behaviours if b.gap is not None]
        return sorted(with_gap, key=lambda b: -abs(b.gap or 0.0))

    @property
    def strengths(self) -> list[BehaviourResult]:
        """Behaviours by the others' score, highest first."""
        scored = [b for b in self.behaviours if b.others.mean is not None]
        return sorted(scored, key=lambda b: -(b.others.mean or 0.0))


def build_evaluation_report(
    results: RoundResults,
    position: int,
    *,
    leader_name: str,
    unit_name: str,
    round_name: str,
    labels: Labels,
    group_labels: dict[str, str],
    numbers: bool,
) -> EvaluationReport:
    block: EvaluationBlock | None = results.evaluations
    assert block is not None
    k = results.k
    base = position * len(EVAL_GROUPS)
    shown = block.visibility.shown[position]
    groups = []
    for g in GROUP_ORDER:
        n = int(block.stats.respondents[base + g])
        key = EVAL_GROUPS[g]
        groups.append(
            RaterGroupCount(
                key=key,
                label=group_labels.get(key, key),
                invited=int(block.invited[base + g]),
                respondents=n if shown[g] else None,
                shown=bool(shown[g]),
                anonymous=g in ANONYMOUS_GROUPS,
            )
        )
    report = EvaluationReport(
        evaluation_id=int(block.evaluation_ids[position]),
        leader_name=leader_name,
        unit_name=unit_name,
        round_name=round_name,
        k=k,
        numbers=numbers,
        groups=groups,
    )
    report.hidden_numbers = any(
        not shown[g] and (int(block.stats.respondents[base + g]) > 0 or int(block.invited[base + g]) > 0)
        for g in ANONYMOUS_GROUPS
    )
    if not numbers:
        return report
    layout = results.layout
    summ = block.summaries

    # The leader's own and the manager's answers are shown as they are (DESIGN §3.6); the
    # decision counts them in every residual.
    for d, key in enumerate(layout.dimension_keys):
        by_group = {
            EVAL_GROUPS[g]: dimension_stat(summ, base + g, d, block.dimension_shown(base + g, d))
            for g in GROUP_ORDER
        }
        self_stat = by_group["self"]
        others = by_group["others"]
        gap = None
        if self_stat.mean is not None and others.mean is not None:
            gap = others.mean - self_stat.mean
        items = []
        for i in layout.items_of(d):
            item_key = layout.item_keys[i]
            self_item = item_stat(
                summ, block.stats.item_hist, base + EVAL_SELF, i, block.item_shown(base + EVAL_SELF, i)
            )
            others_item = item_stat(
                summ, block.stats.item_hist, base + EVAL_OTHERS, i, block.item_shown(base + EVAL_OTHERS, i)
            )
            label = labels.items.get(item_key)
            items.append((label[0] if label else item_key, self_item.mean, others_item))
        report.behaviours.append(
            BehaviourResult(
                key=key,
                name=labels.dimensions.get(key, key),
                self_score=self_stat.mean,
                others=others,
                groups=by_group,
                gap=gap,
                items=items,
            )
        )
    return report
