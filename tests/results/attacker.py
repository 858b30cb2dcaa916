"""The attacker of the attack suite: exact linear algebra over atom indicator vectors.

Everything Kerne shows about a group (respondent count, response rate, per-option
histograms of every item, sums and sums of squares of item and dimension scores,
dimension bands) is a sum over the group's atoms. An attacker holding all shown numbers
can form any rational linear combination of the shown groups; for data in general
position they learn the count, sum or distribution of a set T of atoms exactly when T's
indicator vector lies in the rational span of the shown groups' indicator vectors.

`Attacker.leaks` enumerates every set of atoms whose protected respondents number 1…k−1
(exempt atoms, such as a 360 manager, do not count as protected) and reports those that
lie in the span. The arithmetic is exact (fractions, then integers), never floating point.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from fractions import Fraction


def _null_space(rows: list[list[int]], width: int) -> list[list[int]]:
    """Integer basis of {x : M x = 0} for M = rows (exact Gauss–Jordan over the rationals)."""
    m = [[Fraction(v) for v in row] for row in rows]
    pivots: list[int] = []
    r = 0
    for c in range(width):
        pivot = next((i for i in range(r, len(m)) if m[i][c] != 0), None)
        if pivot is None:
            continue
        m[r], m[pivot] = m[pivot], m[r]
        lead = m[r][c]
        m[r] = [v / lead for v in m[r]]
        for i in range(len(m)):
            if i != r and m[i][c] != 0:
                factor = m[i][c]
                m[i] = [a - factor * b for a, b in zip(m[i], m[r], strict=True)]
        pivots.append(c)
        r += 1
        if r == len(m):
            break
    free = [c for c in range(width) if c not in pivots]
    basis = []
    for f in free:
        vector = [Fraction(0)] * width
        vector[f] = Fraction(1)
        for row_index, c in enumerate(pivots):
            vector[c] = -m[row_index][f]
        scale = math.lcm(*(v.denominator for v in vector))
        basis.append([int(v * scale) for v in vector])
    return basis


class Attacker:
    """Knows the atoms' respondent counts, which atoms are exempt, and every shown group."""

    def __init__(
        self, atom_counts: Sequence[int], shown_groups: Sequence[set[int]], exempt: Sequence[bool] = ()
    ):
        self.counts = list(atom_counts)
        self.exempt = list(exempt) or [False] * len(self.counts)
        width = len(self.counts)
        rows = [[1 if a in group else 0 for a in range(width)] for group in shown_groups]
        self.null_space = (
            _null_space(rows, width) if rows else [[int(i == j) for j in range(width)] for i in range(width)]
        )

    def derivable(self, atoms: set[int]) -> bool:
        """Is the set's indicator vector in the span of the shown groups' vectors?"""
        return all(sum(vector[a] for a in atoms) == 0 for vector in self.null_space)

    def protected_count(self, atoms: set[int]) -> int:
        return sum(self.counts[a] for a in atoms if not self.exempt[a])

    def leaks(self, k: int) -> list[tuple[set[int], int]]:
        """Every derivable set of atoms holding 1…k−1 protected respondents."""
        protected = [a for a in range(len(self.counts)) if self.counts[a] > 0 and not self.exempt[a]]
        public = [a for a in range(len(self.counts)) if self.counts[a] > 0 and self.exempt[a]]
        found = []
        # Only sets of fewer than k protected respondents matter; each non-empty atom holds ≥ 1.
        for size in range(1, min(k - 1, len(protected)) + 1):
            for combo in itertools.combinations(protected, size):
                total = sum(self.counts[a] for a in combo)
                if not 0 < total < k:
                    continue
                # With or without any of the public (exempt) atoms.
                for extra in range(len(public) + 1):
                    for publics in itertools.combinations(public, extra):
                        atoms = set(combo) | set(publics)
                        if self.derivable(atoms):
                            found.append((atoms, total))
        return found


def boolean_leaks(
    atom_counts: Sequence[int], shown_groups: Sequence[set[int]], k: int
) -> list[tuple[set[int], int]]:
    """Comments are sets of texts: set algebra (∩, ∪, −) of the shown groups isolates the atoms of the
    Boolean algebra they generate: classes of atoms with the same membership in every shown group.
    Every class inside some shown group is derivable; each must hold 0 or ≥ k respondents."""
    classes: dict[tuple[bool, ...], set[int]] = {}
    for a in range(len(atom_counts)):
        signature = tuple(a in group for group in shown_groups)
        if any(signature):
            classes.setdefault(signature, set()).add(a)
    leaks = []
    for atoms in classes.values():
        total = sum(atom_counts[a] for a in atoms)
        if 0 < total < k:
            leaks.append((atoms, total))
    return leaks
