"""Which rounds a user sees (selectors.rounds_visible_to)."""

from __future__ import annotations

import pytest

from kerne.surveys.models import Round
from kerne.surveys.selectors import rounds_visible_to
from tests.access import build_world
from tests.surveys.factories import make_round

pytestmark = pytest.mark.django_db


def test_rounds_follow_the_governance_chain():
    world = build_world()
    whole = make_round(target=world.root)
    in_a = make_round(target=world.dept_a1)
    in_b = make_round(target=world.centre_b)
    draft = make_round(target=world.root, status=Round.Status.DRAFT)
    seen = {role: set(rounds_visible_to(user)) if user else set() for role, user in world.users.items()}
    assert seen["hr"] == seen["admin"] == seen["executive"] == {whole, in_a, in_b, draft}
    assert seen["leader"] == {whole, in_a}  # leads centre A: its own subtree and rounds above it
    assert seen["other_leader"] == {whole, in_b}
    assert seen["employee"] == {whole, in_a}  # works in dept A1
    assert seen["anonymous"] == set()
