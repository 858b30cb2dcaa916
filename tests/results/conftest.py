from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from kerne.results.rollup import clear_memo
from kerne.surveys.models import InstrumentKind, RaterGroup
from tests.access import build_world
from tests.factories import make_leader
from tests.results.factories import (
    add_comments,
    add_invitations,
    add_responses,
    make_evaluation,
    make_instrument,
    make_round,
)


@pytest.fixture(autouse=True)
def _fresh_results_cache() -> Iterator[None]:
    """Results are cached per round; test databases reuse ids, so start every test empty."""
    clear_memo()
    cache.clear()
    yield
    clear_memo()
    cache.clear()


@pytest.fixture
def world(db):
    """tests.access world: root → centre_a → dept_a1 → team_a1x; root → centre_b → dept_b1.

    Responses (k = 5): team_a1x 6 × all 5s; dept_a1 itself 5 × 3s (item 2 answered by 2 only);
    centre_b itself 2 × all 1s; dept_b1 7 × all 4s. Instrument: d0 = items 0, 1; d1 = item 2.
    """
    w = build_world()
    instrument = make_instrument(dimensions=(2, 1))
    round_ = make_round(instrument, w.root, k=5, name="Social kapital 2026")
    add_responses(round_, w.team_a1x, [[5, 5, 5]] * 6)
    add_responses(round_, w.dept_a1, [[3, 3, 3]] * 2 + [[3, 3, 0]] * 3)
    add_responses(round_, w.centre_b, [[1, 1, 1]] * 2)
    add_responses(round_, w.dept_b1, [[4, 4, 4]] * 7)
    add_invitations(round_, w.team_a1x, 8)
    add_invitations(round_, w.dept_a1, 5)
    add_invitations(round_, w.centre_b, 4)
    add_invitations(round_, w.dept_b1, 10)
    w.extra.update(round=round_, instrument=instrument)
    return w


@pytest.fixture
def evaluation_world(db):
    """The leader of centre_a is evaluated; the root's leader ("director") is their manager.

    Self 1 (all 5s), manager 1 (all 4s), 2 peers (all 2s, below k = 5), 6 employees (all 3s).
    Instrument: behaviours b0 (items 0, 1) and b1 (item 2).
    """
    w = build_world()
    director = make_leader(w.root, "director", level="executive")
    instrument = make_instrument(dimensions=(2, 1), kind=InstrumentKind.LEADERSHIP_360)
    round_ = make_round(instrument, w.root, k=5)
    leader_user = w.users["leader"]
    assert leader_user is not None
    leader_person = leader_user.person
    evaluation = make_evaluation(round_, leader_person, w.centre_a)
    add_responses(round_, w.centre_a, [[5, 5, 5]], rater_group=RaterGroup.SELF, evaluation=evaluation)
    add_responses(round_, w.root, [[4, 4, 4]], rater_group=RaterGroup.MANAGER, evaluation=evaluation)
    add_responses(round_, w.centre_b, [[2, 2, 2]] * 2, rater_group=RaterGroup.PEER, evaluation=evaluation)
    add_responses(round_, w.dept_a1, [[3, 3, 3]] * 6, rater_group=RaterGroup.EMPLOYEE, evaluation=evaluation)
    add_invitations(round_, w.dept_a1, 8, rater_group=RaterGroup.EMPLOYEE, evaluation=evaluation)
    add_invitations(round_, w.centre_b, 3, rater_group=RaterGroup.PEER, evaluation=evaluation)
    add_comments(round_, w.dept_a1, ["Lytter godt"], rater_group=RaterGroup.EMPLOYEE, evaluation=evaluation)
    add_comments(round_, w.centre_b, ["Peer-kommentar"], rater_group=RaterGroup.PEER, evaluation=evaluation)
    add_comments(
        round_, w.root, ["Fra lederens leder"], rater_group=RaterGroup.MANAGER, evaluation=evaluation
    )
    w.users["director"] = director
    w.extra.update(round=round_, evaluation=evaluation)
    return w
