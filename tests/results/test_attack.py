"""The attack suite (DESIGN §3.4): an attacker holding every number Kerne shows to the most
privileged user tries to derive the count, sum or distribution of a group of 1…k−1
respondents, by subtraction and by combining overlapping groups. Every attempt must fail.

The attacker (tests/results/attacker.py) is exact linear algebra over the atoms' indicator
vectors: it finds *any* rational combination, not only the differences we thought of.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kerne.disclosure.anonymity import (
    EMPLOYEE,
    MANAGER,
    OTHERS,
    PEER,
    SELF,
    evaluation_visibility,
    laminar_forest,
    suppress,
    unit_visibility,
)
from tests.results.attacker import Attacker, boolean_leaks
from tests.results.trees import ancestors_or_self, preorder_parents

# --- Unit trees ----------------------------------------------------------------------------


def unit_tree_groups(parent, own, k, comment_k=None):
    """Atoms = each unit's own respondents. Returns shown groups and comment groups (atom sets),
    the visibility decision and the subtree counts."""
    units = len(parent)
    subtree_n = [sum(own[v] for v in range(units) if u in ancestors_or_self(parent, v)) for u in range(units)]
    vis = unit_visibility(np.array(parent), np.array(own), np.array(subtree_n), k, comment_k or k)
    shown: list[set[int]] = []
    comments: list[set[int]] = []
    for u in range(units):
        below = {v for v in range(units) if u in ancestors_or_self(parent, v)}
        if vis.subtree_shown[u]:
            shown.append(below)
        if vis.own_shown[u]:
            shown.append({u})
        if vis.comments_shown[u]:
            comments.append(below)
    return shown, comments, vis, subtree_n


@st.composite
def unit_trees(draw, max_units=10):
    parent = draw(preorder_parents(max_units=max_units))
    # Small counts (many below k) are where the danger lies; some larger ones too.
    own = [draw(st.one_of(st.integers(0, 6), st.integers(0, 15))) for _ in parent]
    k = draw(st.integers(min_value=3, max_value=6))
    return parent, own, k


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(unit_trees())
def test_no_small_group_can_be_derived_from_a_unit_tree(tree):
    parent, own, k = tree
    shown, _comments, _vis, _subtree_n = unit_tree_groups(parent, own, k)
    attacker = Attacker(own, shown)
    assert attacker.leaks(k) == [], f"derivable small groups with parent={parent}, own={own}, k={k}"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(unit_trees(), st.integers(min_value=0, max_value=4))
def test_no_comments_of_a_small_group_can_be_isolated(tree, extra):
    parent, own, k = tree
    comment_k = k + extra
    _shown, comments, _vis, _subtree_n = unit_tree_groups(parent, own, k, comment_k)
    assert boolean_leaks(own, comments, comment_k) == []
    attacker = Attacker(own, comments)
    assert attacker.leaks(comment_k) == []


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(unit_trees())
def test_every_shown_group_reaches_k_and_the_pattern_does_not_over_suppress_safe_trees(tree):
    parent, own, k = tree
    _shown, _comments, vis, subtree_n = unit_tree_groups(parent, own, k)
    for u in range(len(parent)):
        if vis.subtree_shown[u]:
            assert subtree_n[u] >= k
        if vis.own_shown[u]:
            assert own[u] >= k
    # The whole tree's total is hidden only when it is below k or protects a remainder.
    if subtree_n[0] >= k and all(n == 0 or n >= k for n in own):
        assert vis.subtree_shown[0]


# --- Any laminar family (the general function) -------------------------------------------


@st.composite
def laminar_families(draw):
    """A random forest of groups; each group has some own atoms; some leaves are exempt."""
    parent = draw(preorder_parents(max_units=9))
    groups = len(parent)
    own_atoms = [draw(st.integers(0, 2)) for _ in range(groups)]
    counts: list[int] = []
    atoms_of: list[set[int]] = []
    for g in range(groups):
        mine = set()
        for _ in range(own_atoms[g]):
            mine.add(len(counts))
            counts.append(draw(st.integers(1, 7)))
        atoms_of.append(mine)
    members: list[set[int]] = [set() for _ in range(groups)]
    for g in range(groups):
        for a in ancestors_or_self(parent, g):
            members[a] |= atoms_of[g]
    leaves = [g for g in range(groups) if not any(parent[h] == g for h in range(groups))]
    exempt_groups = {
        g for g in leaves if len(atoms_of[g]) == 1 and draw(st.booleans()) and draw(st.booleans())
    }
    k = draw(st.integers(3, 6))
    use_costs = draw(st.booleans())
    costs = [draw(st.integers(0, 20)) for _ in range(groups)] if use_costs else None
    return parent, members, counts, exempt_groups, k, costs


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(laminar_families())
def test_no_small_group_can_be_derived_from_any_laminar_family(family):
    parent, members, counts, exempt_groups, k, costs = family
    n = [sum(counts[a] for a in members[g]) for g in range(len(parent))]
    exempt = [g in exempt_groups for g in range(len(parent))]
    assume(all(n[g] > 0 for g in exempt_groups))
    shown = suppress(n, parent, k, exempt=exempt, cost=costs)
    exempt_atoms = [any(a in members[g] for g in exempt_groups) for a in range(len(counts))]
    attacker = Attacker(counts, [members[g] for g in range(len(parent)) if shown[g]], exempt_atoms)
    assert attacker.leaks(k) == []
    for g in range(len(parent)):
        same_as_exempt = any(members[g] == members[e] for e in exempt_groups)
        if exempt[g]:
            assert shown[g]
        elif shown[g] and not same_as_exempt:
            assert n[g] >= k


def test_laminar_forest_orders_nested_sets_and_refuses_crossing_ones():
    order, parent = laminar_forest([{1}, {1, 2, 3}, {2, 3}, {4}])
    assert [order[p] if p >= 0 else None for p in parent] == [None, 1, 1, None]
    with pytest.raises(ValueError, match="overlap"):
        laminar_forest([{1, 2}, {2, 3}])  # e.g. a unit and a filter across units


# --- 360 evaluations -------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, 1),
    st.integers(0, 2),
    st.integers(0, 9),
    st.integers(0, 16),
    st.integers(3, 6),
)
def test_no_small_rater_group_can_be_derived_in_360(self_n, manager_n, peer_n, employee_n, k):
    counts = [self_n, manager_n, peer_n, employee_n]  # atoms
    vis = evaluation_visibility(
        np.array([[self_n, manager_n + peer_n + employee_n, manager_n, peer_n, employee_n]]), k, k
    )
    members = {SELF: {0}, OTHERS: {1, 2, 3}, MANAGER: {1}, PEER: {2}, EMPLOYEE: {3}}
    shown = [members[g] for g in range(5) if vis.shown[0, g]]
    attacker = Attacker(counts, shown, exempt=[True, True, False, False])
    assert attacker.leaks(k) == []
    # The leader and the manager group are shown by design (DESIGN §3.6) whenever present.
    assert bool(vis.shown[0, SELF]) == (self_n > 0)
    assert bool(vis.shown[0, MANAGER]) == (manager_n > 0)
    comment_groups = [members[g] for g in range(5) if vis.comments_shown[0, g]]
    assert boolean_leaks([0, 0, peer_n, employee_n], comment_groups, k) == []


# --- Hand-made cases from the issue --------------------------------------------------------


def _units(parent, own, k=5):
    _shown, _comments, vis, subtree_n = unit_tree_groups(parent, own, k)
    return vis, subtree_n


def test_a_parent_with_one_small_child():
    # P (no own respondents) → A 10, B 2. Showing P and A would give B = P − A.
    vis, _ = _units([-1, 0, 0], [0, 10, 2])
    assert not vis.subtree_shown[2]  # B is below k
    assert not (vis.subtree_shown[0] and vis.subtree_shown[1])
    assert vis.subtree_shown[0]  # the smaller of the two candidates (A) is the one hidden
    assert Attacker([0, 10, 2], unit_tree_groups([-1, 0, 0], [0, 10, 2], 5)[0]).leaks(5) == []


def test_two_children_where_one_is_small():
    vis, _ = _units([-1, 0, 0], [0, 6, 3])
    assert vis.subtree_shown.tolist() == [True, False, False]


def test_a_unit_with_exactly_k_and_one_sub_unit_of_k_minus_1():
    # P has 1 own respondent and a sub-unit C of 4: P with C = 5 may be shown, nothing else.
    vis, subtree_n = _units([-1, 0], [1, 4])
    assert subtree_n == [5, 4]
    assert vis.subtree_shown.tolist() == [True, False]
    assert vis.own_shown.tolist() == [False, False]


def test_a_unit_alone_is_hidden_when_its_sub_units_are_small():
    # P alone 6, sub-unit C 3: P with everything below (9) minus P alone (6) would give C.
    vis, _ = _units([-1, 0], [6, 3])
    assert vis.subtree_shown[0] and not vis.own_shown[0] and not vis.subtree_shown[1]


def test_a_hidden_child_does_not_expose_its_shown_grandchildren_difference():
    # G → P → (P alone 1, C 6); G alone 0; G → Q 7. P with C = 7, C = 6 shown would give P alone = 1.
    parent = [-1, 0, 1, 0]
    own = [0, 1, 6, 7]
    shown, _c, _vis, _n = unit_tree_groups(parent, own, 5)
    assert Attacker(own, shown).leaks(5) == []


def test_a_360_leader_with_two_peers():
    # Self 1, manager 1 (shown by design), 2 peers (below k), 6 employees.
    vis = evaluation_visibility(np.array([[1, 9, 1, 2, 6]]), 5, 5)
    assert vis.shown[0, SELF] and vis.shown[0, MANAGER]
    assert not vis.shown[0, PEER]
    # All raters minus the manager minus the employees would give the two peers: one of them is hidden.
    assert not (vis.shown[0, OTHERS] and vis.shown[0, EMPLOYEE])
    assert not vis.comments_shown[0, PEER] and vis.comments_shown[0, EMPLOYEE]


# --- The attacker is not toothless -------------------------------------------------------------


@pytest.mark.parametrize(
    ("atoms", "naive_shown", "k", "leaked"),
    [
        # Parent (A 10 + B 2) and A shown: B = P − A.
        ([10, 2], [{0, 1}, {0}], 5, {1}),
        # Unit with everything below (alone 6 + sub-unit 3) and the unit alone: the sub-unit.
        ([6, 3], [{0, 1}, {0}], 5, {1}),
        # Overlap: X = {a, b}, Y = {b, c}, Z = {a, b, c}: X + Y − Z = b.
        ([5, 2, 5], [{0, 1}, {1, 2}, {0, 1, 2}], 5, {1}),
    ],
)
def test_the_attacker_finds_what_naive_thresholds_would_leak(atoms, naive_shown, k, leaked):
    found = Attacker(atoms, naive_shown).leaks(k)
    assert any(found_atoms == leaked for found_atoms, _count in found)


def test_the_attacker_finds_a_360_peer_group_behind_all_raters():
    # Others (manager 1 + peers 2 + employees 6), manager and employees shown: peers = others − both.
    attacker = Attacker([1, 2, 6], [{0, 1, 2}, {0}, {2}], exempt=[True, False, False])
    assert ({1}, 2) in attacker.leaks(5) or any(a == {0, 1} for a, _n in attacker.leaks(5))
