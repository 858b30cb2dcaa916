"""Packing a response's answers into bytes: one byte per item, in item position order.

0 means not answered or "don't know" (missing in scoring); 1…5 are the five answer
options from the least to the most favourable wording of the scale (5 = "helt enig").
Scoring (results/scoring.py) maps 5→100, 4→75, 3→50, 2→25, 1→0, reversed items mirrored.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from kerne.surveys.models import NOT_ANSWERED

OPTIONS = (1, 2, 3, 4, 5)


def pack_answers(answers: Mapping[int, int | None], item_count: int) -> bytes:
    """`answers` maps item position → option (1…5) or None/0 for no answer."""
    packed = bytearray(item_count)
    for position, option in answers.items():
        if not 0 <= position < item_count:
            raise ValueError(f"item position {position} outside 0…{item_count - 1}")
        value = option or NOT_ANSWERED
        if value not in OPTIONS and value != NOT_ANSWERED:
            raise ValueError(f"answer {option!r} for item {position} is not an option 1…5")
        packed[position] = value
    return bytes(packed)


def unpack_answers(packed: bytes) -> dict[int, int]:
    """Item position → option, answered items only."""
    return {position: value for position, value in enumerate(packed) if value != NOT_ANSWERED}


def answers_matrix(rows: list[bytes], item_count: int) -> npt.NDArray[np.uint8]:
    """Respondents × items matrix of options (0 = missing), without a Python loop per answer."""
    if not rows:
        return np.zeros((0, item_count), dtype=np.uint8)
    joined = b"".join(row.ljust(item_count, b"\0")[:item_count] for row in rows)
    return np.frombuffer(joined, dtype=np.uint8).reshape(len(rows), item_count)
