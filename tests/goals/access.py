"""Role × URL matrix for the goals pages (see tests/access.py for the world).

Above the user in the chain is visible, their own subtree is visible, beside is not (404);
editing needs leadership of the unit (or HR / the executive board for strategy).

Measurements and status overrides (issue 10, point 8; kerne/goals/selectors.py says why):
recording measurements is for the leaders up the chain and for HR (and administrators) everywhere,
not for the executive board's group as such; overriding a status is for the leaders up the chain
only (not HR, not the executive board's group, not administrators). In this world the executive
board's user has no leader engagement, so it is refused both.
"""

from __future__ import annotations

from tests.access import DENIED, NOT_ALLOWED, OK, Case, World, logged_in, whole_tree_only
from tests.goals.helpers import (
    make_effect_goal,
    make_indicator,
    make_intervention,
    make_rollout,
    make_unit_goal,
    make_vision,
)


def _leader_of_a() -> dict[str, str]:
    """Only the leader of centre A (and whole-tree roles) – employees and leaders beside are refused."""
    return {**whole_tree_only(), "leader": OK}


def _seen_from_a() -> dict[str, str]:
    """Seen by the employee in A1 and the leader of A; not by the leader beside (centre B)."""
    return {**whole_tree_only(), "employee": OK, "leader": OK}


def _any_leader() -> dict[str, str]:
    return {**whole_tree_only(), "leader": OK, "other_leader": OK}


def _records_for_a() -> dict[str, str]:
    """Recording measurements in centre A's subtree: its leader, HR and administrators."""
    return {**logged_in(DENIED), "leader": OK, "hr": OK, "admin": OK}


def _records_anywhere() -> dict[str, str]:
    """The import page: any leader (for their subtree), HR and administrators (every unit)."""
    return {**logged_in(DENIED), "leader": OK, "other_leader": OK, "hr": OK, "admin": OK}


def _chain_leaders_of_a() -> dict[str, str]:
    """Overriding a status in centre A's subtree: its leader only, whatever the others' groups."""
    return {**logged_in(DENIED), "leader": OK}


def _unit_goal(w: World) -> dict[str, int]:
    return {"pk": make_unit_goal(w.dept_a1).pk}


def _indicator(w: World) -> dict[str, int]:
    return {"pk": make_indicator(w.dept_a1).pk}


def _intervention(w: World) -> dict[str, int]:
    return {"pk": make_intervention(w.team_a1x).pk}


def _rollout(w: World) -> dict[str, int]:
    return {"pk": make_rollout(w.centre_a).pk}


def _rollout_unit(w: World) -> dict[str, int]:
    return {"pk": make_rollout(w.centre_a).pk, "unit_pk": w.dept_a1.pk}


ACCESS = {
    "goals:tree": Case(logged_in(OK)),
    "goals:mine": Case(logged_in(OK)),
    "goals:vision_create": Case(whole_tree_only()),
    "goals:vision_edit": Case(whole_tree_only(), lambda w: {"pk": make_vision().pk}),
    "goals:theme_create": Case(whole_tree_only(), lambda w: {"vision_pk": make_vision().pk}),
    "goals:theme_edit": Case(
        whole_tree_only(), lambda w: {"pk": make_vision().themes.create(title_da="T").pk}
    ),
    "goals:effect_goal_create": Case(whole_tree_only()),
    # An effect goal owned by centre B: beside the employee and the leader of centre A.
    "goals:effect_goal_detail": Case(
        {**whole_tree_only(), "other_leader": OK}, lambda w: {"pk": make_effect_goal(w.centre_b).pk}
    ),
    "goals:effect_goal_edit": Case(whole_tree_only(), lambda w: {"pk": make_effect_goal(w.root).pk}),
    # Without ?unit= the form is for the user's own (first) led unit; employees lead none.
    "goals:unit_goal_create": Case(_any_leader()),
    "goals:unit_goal_detail": Case(_seen_from_a(), _unit_goal),
    "goals:unit_goal_edit": Case(_leader_of_a(), _unit_goal),
    "goals:unit_goal_relink": Case(_leader_of_a(), _unit_goal),
    "goals:unit_goal_lift": Case(_leader_of_a(), _unit_goal),
    "goals:intervention_list": Case(logged_in(OK)),
    "goals:intervention_create": Case(_any_leader()),
    "goals:intervention_detail": Case(_seen_from_a(), _intervention),
    "goals:intervention_edit": Case(_leader_of_a(), _intervention),
    "goals:chain_edit": Case(_leader_of_a(), _intervention),
    "goals:indicator_list": Case(logged_in(OK)),
    "goals:indicator_create": Case(_any_leader()),
    "goals:indicator_detail": Case(_seen_from_a(), _indicator),
    "goals:indicator_edit": Case(_leader_of_a(), _indicator),
    "goals:measurement_enter": Case(_records_for_a(), _indicator),
    "goals:status_override": Case(_chain_leaders_of_a(), _indicator),
    "goals:measurement_import": Case(_records_anywhere()),
    "goals:rollout_list": Case(logged_in(OK)),
    "goals:rollout_create": Case(whole_tree_only()),
    "goals:rollout_detail": Case(_seen_from_a(), _rollout),
    "goals:rollout_edit": Case(whole_tree_only(), _rollout),
    "goals:rollout_state": Case(_seen_from_a(), _rollout_unit),
    "goals:rollout_remind": Case(
        {**logged_in(DENIED), "hr": NOT_ALLOWED, "executive": NOT_ALLOWED, "admin": NOT_ALLOWED}, _rollout
    ),
}
