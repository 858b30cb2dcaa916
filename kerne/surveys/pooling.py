"""The unit a respondent's answers are stored on (DESIGN §3.1), fixed when a round launches.

A response stored on a team with two invitees is one of two people's answers to anyone
who can read the tables; on a team of one it is that person's. So, at launch, every
invitation gets a *response unit*: the nearest unit at or above its own, within the
round's target subtree, whose whole subtree had at least k invitations at the cut-off
(the target unit when none has). The submission stores the response and its comments on
that unit (kerne/surveys/submission.py), never on the smaller one.

The rule is the reports' rule (kerne/disclosure/pooling.py, used by
kerne/results/rollup.py): a unit whose subtree had fewer than k invitations is reported
within that same ancestor, so storing the answers there changes no number anyone sees.
This module only feeds it plain data — the tree in pre-order and the invitations per
unit — and answers in unit ids, so launch, the demo and the benchmark share it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kerne.disclosure.pooling import response_units as _pooled_indices


def subtree_counts(parent_index: Sequence[int], own: Sequence[int]) -> list[int]:
    """Each unit's own count plus its descendants' (pre-order: each parent before its children)."""
    totals = list(own)
    for index in range(len(totals) - 1, 0, -1):
        totals[parent_index[index]] += totals[index]
    return totals


def response_units(
    unit_ids: Sequence[int], parent_index: Sequence[int], invited: Mapping[int, int], k: int
) -> dict[int, int]:
    """Unit id → the unit id its responses are stored on.

    `unit_ids` is the round's target subtree in pre-order (the target first), and
    `parent_index[i]` the position of unit i's parent in it (−1 for the target), as in
    kerne.results.models.RoundTree. `invited` counts the invitations per unit id; ids
    outside the tree are counted at the target, as the reports count them.
    """
    if not unit_ids:
        return {}
    if parent_index[0] != -1 or any(not 0 <= p < i for i, p in enumerate(parent_index) if i):
        raise ValueError("units must be in pre-order, the target first")
    position = {unit_id: i for i, unit_id in enumerate(unit_ids)}
    own = [0] * len(unit_ids)
    for unit_id, count in invited.items():
        own[position.get(unit_id, 0)] += count
    pooled = _pooled_indices(list(parent_index), subtree_counts(parent_index, own), k)
    return {unit_id: unit_ids[int(pooled[i])] for i, unit_id in enumerate(unit_ids)}
