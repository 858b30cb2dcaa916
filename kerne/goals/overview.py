"""The goal tree as a user sees it: vision → effect goals → unit goals → indicators with status.

Built from selectors (who sees what) and series (values and status) in a fixed number of
queries, whatever the size of the tree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch

from kerne.accounts.roles import AnyUser
from kerne.goals import selectors
from kerne.goals.models import EffectGoal, GoalLink, Indicator, UnitGoal, Vision
from kerne.goals.series import IndicatorStatus, statuses_for
from kerne.goals.status import STATUS_LABELS, Status, worst
from kerne.organisation.models import Unit


@dataclass
class IndicatorRow:
    indicator: Indicator
    unit: Unit
    status: IndicatorStatus


@dataclass
class UnitGoalNode:
    goal: UnitGoal
    indicators: list[IndicatorRow] = field(default_factory=list)

    @property
    def status(self) -> Status:
        return worst([row.status.status for row in self.indicators])

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


@dataclass
class EffectGoalNode:
    goal: EffectGoal
    indicators: list[IndicatorRow] = field(default_factory=list)
    unit_goals: list[UnitGoalNode] = field(default_factory=list)

    @property
    def status(self) -> Status:
        return worst([row.status.status for row in self.indicators])

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


@dataclass
class VisionNode:
    vision: Vision
    effect_goals: list[EffectGoalNode] = field(default_factory=list)


@dataclass
class GoalTree:
    visions: list[VisionNode]
    unlinked: list[UnitGoalNode]
    within: Unit | None


def _unit_goals(user: AnyUser, within: Unit | None) -> list[UnitGoal]:
    goals = selectors.unit_goals(user)
    if within is not None:
        goals = goals.filter(
            selectors.GoalScope(
                (within.path,),
                frozenset(within.ancestor_ids()),
            ).q("unit")
        )
    open_links = Prefetch(
        "links",
        queryset=GoalLink.objects.filter(valid_to__isnull=True).order_by("pk"),
        to_attr="open_links",
    )
    return list(goals.prefetch_related(open_links, "indicators").order_by("unit__path", "pk"))


def goal_tree(user: AnyUser, within: Unit | None = None, as_of: dt.date | None = None) -> GoalTree:
    effect_goals = list(
        selectors.effect_goals(user)
        .prefetch_related("indicators", "principles", "themes")
        .order_by("order", "pk")
    )
    unit_goals = _unit_goals(user, within)
    pairs: list[tuple[Indicator, Unit]] = []
    for eg in effect_goals:
        pairs += [(i, eg.owner_unit) for i in eg.indicators.all()]
    for ug in unit_goals:
        pairs += [(i, ug.unit) for i in ug.indicators.all()]
    statuses = statuses_for(pairs, as_of, user)

    def rows(indicators: list[Indicator], unit: Unit) -> list[IndicatorRow]:
        return [IndicatorRow(i, unit, statuses[(i.pk, unit.pk)]) for i in indicators]

    eg_nodes = {
        eg.pk: EffectGoalNode(eg, rows(list(eg.indicators.all()), eg.owner_unit)) for eg in effect_goals
    }
    unlinked: list[UnitGoalNode] = []
    for ug in unit_goals:
        node = UnitGoalNode(ug, rows(list(ug.indicators.all()), ug.unit))
        targets = [eg_nodes[link.effect_goal_id] for link in ug.open_links if link.effect_goal_id in eg_nodes]  # type: ignore[attr-defined]
        for target in targets:
            target.unit_goals.append(node)
        if not targets:
            unlinked.append(node)
    vision_nodes: dict[int, VisionNode] = {}
    for vision in selectors.visions(user).filter(active=True):
        vision_nodes[vision.pk] = VisionNode(vision)
    for eg in effect_goals:
        if eg.vision_id not in vision_nodes:
            vision_nodes[eg.vision_id] = VisionNode(eg.vision)
        vision_nodes[eg.vision_id].effect_goals.append(eg_nodes[eg.pk])
    return GoalTree(list(vision_nodes.values()), unlinked, within)


def goal_owner_units(user: AnyUser, limit: int = 300) -> list[Unit]:
    """Units that own visible unit goals: the choices of the tree's subtree filter."""
    unit_ids = selectors.unit_goals(user).order_by().values_list("unit_id", flat=True).distinct()[:limit]
    return list(Unit.objects.filter(pk__in=list(unit_ids)).order_by("path"))
