"""The goals demo: realistic, mixed statuses, a roll-out half-way through, idempotent."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from kerne.goals import coverage, demo
from kerne.goals.models import ChainLink, EffectGoal, Intervention, Measurement, Rollout
from kerne.goals.overview import goal_tree
from kerne.goals.status import Status
from tests.factories import make_unit

pytestmark = pytest.mark.django_db


def test_demo_builds_goals_with_every_status_and_a_half_done_rollout(world):
    for centre in (world.centre_a, world.centre_b):
        for n in range(3):
            make_unit(f"{centre.name} afd {n}", parent=centre)
    out = io.StringIO()
    demo.build(seed=7, stdout=out)
    assert EffectGoal.objects.count() == 5
    assert Intervention.objects.count() == 3
    assert ChainLink.objects.exclude(assumption_da="").count() >= 12
    periods = Measurement.objects.values_list("period", flat=True)
    assert (max(periods) - min(periods)).days > 2 * 365
    tree = goal_tree(world.users["executive"])
    statuses = {node.status for vision in tree.visions for node in vision.effect_goals}
    assert {Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK} <= statuses
    rollout = Rollout.objects.get(root_unit=world.root)
    total = coverage.total(coverage.by_depth(rollout, [world.root]))
    assert 0 < total.in_motion_pct < 100
    demo.build(seed=7, stdout=out)
    assert EffectGoal.objects.count() == 5 and "already" in out.getvalue()
    client = Client()
    client.force_login(world.users["executive"])
    for url in ["/maal/", f"/maal/udrulninger/{rollout.pk}/", "/maal/indikatorer/"]:
        assert client.get(url).status_code == 200
    for intervention in Intervention.objects.all():
        assert client.get(f"/maal/indsatser/{intervention.pk}/").status_code == 200
