"""Which response counts may be shown: the k rule and protection against differencing."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from kerne.surveys.disclosure import Group, disclose


def _atoms_below_k(groups: list[Group], k: int) -> list[tuple[frozenset, int]]:
    """The attack: people who belong to exactly the same shown groups cannot be told
    apart by any sum or difference of the shown counts, and every group that can be
    derived is a union of such atoms. So an atom of 1…k−1 people is a leak."""
    shown = {key for key, d in disclose(groups, k).items() if d.shown}
    parent = {g.key: g.parent for g in groups}
    atoms: Counter[frozenset] = Counter()
    for g in groups:
        chain, node = [], g.key
        while node is not None:
            chain.append(node)
            node = parent.get(node)
        signature = frozenset(n for n in chain if n in shown)
        atoms[signature] += g.size
    return [(sig, n) for sig, n in atoms.items() if sig and 0 < n < k]


def test_a_group_below_k_is_hidden_and_its_count_is_not_revealed():
    result = disclose([Group("root", None, 0), Group("a", "root", 4, 3), Group("b", "root", 8, 2)], k=5)
    assert not result["a"].shown and result["a"].rate is None
    # root − b would reveal a (4 invited, 3 answered): so b is hidden too.
    assert result["root"].shown and not result["b"].shown
    assert (result["root"].total_size, result["root"].total_count) == (12, 5)


def test_children_are_shown_when_the_rest_is_large_enough():
    groups = [
        Group("root", None, 0),
        Group("a", "root", 5, 1),
        Group("b", "root", 6, 2),
        Group("c", "root", 0, 0),
        Group("c1", "c", 5, 1),
        Group("c2", "c", 2, 2),
    ]
    result = disclose(groups, k=5)
    assert [key for key in ("root", "a", "b", "c", "c1", "c2") if result[key].shown] == [
        "root",
        "a",
        "b",
        "c",
    ]
    # c1 would reveal c2 (c − c1 = 2 people): hidden. No group of 1..4 can be derived.
    assert _atoms_below_k(groups, 5) == []


def test_the_smallest_sibling_is_hidden_first():
    groups = [Group("r", None, 2), Group("a", "r", 5), Group("b", "r", 9)]
    result = disclose(groups, k=5)
    assert not result["a"].shown and result["b"].shown  # remainder 2 + 5 = 7 ≥ k


def test_a_suppressed_groups_children_stay_hidden():
    # r (20) ─ p (6) ─ p1 (5), p own 1; q (12); s (2)
    groups = [
        Group("r", None, 0),
        Group("p", "r", 1),
        Group("p1", "p", 5),
        Group("q", "r", 12),
        Group("s", "r", 2),
    ]
    result = disclose(groups, k=5)
    assert not result["p"].shown and not result["p1"].shown
    assert _atoms_below_k(groups, 5) == []


@st.composite
def trees(draw):
    n = draw(st.integers(min_value=1, max_value=14))
    groups = [Group(0, None, draw(st.integers(0, 6)), 0)]
    for key in range(1, n):
        parent = draw(st.integers(0, key - 1))
        size = draw(st.integers(0, 9))
        groups.append(Group(key, parent, size, draw(st.integers(0, size))))
    return groups


@settings(max_examples=400, deadline=None)
@given(trees(), st.integers(min_value=3, max_value=6))
def test_no_combination_of_shown_counts_reveals_a_group_below_k(groups, k):
    # A shown group may sit under a hidden one: its residual proof (results/anonymity.py)
    # and the atom attack below, not a "parents first" rule, are what keep it safe.
    result = disclose(groups, k)
    assert _atoms_below_k(groups, k) == []
    for g in groups:
        d = result[g.key]
        if d.shown:
            assert d.total_size >= k
        assert d.total_count <= d.total_size
