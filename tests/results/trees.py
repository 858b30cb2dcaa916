"""Random trees for property tests: parents → pre-order layout."""

from __future__ import annotations

from hypothesis import strategies as st


@st.composite
def preorder_parents(draw: st.DrawFn, max_units: int = 12) -> list[int]:
    """Parent indices (−1 for the root) of a random tree, relabelled in pre-order."""
    count = draw(st.integers(min_value=1, max_value=max_units))
    raw_parent = [-1] + [draw(st.integers(min_value=0, max_value=i - 1)) for i in range(1, count)]
    children: dict[int, list[int]] = {i: [] for i in range(count)}
    for child, parent in enumerate(raw_parent):
        if parent >= 0:
            children[parent].append(child)
    order: list[int] = []
    stack = [0]
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(reversed(children[node]))
    new_index = {old: new for new, old in enumerate(order)}
    return [-1 if raw_parent[old] < 0 else new_index[raw_parent[old]] for old in order]


def ancestors_or_self(parent: list[int], index: int) -> list[int]:
    chain = []
    while index >= 0:
        chain.append(index)
        index = parent[index]
    return chain
