"""The results API: the same access and anonymity as the pages; hidden numbers are null."""

from __future__ import annotations

from typing import Any

from django.test import Client

from kerne.accounts.models import ApiToken, hash_token
from kerne.results.services import round_release


def _client(user: Any) -> tuple[Client, dict[str, str]]:
    secret = ApiToken.new_secret()
    ApiToken.objects.create(user=user, name="test", token_hash=hash_token(secret))
    return Client(), {"Authorization": f"Bearer {secret}"}


def test_unit_results_with_hidden_numbers_as_null(world):
    client, auth = _client(world.users["hr"])
    round_id = world.extra["round"].pk
    body = client.get(f"/api/results/rounds/{round_id}/units/{world.dept_a1.pk}", headers=auth).json()
    assert body["total"]["respondents"] == 11
    d0 = next(d for d in body["dimensions"] if d["key"] == "d0")
    assert round(d0["stat"]["mean"], 2) == 77.27
    hidden = client.get(f"/api/results/rounds/{round_id}/units/{world.dept_b1.pk}", headers=auth).json()
    assert hidden["total"]["respondents"] is None and hidden["total"]["rate"] is None
    assert all(d["stat"]["mean"] is None and d["stat"]["n"] is None for d in hidden["dimensions"])
    heat = client.get(f"/api/results/rounds/{round_id}/heatmap", headers=auth).json()
    rows = {r["name"]: r for r in heat["rows"]}
    assert rows["Afdeling B1"]["cells"] == [None, None]


def test_same_access_as_the_pages(world):
    round_id = world.extra["round"].pk
    employee, auth = _client(world.users["employee"])
    url = f"/api/results/rounds/{round_id}/units/{world.dept_a1.pk}"
    assert employee.get(url, headers=auth).status_code == 404  # not released
    assert employee.get("/api/results/rounds", headers=auth).json() == []
    round_release(actor=world.users["hr"], round=world.extra["round"])
    assert employee.get(url, headers=auth).status_code == 200
    team_url = f"/api/results/rounds/{round_id}/units/{world.team_a1x.pk}"
    assert employee.get(team_url, headers=auth).status_code == 404
    assert employee.get(f"/api/results/rounds/{round_id}/heatmap", headers=auth).status_code == 404
    rounds = employee.get("/api/results/rounds", headers=auth).json()
    assert rounds[0]["units"] == [world.dept_a1.pk]
    other, other_auth = _client(world.users["other_leader"])
    assert other.get(url, headers=other_auth).status_code == 404
    assert Client().get(url).status_code == 401


def test_evaluation_api(evaluation_world):
    w = evaluation_world
    client, auth = _client(w.users["hr"])
    url = f"/api/results/rounds/{w.extra['round'].pk}/evaluations/{w.extra['evaluation'].pk}"
    body = client.get(url, headers=auth).json()
    groups = {g["key"]: g for g in body["groups"]}
    assert groups["peer"]["respondents"] is None and groups["manager"]["respondents"] == 1
    other, other_auth = _client(w.users["other_leader"])
    assert other.get(url, headers=other_auth).status_code == 404


def test_results_endpoints_are_in_the_openapi_schema(db):
    schema = Client().get("/api/schema").json()
    paths = schema["paths"]
    assert "/api/results/rounds/{round_id}/units/{unit_id}" in paths
    assert "/api/results/rounds/{round_id}/heatmap" in paths
