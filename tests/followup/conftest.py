"""A municipality with a released social-capital round (the shipped instrument) and the round before it.

tests.access world: root → centre_a → dept_a1 → team_a1x; root → centre_b → dept_b1, plus
`teamleader` leading team_a1x and `deptleader` leading dept_a1.

Responses (k = 5), by dimension (option 1…5 per dimension, reversed items mirrored):
- dept_a1 itself 6, team_a1x 2 (hidden: below k), dept_b1 6, centre_b itself 5.
- The round before (a year earlier) had the same units with other scores, so some
  dimensions changed by more than 5 points and some did not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.utils import timezone

from kerne.results.rollup import clear_memo
from kerne.surveys.instruments import shipped_instrument
from tests.access import World, build_world
from tests.factories import make_leader
from tests.followup.helpers import BEFORE, NOW, fill_round
from tests.results.factories import make_round


@pytest.fixture(autouse=True)
def _fresh_results_cache() -> Iterator[None]:
    clear_memo()
    cache.clear()
    yield
    clear_memo()
    cache.clear()


@pytest.fixture
def sc_world(db) -> World:
    world = build_world()
    world.users["teamleader"] = make_leader(world.team_a1x, "teamleader")
    world.users["deptleader"] = make_leader(world.dept_a1, "deptleader")
    instrument = shipped_instrument("social_capital")
    before = make_round(
        instrument,
        world.root,
        released=True,
        opens_at=timezone.now() - dt.timedelta(days=400),
        name="Social kapital 2025",
    )
    fill_round(before, world, BEFORE, comments=False)
    round_ = make_round(instrument, world.root, name="Social kapital 2026")
    fill_round(round_, world, NOW)
    world.extra.update(round=round_, before=before, instrument=instrument)
    return world


@pytest.fixture
def released(sc_world: World) -> World:
    """sc_world with the 2026 round released through the real service (which opens the cases)."""
    from kerne.results.services import round_release

    round_release(actor=sc_world.users["hr"], round=sc_world.extra["round"])
    clear_memo()
    return sc_world
