from __future__ import annotations

import pytest

from tests.access import World, build_world


@pytest.fixture
def world(db) -> World:
    """root → centre_a → dept_a1 → team_a1x; root → centre_b → dept_b1, with the matrix's users."""
    return build_world()
