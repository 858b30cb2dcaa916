"""Roll-out coverage per level and per centre, overdue units, reminders to their leaders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client

from kerne.goals import coverage, services
from tests.factories import make_leader, make_unit
from tests.goals.helpers import make_rollout

pytestmark = pytest.mark.django_db


def test_coverage_by_depth_and_by_centre(world):
    # Tree: root(0); centre_a(1) → dept_a1(2) → team_a1x(3); centre_b(1) → dept_b1(2). 6 units.
    rollout = make_rollout(world.root, deadline=dt.date(2025, 6, 30))
    actor = world.users["executive"]
    services.rollout_state_set(actor=actor, rollout=rollout, unit=world.dept_a1, state="implemented")
    services.rollout_state_set(actor=actor, rollout=rollout, unit=world.team_a1x, state="underway")
    services.rollout_state_set(
        actor=actor, rollout=rollout, unit=world.dept_b1, state="not_relevant", reason="Ingen borgerkontakt"
    )
    services.rollout_state_set(actor=actor, rollout=rollout, unit=world.centre_b, state="not_started")
    rows = dict(coverage.by_depth(rollout, [world.root]))
    assert {
        d: (c.total, c.not_started, c.underway, c.implemented, c.not_relevant) for d, c in rows.items()
    } == {
        0: (1, 1, 0, 0, 0),
        1: (2, 2, 0, 0, 0),
        2: (2, 0, 0, 1, 1),
        3: (1, 0, 1, 0, 0),
    }
    assert rows[2].implemented_pct == 100.0  # 1 implemented of 1 relevant
    total = coverage.total(list(rows.items()))
    assert (total.total, total.relevant, total.implemented_pct, total.in_motion_pct) == (6, 5, 20.0, 40.0)
    branches = {unit.name: c for unit, c in coverage.by_branch(rollout, world.root)}
    assert {name: (c.total, c.implemented, c.underway) for name, c in branches.items()} == {
        "Center A": (3, 1, 1),
        "Center B": (2, 0, 0),
    }


def test_closed_units_are_left_out(world):
    rollout = make_rollout(world.centre_b)
    closed = make_unit("Lukket", parent=world.centre_b)
    closed.valid_to = dt.date(2020, 1, 1)
    closed.save()
    assert coverage.total(coverage.by_depth(rollout, [world.centre_b])).total == 2


def test_overdue_units_and_reminders_to_their_leaders(world, django_capture_on_commit_callbacks):
    rollout = make_rollout(world.centre_a, deadline=dt.date(2025, 6, 30))
    make_leader(world.dept_a1, "leder_a1")
    services.rollout_state_set(actor=None, rollout=rollout, unit=world.team_a1x, state="implemented")
    assert list(coverage.overdue(rollout, [world.centre_a], dt.date(2025, 6, 30))) == []
    late = coverage.overdue(rollout, [world.centre_a], dt.date(2025, 7, 1))
    assert list(late) == [world.centre_a, world.dept_a1]
    client = Client()
    client.force_login(world.users["executive"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/maal/udrulninger/{rollout.pk}/paamind/")
    assert response.status_code == 302
    recipients = sorted(m.to[0] for m in mail.outbox)
    # The leader of centre A (from the world) and the new leader of A1; team A1x is done.
    assert len(recipients) == 2
    assert all("Udrulning" in m.subject for m in mail.outbox)


def test_rollout_page_for_leader_lists_own_units_and_refuses_beside(world):
    rollout = make_rollout(world.root)
    client = Client()
    client.force_login(world.users["leader"])
    response = client.get(f"/maal/udrulninger/{rollout.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Afdeling A1" in body and "Afdeling B1" not in body
    response = client.post(
        f"/maal/udrulninger/{rollout.pk}/enhed/{world.dept_b1.pk}/",
        {"state": "underway", "reason": "", "note": ""},
    )
    assert response.status_code == 404
    response = client.post(
        f"/maal/udrulninger/{rollout.pk}/enhed/{world.dept_a1.pk}/",
        {"state": "not_relevant", "reason": "", "note": ""},
    )
    assert response.status_code == 200 and "Skriv hvorfor" in response.content.decode()
