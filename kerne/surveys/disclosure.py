"""Which response counts may be shown while a round runs (DESIGN §3.3–3.4: counts are results too).

The groups form a tree (units under the round's target unit; or evaluations and their
rater groups; or the units of an open survey under the round). Each group has its own
`size` (invitations, or responses for open surveys) and `count` (answered). A group's
numbers are shown only when

1. its subtree total size is at least k, and
2. its parent is shown, and
3. among its parent's children, the shown ones leave a *remainder* (the parent's total
   minus the shown children's totals: the parent's own members plus every hidden child)
   that is either 0 or at least k. While a remainder is between 1 and k−1, the smallest
   shown sibling is hidden too (complementary suppression).

Why this is safe: the shown groups then form a laminar family in which every "atom" that
subtraction can isolate (a shown group minus its shown children) has 0 or ≥ k members,
and every other derivable difference is a union of such atoms. Hiding a suppressed
group's descendants too (rule 2) is the simple price: a shown grandchild under a hidden
child could otherwise be subtracted from the grandparent's remainder.

The rule is deliberately plain (not the fewest possible suppressions); pages say that
numbers are hidden to protect anonymity, not which rule hid a particular one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass


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

    shown: set[Hashable] = set()
    queue = [r for r in roots if size[r] >= k]
    shown.update(queue)
    while queue:
        parent = queue.pop()
        candidates = [c for c in children[parent] if size[c] >= k]
        remainder = size[parent] - sum(size[c] for c in candidates)
        candidates.sort(key=lambda c: (size[c], str(c)), reverse=True)
        while 0 < remainder < k and candidates:
            smallest = candidates.pop()
            remainder += size[smallest]
        shown.update(candidates)
        queue.extend(candidates)

    return {key: Disclosure(key, size[key], count[key], key in shown) for key in by_key}
