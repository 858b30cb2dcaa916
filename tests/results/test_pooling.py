"""Small units' responses are stored on, and reported within, the nearest ancestor whose
subtree had k invitations (DESIGN §3.1, kerne/disclosure/pooling.py): where they are
stored changes no number anyone sees."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from kerne.disclosure.pooling import response_units
from kerne.results import selectors
from kerne.results.rollup import clear_memo
from kerne.surveys.models import Comment, Response
from tests.access import build_world
from tests.results.factories import add_comments, add_invitations, add_responses, make_instrument, make_round


def test_response_units_by_hand():
    # root(0) → a(1) → a1(2), a2(3); root → b(4). Subtree invitations: a1 2, a2 9, a 12, b 3.
    parent = [-1, 0, 1, 1, 0]
    subtree_invited = [20, 12, 2, 9, 3]
    assert response_units(parent, subtree_invited, 5).tolist() == [0, 1, 1, 3, 0]
    # A whole small branch goes to the first ancestor with k, however deep.
    assert response_units([-1, 0, 1, 2], [6, 4, 3, 1], 5).tolist() == [0, 0, 0, 0]
    # A round below k as a whole stays on its target unit.
    assert response_units([-1, 0], [2, 1], 5).tolist() == [0, 0]


def _everything_hr_sees(world, round_) -> dict[str, object]:
    hr = world.users["hr"]
    seen: dict[str, object] = {}
    for unit in (world.root, world.centre_a, world.dept_a1, world.team_a1x, world.centre_b, world.dept_b1):
        report = selectors.result_for_user(hr, round_, unit)
        if report is not None:
            data = dataclasses.asdict(report)
            data["comments"] = sorted((c["question"], c["text"]) for c in data["comments"])
            seen[f"unit {unit.name}"] = data
    heat = selectors.heatmap(hr, round_, world.root, depth=4)
    seen["heatmap"] = dataclasses.asdict(heat) if heat else None
    seen["overview"] = [dataclasses.asdict(r) for r in selectors.round_overview(hr, round_) or []]
    return seen


@pytest.mark.django_db
def test_pooling_the_storage_changes_no_number_shown():
    """Team A1x had 3 invitations (< k = 5): its answers are reported within Afdeling A1. The
    pages show exactly the same whether they are stored on the team (rounds from before
    pooling) or on the department (since)."""
    world = build_world()
    instrument = make_instrument(dimensions=(2, 1))
    round_ = make_round(instrument, world.root, k=5, released=True)
    add_invitations(round_, world.team_a1x, 3)
    add_invitations(round_, world.dept_a1, 8)
    add_invitations(round_, world.centre_b, 6)
    add_invitations(round_, world.dept_b1, 9)
    add_responses(round_, world.team_a1x, [[5, 4, 0], [1, 2, 3], [4, 4, 4]])
    add_responses(round_, world.dept_a1, [[3, 3, 3]] * 4 + [[2, 0, 5]] * 2)
    add_responses(round_, world.centre_b, [[1, 1, 1]] * 5)
    add_responses(round_, world.dept_b1, [[4, 4, 4]] * 7 + [[0, 5, 5]])
    add_comments(round_, world.team_a1x, ["Fra teamet"])
    add_comments(round_, world.dept_a1, ["Fra afdelingen", "Også derfra", "En til", "Og en", "Sidste"])

    before = _everything_hr_sees(world, round_)
    Response.objects.filter(round=round_, unit=world.team_a1x).update(unit=world.dept_a1)
    Comment.objects.filter(round=round_, unit=world.team_a1x).update(unit=world.dept_a1)
    clear_memo()
    after = _everything_hr_sees(world, round_)
    assert after == before

    # And the team is reported within the department: its own group is empty (hidden), the
    # department "alone" holds its 6 and the team's 3.
    department = before[f"unit {world.dept_a1.name}"]
    assert isinstance(department, dict)
    assert department["alone"]["respondents"] == 9
    assert department["total"]["respondents"] == 9
    team_row = next(s for s in department["sub_units"] if s["unit_id"] == world.team_a1x.pk)
    assert team_row["respondents"] is None


@pytest.mark.django_db
def test_open_link_rounds_are_not_pooled():
    """Open surveys have no invitations; a link unit's responses stay where they are."""
    from kerne.results.rollup import round_results
    from kerne.surveys.models import Round

    world = build_world()
    instrument = make_instrument(dimensions=(1,))
    round_ = make_round(instrument, world.root, k=3)
    Round.objects.filter(pk=round_.pk).update(mode=Round.Mode.OPEN_LINK)
    round_.refresh_from_db()
    add_responses(round_, world.team_a1x, [[5]] * 4)
    block = round_results(round_).units
    assert block is not None
    team = block.tree.index_of(world.team_a1x.pk)
    assert team is not None and block.own.respondents[team] == 4
    assert np.array_equal(block.reported_on, np.arange(len(block.tree)))
