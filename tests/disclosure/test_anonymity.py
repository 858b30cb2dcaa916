"""The one decision function: thresholds, complementary suppression, validation."""

from __future__ import annotations

import numpy as np
import pytest

from kerne.disclosure.anonymity import suppress, unit_groups, unit_visibility


def test_a_group_is_shown_only_from_k_respondents():
    assert suppress([4, 5, 0], [-1, -1, -1], 5).tolist() == [False, True, False]


def test_complementary_suppression_hides_the_smallest_sibling_that_fixes_the_remainder():
    # Parent 30 = A 12 + B 8 + C 6 + D 4: D is below k; remainder 4 → hide C (6, the smallest).
    shown = suppress([30, 12, 8, 6, 4], [-1, 0, 0, 0, 0], 5)
    assert shown.tolist() == [True, True, True, False, False]


def test_the_parent_is_hidden_when_that_costs_less():
    shown = suppress([12, 10, 2], [-1, 0, 0], 5, cost=[1, 10, 2])
    assert shown.tolist() == [False, True, False]


def test_a_residual_of_zero_needs_nothing_more():
    # Parent = A 6 + B 5 exactly: showing all three reveals nothing new.
    assert suppress([11, 6, 5], [-1, 0, 0], 5).tolist() == [True, True, True]


def test_nested_groups_with_equal_counts_are_decided_together():
    # A leaf unit alone = the unit with everything below it (the same respondents).
    n, parent = unit_groups(np.array([-1]), np.array([7]), np.array([7]))
    assert suppress(n, parent, 5).tolist() == [True, True]


def test_exempt_groups_are_always_shown_and_protected_around():
    # Others 3 = manager 1 (exempt) + peers 2: others − manager = peers, so others must go.
    shown = suppress([3, 1, 2], [-1, 0, 0], 5, exempt=[False, True, False])
    assert shown.tolist() == [False, True, False]


@pytest.mark.parametrize(
    ("n", "parent", "message"),
    [
        ([5, 6], [-1, 0], "more respondents"),
        ([5, 5], [1, -1], "before it"),
        ([10, 6, 6], [-1, 0, 0], "laminar"),
        ([-1], [-1], "negative"),
        ([5], [-1, -1], "one entry"),
    ],
)
def test_bad_input_is_refused(n, parent, message):
    with pytest.raises(ValueError, match=message):
        suppress(n, parent, 5)


def test_an_exempt_group_cannot_contain_groups():
    with pytest.raises(ValueError, match="exempt"):
        suppress([3, 1], [-1, 0], 5, exempt=[True, False])


def test_comments_use_their_own_higher_threshold():
    # Root 14 = A 8 + B 6; comment_k 7: B's comments are hidden, so A's must be too (else root − A = B).
    vis = unit_visibility(np.array([-1, 0, 0]), np.array([0, 8, 6]), np.array([14, 8, 6]), 5, 7)
    assert vis.subtree_shown.tolist() == [True, True, True]
    assert vis.comments_shown.tolist() == [True, False, False]
