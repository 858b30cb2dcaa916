"""Roll-out coverage, computed with aggregate queries (never a Python loop over the units).

A unit in a roll-out is every active unit in the roll-out's subtree. A unit without a state row
has not started. Coverage = implemented ÷ (units − not relevant); "in motion" adds the units that
are underway. Counts are grouped by depth (level of the tree) and by branch: the units one level
below the subtree's root (the centres, when the roll-out covers the whole organisation).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Substr

from kerne.goals.models import Rollout, RolloutState
from kerne.organisation.models import PATH_SEGMENT_WIDTH, Unit, subtree_upper_bound

State = RolloutState.State
STARTED = (State.UNDERWAY, State.IMPLEMENTED, State.NOT_RELEVANT)


@dataclass
class Counts:
    total: int = 0
    states: dict[str, int] = field(default_factory=dict)

    @property
    def underway(self) -> int:
        return self.states.get(State.UNDERWAY, 0)

    @property
    def implemented(self) -> int:
        return self.states.get(State.IMPLEMENTED, 0)

    @property
    def not_relevant(self) -> int:
        return self.states.get(State.NOT_RELEVANT, 0)

    @property
    def not_started(self) -> int:
        return self.total - self.underway - self.implemented - self.not_relevant

    @property
    def relevant(self) -> int:
        return self.total - self.not_relevant

    @property
    def implemented_pct(self) -> float | None:
        return round(100 * self.implemented / self.relevant, 1) if self.relevant else None

    @property
    def in_motion_pct(self) -> float | None:
        return round(100 * (self.implemented + self.underway) / self.relevant, 1) if self.relevant else None

    def add(self, other: Counts) -> None:
        self.total += other.total
        for key, n in other.states.items():
            self.states[key] = self.states.get(key, 0) + n


def _scope_q(roots: Sequence[Unit], prefix: str = "") -> Q:
    condition = Q(pk__in=[]) if not prefix else Q(**{f"{prefix}pk__in": []})
    for root in roots:
        condition |= Q(
            **{f"{prefix}path__gte": root.path, f"{prefix}path__lt": subtree_upper_bound(root.path)}
        )
    return condition


def _active_q(prefix: str, day: dt.date) -> Q:
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


def scope_units(roots: Sequence[Unit], day: dt.date | None = None) -> QuerySet[Unit]:
    return Unit.objects.filter(_scope_q(roots)).filter(_active_q("", day or dt.date.today()))


def _grouped(
    rollout: Rollout, roots: Sequence[Unit], day: dt.date, key_length: int | None
) -> list[tuple[int, str, str, int]]:
    """(depth, branch key or '', state, units) in ONE query: every active unit in scope with its
    state (a unit without a row has not started), grouped by depth (and by the path prefix that
    names its branch, when `key_length` is given)."""
    state = Coalesce(
        Subquery(RolloutState.objects.filter(rollout=rollout, unit=OuterRef("pk")).values("state")[:1]),
        Value(State.NOT_STARTED),
    )
    units = scope_units(roots, day).order_by().annotate(state_=state)
    if key_length is None:
        return [(d, "", st, n) for d, st, n in units.values_list("depth", "state_").annotate(n=Count("pk"))]
    units = units.annotate(branch=Substr("path", 1, key_length))
    return list(units.values_list("depth", "branch", "state_").annotate(n=Count("pk")))


def _add(counts: Counts, state: str, n: int) -> None:
    counts.total += n
    if state != State.NOT_STARTED:
        counts.states[state] = counts.states.get(state, 0) + n


def by_depth(rollout: Rollout, roots: Sequence[Unit], day: dt.date | None = None) -> list[tuple[int, Counts]]:
    rows: dict[int, Counts] = {}
    for depth, _branch, state, n in _grouped(rollout, roots, day or dt.date.today(), None):
        _add(rows.setdefault(depth, Counts()), state, n)
    return sorted(rows.items())


def total(rows: Sequence[tuple[object, Counts]]) -> Counts:
    out = Counts()
    for _key, counts in rows:
        out.add(counts)
    return out


def summary(
    rollout: Rollout, root: Unit, day: dt.date | None = None
) -> tuple[list[tuple[int, Counts]], list[tuple[Unit, Counts]]]:
    """Coverage per depth and per branch (the units one level below `root`, each with its
    subtree; the root itself left out of the branches) from one grouped query."""
    key_length = (root.depth + 2) * PATH_SEGMENT_WIDTH
    depths: dict[int, Counts] = {}
    branches: dict[str, Counts] = {}
    for depth, branch, state, n in _grouped(rollout, [root], day or dt.date.today(), key_length):
        _add(depths.setdefault(depth, Counts()), state, n)
        if depth > root.depth:
            _add(branches.setdefault(branch, Counts()), state, n)
    units = {u.path: u for u in Unit.objects.filter(path__in=list(branches))}
    return sorted(depths.items()), [(units[k], branches[k]) for k in sorted(branches) if k in units]


def by_branch(rollout: Rollout, root: Unit, day: dt.date | None = None) -> list[tuple[Unit, Counts]]:
    """Counts per unit one level below `root`, each with its whole subtree (root itself left out)."""
    return summary(rollout, root, day)[1]


def not_started(rollout: Rollout, roots: Sequence[Unit], day: dt.date | None = None) -> QuerySet[Unit]:
    """Active units in scope that have not started (no state row, or 'not started')."""
    day = day or dt.date.today()
    started = RolloutState.objects.filter(rollout=rollout, state__in=STARTED).values("unit_id")
    return scope_units(roots, day).exclude(pk__in=started)


def overdue(rollout: Rollout, roots: Sequence[Unit], day: dt.date | None = None) -> QuerySet[Unit]:
    """Units not started although the deadline has passed (none before the deadline)."""
    day = day or dt.date.today()
    if day <= rollout.deadline:
        return Unit.objects.none()
    return not_started(rollout, roots, day)
