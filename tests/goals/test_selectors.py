"""The access rules of goals (selectors.py): above and own subtree visible, beside not; who edits."""

from __future__ import annotations

import pytest

from kerne.goals import selectors
from tests.goals.helpers import (
    make_effect_goal,
    make_indicator,
    make_intervention,
    make_rollout,
    make_unit_goal,
)

pytestmark = pytest.mark.django_db


def test_employee_sees_goals_above_and_in_own_unit_not_beside(world):
    employee = world.users["employee"]  # works in dept_a1
    above = make_unit_goal(world.centre_a)
    own = make_unit_goal(world.dept_a1)
    below = make_unit_goal(world.team_a1x)
    beside = make_unit_goal(world.dept_b1)
    seen = set(selectors.unit_goals(employee))
    assert {above, own, below} <= seen
    assert beside not in seen
    assert selectors.can_see_goals_of(employee, world.root)
    assert not selectors.can_see_goals_of(employee, world.centre_b)


def test_leader_sees_subtree_and_chain_above_but_not_the_other_centre(world):
    leader = world.users["leader"]  # leads centre_a
    strategic = make_effect_goal(world.root)
    other_centre = make_effect_goal(world.centre_b)
    assert set(selectors.effect_goals(leader)) == {strategic}
    assert make_unit_goal(world.team_a1x) in selectors.unit_goals(leader)
    assert make_unit_goal(world.dept_b1) not in selectors.unit_goals(leader)
    assert other_centre in selectors.effect_goals(world.users["other_leader"])


def test_whole_tree_roles_see_everything(world):
    goals = [make_unit_goal(world.dept_b1), make_unit_goal(world.team_a1x)]
    for role in ("hr", "executive", "admin"):
        assert set(goals) <= set(selectors.unit_goals(world.users[role]))


def test_indicators_interventions_and_rollouts_follow_the_same_rule(world):
    employee = world.users["employee"]
    mine, beside = make_indicator(world.dept_a1), make_indicator(world.dept_b1)
    assert set(selectors.indicators(employee)) == {mine}
    # An indicator owned beside, but measuring a goal the user sees, is visible through the goal.
    goal = make_unit_goal(world.dept_a1)
    goal.indicators.add(beside)
    assert beside in selectors.indicators(employee)
    assert make_intervention(world.team_a1x) in selectors.interventions(employee)
    assert make_intervention(world.centre_b) not in selectors.interventions(employee)
    whole = make_rollout(world.root)
    other = make_rollout(world.centre_b)
    assert set(selectors.rollouts(employee)) == {whole}
    assert other in selectors.rollouts(world.users["other_leader"])


def test_edit_rights(world):
    leader, employee = world.users["leader"], world.users["employee"]
    assert selectors.can_edit_unit(leader, world.team_a1x)
    assert not selectors.can_edit_unit(leader, world.centre_b)
    assert not selectors.can_edit_unit(leader, world.root)
    assert not selectors.can_edit_unit(employee, world.dept_a1)
    assert not selectors.can_edit_strategy(leader)
    for role in ("hr", "executive", "admin"):
        assert selectors.can_edit_strategy(world.users[role])
        assert selectors.can_edit_unit(world.users[role], world.dept_b1)


def test_rollout_scope_narrows_to_what_the_user_sees(world):
    rollout = make_rollout(world.root)
    assert selectors.rollout_scope(world.users["executive"], rollout) == [world.root]
    assert selectors.rollout_scope(world.users["leader"], rollout) == [world.centre_a]
    assert selectors.rollout_scope(world.users["employee"], rollout) == [world.dept_a1]
    inside = make_rollout(world.dept_a1)
    assert selectors.rollout_scope(world.users["leader"], inside) == [world.dept_a1]
