"""Which response counts may be shown while a round runs (DESIGN §3.3–3.4: counts are results too).

The groups form a tree (units under the round's target unit; or evaluations and their
rater groups; or the units of an open survey under the round). Each group has its own
`size` (invitations, or responses for open surveys) and `count` (answered); what a page
shows of a group is its subtree totals.

Whether a group's totals may be shown is decided by THE anonymity function,
`kerne.disclosure.anonymity.suppress`, applied to the subtree sizes: a group is shown only
with at least k members, and every remainder an attacker can isolate by subtraction
(a shown group minus its shown groups below) has 0 or at least k members. The proof is in
that module; the same attack suite covers both uses. Pages say that numbers are hidden to
protect anonymity, not which rule hid a particular one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from kerne.disclosure.anonymity import suppress


@dataclass(frozen=True)
class Group:
    key: Hashable
    parent: Hashable | None
    size: int  # own invitations (or responses), not counting the children
    count: int = 0  # own answered


@dataclass(frozen=True)
class Disclosure:
    key: Hashable
    total_size: int
    total_count: int
    shown: bool

    @property
    def rate(self) -> float | None:
        if not self.shown or not self.total_size:
            return None
        return self.total_count / self.total_size


def disclose(groups: Iterable[Group], k: int) -> dict[Hashable, Disclosure]:
    """Subtree totals of every group and whether they may be shown (module docstring)."""
    groups = list(groups)
    by_key = {g.key: g for g in groups}
    children: dict[Hashable, list[Hashable]] = defaultdict(list)
    roots: list[Hashable] = []
    for g in groups:
        if g.parent is None or g.parent not in by_key:
            roots.append(g.key)
        else:
            children[g.parent].append(g.key)

    size: dict[Hashable, int] = {}
    count: dict[Hashable, int] = {}

    def total(key: Hashable) -> None:
        # Iterative post-order: trees can be deep enough to trouble recursion at national scale.
        stack: list[tuple[Hashable, bool]] = [(key, False)]
        while stack:
            node, done = stack.pop()
            if done:
                size[node] = by_key[node].size + sum(size[c] for c in children[node])
                count[node] = by_key[node].count + sum(count[c] for c in children[node])
            else:
                stack.append((node, True))
                stack.extend((c, False) for c in children[node])

    for root in roots:
        total(root)

    # Pre-order, so every group comes after the group containing it (suppress needs that).
    order: list[Hashable] = []
    stack = list(reversed(roots))
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(reversed(children[node]))
    index = {key: i for i, key in enumerate(order)}
    parent_index = [index.get(by_key[key].parent, -1) for key in order]
    flags = suppress([size[key] for key in order], parent_index, k)
    shown = {key for key, flag in zip(order, flags.tolist(), strict=True) if flag}

    return {key: Disclosure(key, size[key], count[key], key in shown) for key in by_key}
