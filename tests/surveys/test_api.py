"""The surveys JSON API: every endpoint per role, and the same rules as the pages."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from kerne.accounts.models import ApiToken, hash_token
from kerne.surveys.instruments import export_instrument, shipped_instrument
from kerne.surveys.models import Instrument, Round
from tests.access import build_world
from tests.surveys.factories import answer, make_invitation, make_round

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    secret = ApiToken.new_secret()
    ApiToken.objects.create(user=user, name="test", token_hash=hash_token(secret))
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _round_payload(unit, **extra):
    now = timezone.now()
    return {
        "name": "API-måling",
        "instrument_id": shipped_instrument("social_capital").pk,
        "target_unit_id": unit.pk,
        "opens_at": (now - dt.timedelta(hours=1)).isoformat(),
        "closes_at": (now + dt.timedelta(days=7)).isoformat(),
        "cut_off_date": now.date().isoformat(),
        **extra,
    }


def _endpoints(world):
    draft = make_round(target=world.centre_a, status=Round.Status.DRAFT)
    running = make_round(target=world.centre_a)
    instrument = shipped_instrument("citizen")
    yaml_text = export_instrument(instrument)
    return [
        ("get", "/api/surveys/rounds", None),
        ("post", "/api/surveys/rounds", _round_payload(world.centre_a)),
        ("get", f"/api/surveys/rounds/{draft.pk}", None),
        ("post", f"/api/surveys/rounds/{draft.pk}/launch", None),
        ("get", f"/api/surveys/rounds/{running.pk}/status", None),
        ("get", "/api/surveys/instruments", None),
        ("post", "/api/surveys/instruments/import", {"format": "yaml", "content": yaml_text}),
        ("get", f"/api/surveys/instruments/{instrument.pk}/export?format=json", None),
    ]


@pytest.mark.parametrize("role", ["employee", "leader", "other_leader", "executive", "hr", "admin"])
def test_every_endpoint_per_role(role):
    world = build_world()
    client = _client(world.users[role])
    allowed = role in ("hr", "admin")
    for method, url, body in _endpoints(world):
        if body is None:
            response = getattr(client, method)(url)
        else:
            response = getattr(client, method)(url, data=json.dumps(body), content_type="application/json")
        if allowed:
            assert response.status_code in (200, 201), (url, response.status_code, response.content[:300])
        else:
            assert response.status_code == 403, (url, response.status_code)


def test_without_a_token_everything_is_401():
    world = build_world()
    for method, url, _body in _endpoints(world):
        assert getattr(Client(), method)(url).status_code == 401, url


def test_create_refuses_k_below_3_and_launch_and_status_work():
    world = build_world()
    client = _client(world.users["hr"])
    response = client.post(
        "/api/surveys/rounds",
        data=json.dumps(_round_payload(world.centre_a, k=2)),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "k" in response.json()["errors"] and "3" in response.json()["errors"]["k"]
    response = client.post(
        "/api/surveys/rounds",
        data=json.dumps(_round_payload(world.centre_a)),
        content_type="application/json",
    )
    created = response.json()
    assert response.status_code == 201 and created["status"] == "draft"
    launched = client.post(f"/api/surveys/rounds/{created['id']}/launch")
    assert launched.status_code == 200
    assert launched.json()["invitations"] == 2  # the employee of dept A1 and the leader of centre A
    again = client.post(f"/api/surveys/rounds/{created['id']}/launch")
    assert again.status_code == 400
    status = client.get(f"/api/surveys/rounds/{created['id']}/status").json()
    assert status["k"] == 5 and status["total"]["answered"] is None and status["total"]["invited"] == 2


def test_status_suppresses_like_the_page():
    world = build_world()
    round_ = make_round(target=world.centre_a)
    for unit, invited, answered in ((world.dept_a1, 6, 4), (world.team_a1x, 3, 2)):
        for i in range(invited):
            invitation, _ = make_invitation(round_, unit=unit)
            if i < answered:
                answer(invitation)
    status = _client(world.users["hr"]).get(f"/api/surveys/rounds/{round_.pk}/status").json()
    rows = {row["label"]: row for row in status["groups"]}
    assert rows["Center A"]["answered"] == 6 and rows["Center A"]["rate"] == round(6 / 9, 4)
    assert rows["Team A1x"]["answered"] is None and rows["Team A1x"]["rate"] is None
    # Dept A1 (9 with the team) equals centre A (9): showing it reveals nothing new.
    assert rows["Afdeling A1"]["answered"] == 6
    assert "3 af" not in json.dumps(status)


def test_instrument_import_reports_lines_and_export_round_trips():
    world = build_world()
    client = _client(world.users["hr"])
    response = client.post(
        "/api/surveys/instruments/import",
        data=json.dumps({"format": "yaml", "content": "key: x\nkind: nonsense\n"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert any(error.startswith("line") for error in response.json()["errors"])
    # A one-line "file name" is never read from the server's disk.
    response = client.post(
        "/api/surveys/instruments/import",
        data=json.dumps({"format": "yaml", "content": "kerne/surveys/data/citizen_quality.yaml"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    instrument = shipped_instrument("social_capital")
    exported = client.get(f"/api/surveys/instruments/{instrument.pk}/export")
    assert exported.status_code == 200 and exported["Content-Type"].startswith("application/yaml")
    count = Instrument.objects.count()
    text = exported.content.decode().replace("key: social-capital", "key: imported-copy", 1)
    response = client.post(
        "/api/surveys/instruments/import",
        data=json.dumps({"format": "yaml", "content": text}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["items"] == instrument.items.count()
    assert Instrument.objects.count() == count + 1
