"""Who sees and edits which goals, indicators, measurements and roll-outs.

The rules (issue "governance that follows effect", DESIGN §3 access):

- Everyone logged in sees the goals of the units *above* them in the governance chain (their
  units' ancestors: so each workplace sees what it contributes to) and of their own subtree
  (the units they lead or work in, and everything below). Nothing beside.
- HR, the executive board and administrators see everything.
- Leaders edit goals, indicators and roll-out states for the units they lead and everything
  below them (`organisation.selectors.can_lead_unit`, which lets HR, the executive board and
  administrators edit them for every unit too).
- HR and the executive board (and administrators) edit the vision, strategic effect goals and
  roll-outs.
- Measurements and status overrides (issue 10, point 8: decided for what serves the users, and
  checked by the role × URL matrix in tests/goals/access.py):
  - **recording measurements** (page, import, API): the leaders of the unit or of a unit above it
    (the governance chain), and HR/organisation consultants (and administrators) for every unit:
    HR keep the figures the municipality holds centrally (sickness absence, staff turnover, from
    the HR and payroll systems) and import them for all units at once, so no leader retypes them.
    The executive board as a group does not: its directors record values through their own
    leader engagements (a director leading the top unit may record for every unit below it);
    membership of the group alone gives no right to write a unit's figures.
  - **overriding a status**: only the leaders of the unit or of a unit above it. An override is a
    leader's accountable judgement, shown to everyone in place of the computed status; HR are staff,
    not line, and the executive board, administrators included, override only through a leader
    engagement in the chain, never by their group.

Views and the API never filter goal data with `Model.objects` themselves; they ask here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from kerne.accounts.roles import AnyUser, is_executive, is_hr, sees_whole_tree
from kerne.goals.models import (
    EffectGoal,
    Indicator,
    Intervention,
    Rollout,
    RolloutState,
    UnitGoal,
    Vision,
)
from kerne.organisation import selectors as org
from kerne.organisation.models import Unit, UnitQuerySet, subtree_upper_bound


@dataclass(frozen=True)
class GoalScope:
    """The part of the tree whose goals a user sees: whole subtrees plus single ancestor units."""

    roots: tuple[str, ...]  # paths of subtrees seen whole
    ancestor_ids: frozenset[int]  # units above the user, seen one by one

    def q(self, field: str = "unit") -> Q:
        """Condition on a foreign key to Unit named `field` ('' for Unit itself)."""
        prefix = f"{field}__" if field else ""
        condition = Q(**{f"{prefix}pk__in": list(self.ancestor_ids)})
        for root in self.roots:
            condition |= Q(**{f"{prefix}path__gte": root, f"{prefix}path__lt": subtree_upper_bound(root)})
        return condition

    def contains(self, unit: Unit) -> bool:
        return unit.pk in self.ancestor_ids or any(unit.path.startswith(r) for r in self.roots)


def goal_scope(user: AnyUser) -> GoalScope | None:
    """None = the whole tree. Cached on the user object for the request."""
    if not user.is_authenticated:
        return GoalScope((), frozenset())
    if sees_whole_tree(user):
        return None
    cached = getattr(user, "_kerne_goal_scope", None)
    if cached is not None:
        return cached
    units = {u.pk: u for u in [*org.led_units(user), *org.own_units(user)]}
    roots: list[str] = []
    for path in sorted(u.path for u in units.values()):
        if not (roots and path.startswith(roots[-1])):
            roots.append(path)
    ancestors = frozenset(pk for u in units.values() for pk in u.ancestor_ids())
    scope = GoalScope(tuple(roots), ancestors)
    setattr(user, "_kerne_goal_scope", scope)  # noqa: B010 - per-request cache
    return scope


def _filter(user: AnyUser, queryset: QuerySet[Any], field: str) -> QuerySet[Any]:
    if not user.is_authenticated:
        return queryset.none()
    scope = goal_scope(user)
    return queryset if scope is None else queryset.filter(scope.q(field))


def can_see_goals_of(user: AnyUser, unit: Unit) -> bool:
    if not user.is_authenticated:
        return False
    scope = goal_scope(user)
    return scope is None or scope.contains(unit)


def goal_units(user: AnyUser) -> UnitQuerySet:
    """Units whose goals the user sees."""
    return _filter(user, Unit.objects.all(), "")  # type: ignore[return-value]


def goal_unit_or_404(user: AnyUser, pk: int | str | None) -> Unit:
    unit = Unit.objects.filter(pk=pk).first() if pk and str(pk).isdigit() else None
    if unit is None or not can_see_goals_of(user, unit):
        raise Http404
    return unit


# --- editing rights -----------------------------------------------------------------------------


def can_edit_strategy(user: AnyUser) -> bool:
    """Vision, strategic effect goals and roll-outs: HR, the executive board, administrators."""
    return bool(user.is_authenticated and (is_hr(user) or is_executive(user)))


def can_edit_unit(user: AnyUser, unit: Unit) -> bool:
    """Unit goals, indicators and roll-out states of a unit (measurements and overrides: below)."""
    return bool(user.is_authenticated and org.can_lead_unit(user, unit))


def _leads_in_chain(user: AnyUser, unit: Unit) -> bool:
    """The user leads `unit` or a unit above it (an active leader engagement), whatever their groups.

    Cached on the user object for the request."""
    if not user.is_authenticated:
        return False
    paths: tuple[str, ...] | None = getattr(user, "_kerne_led_paths", None)
    if paths is None:
        paths = tuple(u.path for u in org.led_units(user))
        setattr(user, "_kerne_led_paths", paths)  # noqa: B010 - per-request cache
    return any(unit.path.startswith(path) for path in paths)


def can_record_measurements(user: AnyUser, unit: Unit) -> bool:
    """Measurements of a unit (page, import, API): its leaders up the chain, and HR for every unit."""
    return bool(user.is_authenticated and (is_hr(user) or _leads_in_chain(user, unit)))


def can_override_status(user: AnyUser, unit: Unit) -> bool:
    """A status override for a unit: only its leaders up the chain (see the module docstring)."""
    return _leads_in_chain(user, unit)


def measurement_units(user: AnyUser) -> UnitQuerySet:
    """Units the user may record measurements for (can_record_measurements as a queryset)."""
    if not user.is_authenticated:
        return Unit.objects.none()
    if is_hr(user):
        return Unit.objects.all()
    condition = Q(pk__in=[])
    for unit in org.led_units(user):
        condition |= Q(path__gte=unit.path, path__lt=subtree_upper_bound(unit.path))
    return Unit.objects.filter(condition)


def can_edit_intervention(user: AnyUser, intervention: Intervention) -> bool:
    return can_edit_strategy(user) or can_edit_unit(user, intervention.owner_unit)


def can_edit_indicator(user: AnyUser, indicator: Indicator) -> bool:
    return can_edit_strategy(user) or can_edit_unit(user, indicator.owner_unit)


def editable_units(user: AnyUser) -> UnitQuerySet:
    """Units whose goals, measurements and roll-out states the user may edit."""
    if not user.is_authenticated:
        return Unit.objects.none()
    roots = org.visible_root_paths(user)
    if roots is None:
        return Unit.objects.all()
    condition = Q(pk__in=[])
    for root in roots:
        condition |= Q(path__gte=root, path__lt=subtree_upper_bound(root))
    return Unit.objects.filter(condition)


def led_units(user: AnyUser) -> list[Unit]:
    return org.led_units(user)


# --- reading --------------------------------------------------------------------------------------


def visions(user: AnyUser) -> QuerySet[Vision]:
    if not user.is_authenticated:
        return Vision.objects.none()
    return Vision.objects.prefetch_related("themes")


def effect_goals(user: AnyUser) -> QuerySet[EffectGoal]:
    return _filter(user, EffectGoal.objects.select_related("owner_unit", "vision"), "owner_unit")


def effect_goal_or_404(user: AnyUser, pk: int) -> EffectGoal:
    goal = effect_goals(user).filter(pk=pk).first()
    if goal is None:
        raise Http404
    return goal


def unit_goals(user: AnyUser, within: Unit | None = None) -> QuerySet[UnitGoal]:
    goals = _filter(user, UnitGoal.objects.select_related("unit"), "unit")
    if within is not None:
        goals = goals.filter(unit__path__gte=within.path, unit__path__lt=subtree_upper_bound(within.path))
    return goals


def unit_goal_or_404(user: AnyUser, pk: int) -> UnitGoal:
    goal = unit_goals(user).filter(pk=pk).first()
    if goal is None:
        raise Http404
    return goal


def interventions(user: AnyUser) -> QuerySet[Intervention]:
    return _filter(user, Intervention.objects.select_related("owner_unit"), "owner_unit")


def intervention_or_404(user: AnyUser, pk: int) -> Intervention:
    intervention = interventions(user).filter(pk=pk).first()
    if intervention is None:
        raise Http404
    return intervention


def indicators(user: AnyUser) -> QuerySet[Indicator]:
    """Indicators owned by a unit the user sees goals of, or measuring a goal they see."""
    if not user.is_authenticated:
        return Indicator.objects.none()
    scope = goal_scope(user)
    base = Indicator.objects.select_related("owner_unit")
    if scope is None:
        return base
    return base.filter(
        scope.q("owner_unit") | Q(unit_goals__in=unit_goals(user)) | Q(effect_goals__in=effect_goals(user))
    ).distinct()


def indicator_or_404(user: AnyUser, pk: int) -> Indicator:
    indicator = indicators(user).filter(pk=pk).first()
    if indicator is None:
        raise Http404
    return indicator


def rollouts(user: AnyUser) -> QuerySet[Rollout]:
    """Roll-outs that reach the user: rooted above or at their units, or inside their subtree."""
    return _filter(user, Rollout.objects.select_related("root_unit", "intervention"), "root_unit")


def rollout_or_404(user: AnyUser, pk: int) -> Rollout:
    rollout = rollouts(user).filter(pk=pk).first()
    if rollout is None:
        raise Http404
    return rollout


def rollout_scope(user: AnyUser, rollout: Rollout) -> list[Unit]:
    """The subtrees of a roll-out whose coverage the user sees (their roots).

    Whole-tree users: the roll-out's root. Others: the roll-out root if it lies inside their own
    subtree, else their own units (led or worked in) that lie inside the roll-out.
    """
    if not user.is_authenticated:
        return []
    scope = goal_scope(user)
    root = rollout.root_unit
    if scope is None or any(root.path.startswith(r) for r in scope.roots):
        return [root]
    mine = {u.pk: u for u in [*org.led_units(user), *org.own_units(user)] if u.is_within(root)}
    tops: list[Unit] = []
    for unit in sorted(mine.values(), key=lambda u: u.path):
        if not (tops and unit.is_within(tops[-1])):
            tops.append(unit)
    return tops


def rollout_unit_or_404(user: AnyUser, rollout: Rollout, unit_pk: int) -> Unit:
    """A unit of the roll-out whose state the user may see."""
    unit = Unit.objects.filter(pk=unit_pk).first()
    if unit is None or not any(unit.is_within(top) for top in rollout_scope(user, rollout)):
        raise Http404
    return unit


def rollout_state_of(rollout: Rollout, unit: Unit) -> RolloutState | None:
    return RolloutState.objects.filter(rollout=rollout, unit=unit).select_related("updated_by").first()
