"""One disclosure decision per round and per STATISTIC (DESIGN §3.4).

`anonymity.suppress` decides which *groups* may be shown on their respondent counts. But a
page shows many statistics of a group, and each has its own contributors:

- the respondent count and response rate: everyone who answered (the group decision);
- an item's answer count, mean, SD, interval, distribution and shares: those who answered
  that item ("don't know" and skipped answers are missing, so fewer than the respondents);
- a dimension's n, mean, SD, interval and bands: those with a dimension score;
- in 360, the same per rater group and behaviour, with self and manager exempt.

Each statistic is additive over atoms in its own contributors (an item's histogram, sum
and sum of squares; a dimension's). So the proof in `anonymity` applies to each statistic
on its own: for statistic s, the shown groups must leave every residual (a shown group
minus the shown groups maximal below it) at 0 or at least k *contributors to s*.
`decide` runs that rule for all statistics at once, with the group decision as primary
suppression (a statistic is never shown for a group whose respondent count is hidden),
and complementary suppression per statistic exactly as `anonymity.suppress` does it.

A linear attacker is not the only one. Within one group, a dimension score is the mean of
the respondent's answered items, so a dimension's n, sum, sum of squares and bands
together with the group's other items can pin down a hidden item's histogram (a non-linear
recovery). Therefore a dimension is hidden for every group in which one of its items is
hidden while someone in the group answered it; the dimension decision is then made with
those as primary suppressions, so its residuals obey the rule too. The reverse is not
needed: an item's histogram is a marginal that a hidden dimension score does not enter.

Statistics of different kinds are different unknowns: combining them gives no linear
access to a smaller set than either family's residuals. The family of groups shown for
any statistic is a sub-family of the group decision's shown groups, so every residual of
it is a union of the group decision's residuals: ≥ k respondents or none. What remains is
what k-anonymity never covers: a whole shown group of at least k answering alike.

`tests/disclosure/` checks `decide` against `anonymity.suppress` column by column, with
the exact attacker on random trees, and enumerates small groups exhaustively for the
non-linear case.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kerne.disclosure import anonymity

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


def decide(
    n: npt.ArrayLike,
    parent: npt.ArrayLike,
    k: int,
    exempt: npt.ArrayLike | None = None,
    hidden: npt.ArrayLike | None = None,
) -> BoolArray:
    """Which groups may show each statistic: `n` is groups × statistics contributor counts.

    parent[g] is the smallest group strictly containing g (−1 for none) and comes before
    g. exempt[g]: shown whenever it has contributors (360 self and manager), counted in
    its parent's residual. hidden[g, s]: primary suppression from elsewhere (the group's
    respondent count is hidden, or an item of the dimension is). Column by column this is
    `anonymity.suppress` (same choices, same tie-breaks), with the columns processed
    together level by level so that a national round's 50 statistics cost one pass.
    """
    counts = np.asarray(n, dtype=np.int64)
    if counts.ndim != 2:
        raise ValueError("n must be groups × statistics")
    groups, stats = counts.shape
    par = np.asarray(parent, dtype=np.int64)
    ex = np.zeros(groups, dtype=bool) if exempt is None else np.asarray(exempt, dtype=bool)
    forced = np.zeros((groups, stats), dtype=bool) if hidden is None else np.asarray(hidden, dtype=bool)
    if forced.ndim == 1:
        forced = np.repeat(forced[:, None], stats, axis=1)
    if k < 1:
        raise ValueError("k must be at least 1")
    if par.shape != (groups,) or ex.shape != (groups,) or forced.shape != (groups, stats):
        raise ValueError("parent and exempt need one entry per group, hidden one per group and statistic")
    if groups and (np.any(par >= np.arange(groups)) or np.any(par < -1)):
        raise ValueError("every group's parent must come before it (parent[g] < g)")
    if np.any(counts < 0):
        raise ValueError("a group cannot have a negative number of contributors")
    has_parent = par >= 0
    if np.any(counts[has_parent] > counts[par[has_parent]]):
        raise ValueError("a group cannot have more contributors than the group containing it")
    if groups == 0 or stats == 0:
        return np.zeros((groups, stats), dtype=bool)

    depth = _depths(par)
    levels = [np.flatnonzero(depth == d) for d in range(int(depth.max()) + 1)]
    column = np.arange(stats)

    # Nested groups with equal counts hold the same contributors: decided as one chain,
    # represented by its top group (per statistic).
    rep = np.repeat(np.arange(groups, dtype=np.int64)[:, None], stats, axis=1)
    for idx in levels[1:]:
        up = par[idx]
        same = counts[idx] == counts[up]
        rep[idx] = np.where(same, rep[up], idx[:, None])
    rows, cols = np.nonzero(np.broadcast_to(ex[:, None], (groups, stats)))
    chain_exempt = np.zeros((groups, stats), dtype=bool)
    chain_exempt[rep[rows, cols], cols] = True
    # A chain is forced hidden only when all its groups are; members forced hidden are
    # hidden at the end (they show the same contributors as the rest of the chain).
    rows, cols = np.nonzero(~forced)
    chain_free = np.zeros((groups, stats), dtype=bool)
    chain_free[rep[rows, cols], cols] = True

    children: list[list[int]] = [[] for _ in range(groups)]
    for g, p in enumerate(par.tolist()):
        if p >= 0:
            children[p].append(g)

    shown = np.zeros((groups, stats), dtype=bool)
    residual = np.zeros((groups, stats), dtype=np.int64)
    covered = np.zeros((groups, stats), dtype=np.int64)
    for idx in reversed(levels):
        n_g = counts[idx]
        top = rep[idx] == idx[:, None]
        is_ex = chain_exempt[idx]
        visible = top & (n_g > 0) & (is_ex | (n_g >= k)) & chain_free[idx]
        r = n_g - covered[idx]
        for i, s in zip(*np.nonzero(visible & ~is_ex & (r > 0) & (r < k)), strict=True):
            g = int(idx[i])
            keep, r_gs = _complement(
                g, int(s), int(r[i, s]), k, counts, rep, shown, residual, chain_exempt, children
            )
            visible[i, s] = keep
            covered[g, s] -= r_gs - r[i, s]
            r[i, s] = r_gs
        shown[idx] = visible
        residual[idx] = r
        with_parent = par[idx] >= 0
        if with_parent.any():
            members = idx[with_parent]
            up = rep[par[members]]
            passed = np.where(visible[with_parent], n_g[with_parent], covered[members])
            passed = np.where(top[with_parent], passed, 0)
            flat = (up * stats + column).ravel()
            covered += (
                np.bincount(flat, weights=passed.ravel(), minlength=groups * stats)
                .reshape(groups, stats)
                .astype(np.int64)
            )
    return shown[rep, column] & ~forced


def _complement(
    g: int,
    s: int,
    r: int,
    k: int,
    counts: IntArray,
    rep: IntArray,
    shown: BoolArray,
    residual: IntArray,
    chain_exempt: BoolArray,
    children: list[list[int]],
) -> tuple[bool, int]:
    """Complementary suppression for group g and statistic s, whose residual r is 1…k−1:
    hide the cheapest frontier group whose own residual is at least k, as often as needed,
    unless hiding g itself is cheaper. Returns (g stays shown, g's residual)."""
    while 0 < r < k:
        best = -1
        for h in _frontier(g, s, rep, shown, children):
            if chain_exempt[h, s] or residual[h, s] < k:
                continue
            if best < 0 or (counts[h, s], h) < (counts[best, s], best):
                best = h
        if best < 0 or counts[best, s] >= counts[g, s]:
            return False, r
        shown[best, s] = False
        r += int(residual[best, s])
    return True, r


def _frontier(g: int, s: int, rep: IntArray, shown: BoolArray, children: list[list[int]]) -> list[int]:
    """The shown chains maximal below group g for statistic s (their top groups)."""
    own_chain = rep[g, s]
    found = []
    stack = list(children[g])
    while stack:
        x = stack.pop()
        top = rep[x, s]
        if top != own_chain and top == x and shown[x, s]:
            found.append(x)
        else:
            stack.extend(children[x])
    return found


def _depths(parent: IntArray) -> IntArray:
    depth = [0] * len(parent)
    for g, p in enumerate(parent.tolist()):
        if p >= 0:
            depth[g] = depth[p] + 1
    return np.array(depth, dtype=np.int64)


# --- The statistics of a round's groups --------------------------------------------------------


@dataclass(frozen=True)
class StatisticDecision:
    """Per group: its respondent count (the group decision), each item, each dimension."""

    groups: BoolArray  # [G]
    items: BoolArray  # [G, I]
    dimensions: BoolArray  # [G, D]


def decide_statistics(
    *,
    group_shown: BoolArray,
    parent: IntArray,
    item_n: IntArray,
    dimension_n: IntArray,
    item_dimension: IntArray,
    k: int,
    exempt: BoolArray | None = None,
) -> StatisticDecision:
    """Items first (primary: the group is hidden), then dimensions (primary: the group is
    hidden, or one of the dimension's items is hidden where someone answered it)."""
    items = decide(item_n, parent, k, exempt=exempt, hidden=~group_shown)
    dimensions_count = dimension_n.shape[1]
    item_hidden_with_answers = ~items & (item_n > 0)
    dim_forced = np.repeat(~group_shown[:, None], dimensions_count, axis=1)
    for d in range(dimensions_count):
        of_d = np.flatnonzero(item_dimension == d)
        if of_d.size:
            dim_forced[:, d] |= item_hidden_with_answers[:, of_d].any(axis=1)
    dimensions = decide(dimension_n, parent, k, exempt=exempt, hidden=dim_forced)
    return StatisticDecision(groups=group_shown, items=items, dimensions=dimensions)


def unit_statistics(
    parent: npt.ArrayLike,
    group_shown: BoolArray,
    own_item_n: IntArray,
    subtree_item_n: IntArray,
    own_dimension_n: IntArray,
    subtree_dimension_n: IntArray,
    item_dimension: IntArray,
    k: int,
) -> StatisticDecision:
    """The unit tree's groups (anonymity.unit_groups order: 2i with everything below, 2i+1 alone)."""
    units = len(np.asarray(parent))
    _n, group_parent = anonymity.unit_groups(parent, np.zeros(units), np.zeros(units))
    return decide_statistics(
        group_shown=group_shown,
        parent=group_parent,
        item_n=_interleave(subtree_item_n, own_item_n),
        dimension_n=_interleave(subtree_dimension_n, own_dimension_n),
        item_dimension=item_dimension,
        k=k,
    )


def evaluation_statistics(
    group_shown: BoolArray, item_n: IntArray, dimension_n: IntArray, item_dimension: IntArray, k: int
) -> StatisticDecision:
    """360: per evaluation the five groups in anonymity's order; self and manager exempt."""
    _counts, group_parent, exempt = anonymity.evaluation_groups(np.zeros(len(group_shown), dtype=np.int64))
    return decide_statistics(
        group_shown=group_shown,
        parent=group_parent,
        item_n=item_n,
        dimension_n=dimension_n,
        item_dimension=item_dimension,
        k=k,
        exempt=exempt,
    )


def _interleave(subtree: IntArray, own: IntArray) -> IntArray:
    out = np.empty((2 * subtree.shape[0], *subtree.shape[1:]), dtype=np.int64)
    out[0::2] = subtree
    out[1::2] = own
    return out
