"""Helpers for the follow-up tests: answers per dimension, a round filled for the tests.access world."""

from __future__ import annotations

from kerne.surveys.models import Instrument, Round
from tests.access import World
from tests.results.factories import add_comments, add_invitations, add_responses

DIMENSIONS = (
    "trust-bonding",
    "trust-bridging",
    "trust-linking",
    "justice-bonding",
    "justice-bridging",
    "justice-linking",
    "cooperation-bonding",
    "cooperation-bridging",
    "cooperation-linking",
)
# Options per dimension in the released round (5 = best) and in the round before.
NOW = dict(zip(DIMENSIONS, (5, 4, 2, 4, 3, 1, 5, 3, 4), strict=True))
BEFORE = dict(zip(DIMENSIONS, (4, 4, 3, 4, 3, 3, 4, 3, 2), strict=True))


def answer_row(instrument: Instrument, options: dict[str, int]) -> list[int]:
    """One response: each item answered with its dimension's option (mirrored for reversed items)."""
    row = []
    for item in instrument.items.select_related("dimension").order_by("position"):
        option = options[item.dimension.key]
        row.append(6 - option if item.reversed else option)
    return row


def fill_round(round_: Round, world: World, options: dict[str, int], comments: bool = True) -> None:
    instrument = round_.instrument
    row = answer_row(instrument, options)
    for unit, count in ((world.dept_a1, 6), (world.team_a1x, 2), (world.dept_b1, 6), (world.centre_b, 5)):
        add_invitations(round_, unit, count + 1)
        add_responses(round_, unit, [row] * count)
    if comments:
        add_comments(round_, world.dept_a1, [f"Kommentar {i} fra A1" for i in range(6)])
