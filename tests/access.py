"""The role × URL matrix (DESIGN §3 access): shared world and vocabulary.

Every app lists its URLs in `tests/<app>/access.py` as `ACCESS: dict[str, Case]`;
tests/accounts/test_access_matrix.py checks that every named URL is listed and that
each role gets what its Case says.

Where HR, the executive board and administrators do *not* get what they see (whole_tree_only
below is about seeing): recording measurements is for leaders up the chain and HR, overriding
a status for leaders up the chain only (tests/goals/access.py, kerne/goals/selectors.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User

from kerne.organisation.models import Unit
from tests.factories import (
    make_admin,
    make_employee,
    make_executive,
    make_hr,
    make_leader,
    make_unit,
)

ROLES = ("anonymous", "employee", "leader", "other_leader", "hr", "executive", "admin")

# Expected outcomes
OK = "ok"  # 200 (or another 2xx)
LOGIN = "login"  # redirect to the login page
DENIED = "denied"  # 403 or 404
REDIRECT = "redirect"  # some other redirect (e.g. after a POST-only action)
NOT_ALLOWED = "not_allowed"  # 405: the URL takes no GET


@dataclass
class World:
    """root (direktion) → centre_a → dept_a1 → team_a1x; root → centre_b → dept_b1.

    employee works in dept_a1; leader leads centre_a (sees centre_a, dept_a1,
    team_a1x); other_leader leads centre_b.
    """

    root: Unit
    centre_a: Unit
    dept_a1: Unit
    team_a1x: Unit
    centre_b: Unit
    dept_b1: Unit
    users: dict[str, User | None]
    extra: dict[str, Any] = field(default_factory=dict)


def build_world() -> World:
    root = make_unit("Direktion", kind="executive")
    centre_a = make_unit("Center A", parent=root, kind="centre")
    dept_a1 = make_unit("Afdeling A1", parent=centre_a)
    team_a1x = make_unit("Team A1x", parent=dept_a1, kind="team")
    centre_b = make_unit("Center B", parent=root, kind="centre")
    dept_b1 = make_unit("Afdeling B1", parent=centre_b)
    users: dict[str, User | None] = {
        "anonymous": None,
        "employee": make_employee(dept_a1, "employee"),
        "leader": make_leader(centre_a, "leader", level="leader_of_leaders"),
        "other_leader": make_leader(centre_b, "other_leader", level="leader_of_leaders"),
        "hr": make_hr("hr"),
        "executive": make_executive("executive"),
        "admin": make_admin("admin"),
    }
    return World(root, centre_a, dept_a1, team_a1x, centre_b, dept_b1, users)


@dataclass
class Case:
    """How each role fares on GET of one named URL.

    `kwargs` builds the URL arguments from the world (and may create objects in it);
    `expect` maps each role in ROLES to OK, LOGIN, DENIED, REDIRECT or NOT_ALLOWED.
    """

    expect: dict[str, str]
    kwargs: Callable[[World], dict[str, Any]] = lambda world: {}
    query: str = ""


def everyone(outcome: str) -> dict[str, str]:
    return dict.fromkeys(ROLES, outcome)


def logged_in(outcome: str) -> dict[str, str]:
    return {**everyone(outcome), "anonymous": LOGIN}


def whole_tree_only() -> dict[str, str]:
    """HR, executive board and administrators."""
    return {**logged_in(DENIED), "hr": OK, "executive": OK, "admin": OK}


def hr_only() -> dict[str, str]:
    return {**logged_in(DENIED), "hr": OK, "admin": OK}
