"""Writes: corrections keep history, goal re-linking and lifting keep history, overrides, audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kerne.accounts.models import AuditEntry
from kerne.goals import services
from kerne.goals.models import GoalEvent, GoalLink, Measurement, MeasurementHistory, RolloutState
from kerne.goals.series import statuses_for
from kerne.goals.status import Status
from tests.goals.helpers import make_effect_goal, make_indicator, make_rollout, make_unit_goal

pytestmark = pytest.mark.django_db


def test_a_correction_replaces_the_value_and_keeps_the_old_one(world):
    leader = world.users["leader"]
    indicator = make_indicator(world.dept_a1, frequency="monthly")
    m, outcome = services.measurement_record(
        actor=leader,
        indicator=indicator,
        unit=world.dept_a1,
        period=dt.date(2025, 3, 17),
        value=Decimal("12.5"),
    )
    assert outcome == services.CREATED and m.period == dt.date(2025, 3, 1)
    _m, outcome = services.measurement_record(
        actor=leader, indicator=indicator, unit=world.dept_a1, period=dt.date(2025, 3, 1), value=Decimal(13)
    )
    assert outcome == services.CORRECTED
    assert Measurement.objects.get().value == 13
    old = MeasurementHistory.objects.get()
    assert old.value == Decimal("12.5") and old.replaced_by == leader
    _m, outcome = services.measurement_record(
        actor=leader, indicator=indicator, unit=world.dept_a1, period=dt.date(2025, 3, 1), value=Decimal(13)
    )
    assert outcome == services.UNCHANGED and MeasurementHistory.objects.count() == 1
    assert list(
        AuditEntry.objects.filter(object_type="goals.Measurement").values_list("action", flat=True)
    ) == ["measurement.correct", "measurement.create"]


def test_relinking_and_lifting_keep_the_history(world):
    leader = world.users["leader"]
    first, second = (
        make_effect_goal(world.root, title_da="Første"),
        make_effect_goal(world.root, title_da="Andet"),
    )
    goal = make_unit_goal(world.team_a1x, effect_goals=(first,))
    services.unit_goal_relink(actor=leader, goal=goal, effect_goals=[second], reason="Ny strategi")
    links = GoalLink.objects.filter(unit_goal=goal).order_by("pk")
    assert [(link.effect_goal, link.valid_to is None) for link in links] == [(first, False), (second, True)]
    services.unit_goal_lift(actor=leader, goal=goal, to_unit=world.dept_a1, reason="Gælder hele afdelingen")
    goal.refresh_from_db()
    assert goal.unit == world.dept_a1
    kinds = list(goal.events.order_by("pk").values_list("kind", flat=True))
    assert kinds == [
        GoalEvent.Kind.CREATED,
        GoalEvent.Kind.LINKED,
        GoalEvent.Kind.UNLINKED,
        GoalEvent.Kind.LINKED,
        GoalEvent.Kind.LIFTED,
    ]
    assert AuditEntry.objects.filter(action="unit_goal.lift", object_id=str(goal.pk)).exists()
    with pytest.raises(services.GoalError):
        services.unit_goal_lift(actor=leader, goal=goal, to_unit=world.centre_b, reason="sidelæns")


def test_status_override_wins_until_cleared(world):
    leader = world.users["leader"]
    indicator = make_indicator(world.dept_a1)
    services.measurement_record(
        actor=leader, indicator=indicator, unit=world.dept_a1, period=dt.date(2025, 1, 1), value=Decimal(10)
    )
    pair = [(indicator, world.dept_a1)]
    assert (
        statuses_for(pair, dt.date(2025, 2, 1))[(indicator.pk, world.dept_a1.pk)].status == Status.OFF_TRACK
    )
    with pytest.raises(services.GoalError):
        services.status_override_set(
            actor=leader, indicator=indicator, unit=world.dept_a1, status="at_risk", reason=" "
        )
    services.status_override_set(
        actor=leader, indicator=indicator, unit=world.dept_a1, status="at_risk", reason="Ny opgørelse på vej"
    )
    status = statuses_for(pair, dt.date(2025, 2, 1))[(indicator.pk, world.dept_a1.pk)]
    assert status.status == Status.AT_RISK and status.computed.status == Status.OFF_TRACK
    services.status_override_set(
        actor=leader, indicator=indicator, unit=world.dept_a1, status=None, reason="Tilbage"
    )
    assert (
        statuses_for(pair, dt.date(2025, 2, 1))[(indicator.pk, world.dept_a1.pk)].status == Status.OFF_TRACK
    )


def test_rollout_state_rules(world):
    rollout = make_rollout(world.centre_a)
    leader = world.users["leader"]
    with pytest.raises(services.GoalError):
        services.rollout_state_set(actor=leader, rollout=rollout, unit=world.dept_a1, state="not_relevant")
    with pytest.raises(services.GoalError):
        services.rollout_state_set(actor=leader, rollout=rollout, unit=world.dept_b1, state="underway")
    services.rollout_state_set(
        actor=leader, rollout=rollout, unit=world.dept_a1, state="underway", note="Kick-off"
    )
    services.rollout_state_set(actor=leader, rollout=rollout, unit=world.dept_a1, state="implemented")
    state = RolloutState.objects.get()
    assert state.state == "implemented" and state.updated_by == leader
    assert AuditEntry.objects.filter(action="rollout_state.set").count() == 2
