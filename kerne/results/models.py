"""Results are computed from the surveys' responses on demand (rollup.py); the only table
here freezes what a closed round's results were computed on.

Why freeze: the numbers of a round must not change once people have seen them. If the
organisation tree is restructured later (a team moves to another department), the
same round rolled up on the new tree would show a department's total with and without
the team, and the difference would reveal the team's answers even when the team is
smaller than k. So the first computation after a round has closed stores the tree it
used (and k, comment_k), and every later computation of that round uses the stored one.
"""

from __future__ import annotations

from django.db import models

from kerne.surveys.models import Round


class RoundTree(models.Model):
    """The unit tree (pre-order ids and parent indices) and thresholds a closed round is reported on."""

    round = models.OneToOneField(Round, on_delete=models.CASCADE, related_name="+", primary_key=True)
    unit_ids = models.BinaryField(help_text="int64 unit ids in pre-order (path order)")
    parent_index = models.BinaryField(
        help_text="int64 index of each unit's parent in unit_ids, −1 for the root"
    )
    k = models.PositiveSmallIntegerField()
    comment_k = models.PositiveSmallIntegerField()
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Tree of round {self.round_id}"
