"""Where the responses of a small unit are kept (DESIGN §3.1).

A response stored on a unit with one invitee is that person's answer to anyone who can
read the tables. So a unit whose whole subtree had fewer than k invitations at the
cut-off has its responses stored on — and reported within — the nearest ancestor whose
subtree had at least k (the round's target unit when none has). That ancestor's group
"the unit alone" then means the unit with its sub-units too small to stand on their own,
in storage and on every page alike, so pooling the storage changes no number shown.

A unit whose own invitees are fewer than k but whose subtree has k or more (a department
with a leader and a secretary above its teams) keeps its own responses: moving them up
would hide the department's result behind its parent's, and moving them down would mix
them into one team's. docs/anonymity.md says so under what remains.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]


def response_units(parent: npt.ArrayLike, subtree_invited: npt.ArrayLike, k: int) -> IntArray:
    """For each unit (pre-order index, parent before child, −1 for the root): the index of
    the unit its responses are stored on and reported within."""
    par = np.asarray(parent, dtype=np.int64)
    invited = np.asarray(subtree_invited, dtype=np.int64)
    target = np.arange(len(par), dtype=np.int64)
    small = invited < k
    # A unit below k has every descendant below k too; pre-order puts each parent first.
    for u in np.flatnonzero(small & (par >= 0)).tolist():
        target[u] = target[par[u]]
    return target
