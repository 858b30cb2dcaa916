"""The goals API: read with the same rules as the pages; record measurements all-or-nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from kerne.accounts.models import ApiToken, hash_token
from kerne.goals.models import Measurement
from tests.goals.helpers import make_effect_goal, make_indicator, make_unit_goal

pytestmark = pytest.mark.django_db


def _client(user) -> tuple[Client, dict[str, str]]:
    secret = ApiToken.new_secret()
    ApiToken.objects.create(user=user, name="test", token_hash=hash_token(secret))
    return Client(), {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_read_goals_and_indicators_with_the_page_rules(world):
    make_effect_goal(world.root)
    make_unit_goal(world.dept_b1)
    mine = make_indicator(world.dept_a1, code="a")
    beside = make_indicator(world.dept_b1, code="b")
    client, auth = _client(world.users["employee"])
    assert [i["code"] for i in client.get("/api/goals/indicators", **auth).json()] == ["a"]
    assert client.get(f"/api/goals/indicators/{beside.pk}", **auth).status_code == 404
    body = client.get(f"/api/goals/indicators/{mine.pk}", **auth).json()
    assert body["status"]["status"] == "no_status" and body["series"] == []
    assert len(client.get("/api/goals/effect-goals", **auth).json()) == 1
    assert client.get("/api/goals/unit-goals", **auth).json() == []


def test_record_measurements_all_or_nothing(world):
    make_indicator(world.dept_a1, code="a", frequency="monthly")
    client, auth = _client(world.users["leader"])
    a1, b1 = world.dept_a1.external_key, world.dept_b1.external_key
    bad = {
        "measurements": [
            {"indicator": "a", "unit": a1, "period": "2025-01", "value": "12,5"},
            {"indicator": "a", "unit": b1, "period": "2025-01", "value": 3},
            {"indicator": "x", "unit": a1, "period": "jan", "value": "?"},
        ]
    }
    response = client.post("/api/goals/measurements", bad, content_type="application/json", **auth)
    assert response.status_code == 400
    assert {(e["index"], e["field"]) for e in response.json()} == {
        (1, "unit"),
        (2, "indicator"),
        (2, "period"),
        (2, "value"),
    }
    assert Measurement.objects.count() == 0
    good = {"measurements": [bad["measurements"][0]]}
    response = client.post("/api/goals/measurements", good, content_type="application/json", **auth)
    assert response.status_code == 200 and response.json() == {"created": 1, "corrected": 0, "unchanged": 0}
    assert Measurement.objects.get().origin == "api"
