"""Who records measurements and overrides a status (issue 10, point 8).

Recording: the leaders up the chain, and HR for every unit (central figures); the executive board
only through a leader engagement. Overriding: the leaders up the chain only. The same rule on the
page, the import, the API and the management command."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group as AuthGroup
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kerne.accounts.models import ApiToken, Group, hash_token
from kerne.goals import selectors
from kerne.goals.models import Measurement, StatusOverride
from tests.factories import make_leader
from tests.goals.helpers import make_indicator

pytestmark = pytest.mark.django_db


def _director(world):
    """A director: in the executive board's group and leading the top unit."""
    director = make_leader(world.root, "director", level="executive")
    director.groups.add(AuthGroup.objects.get_or_create(name=Group.EXECUTIVE)[0])
    return director


def test_the_rule_per_role(world):
    director = _director(world)
    unit = world.team_a1x
    record = {
        role: selectors.can_record_measurements(user, unit) for role, user in world.users.items() if user
    }
    assert record == {
        "employee": False,
        "leader": True,
        "other_leader": False,
        "hr": True,
        "executive": False,
        "admin": True,
    }
    override = {role: selectors.can_override_status(user, unit) for role, user in world.users.items() if user}
    assert override == {
        "employee": False,
        "leader": True,
        "other_leader": False,
        "hr": False,
        "executive": False,
        "admin": False,
    }
    assert selectors.can_record_measurements(director, unit) and selectors.can_override_status(director, unit)
    assert set(selectors.measurement_units(world.users["hr"])) == set(selectors.goal_units(world.users["hr"]))
    assert list(selectors.measurement_units(world.users["executive"])) == []
    assert {u.pk for u in selectors.measurement_units(world.users["leader"])} == {
        world.centre_a.pk,
        world.dept_a1.pk,
        world.team_a1x.pk,
    }


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pages_follow_the_rule(world):
    indicator = make_indicator(world.dept_b1, frequency="monthly")
    page = f"/maal/indikatorer/{indicator.pk}/?unit={world.dept_b1.pk}"
    html = _client(world.users["hr"]).get(page).content.decode()
    assert "Registrér måling" in html and "Tilsidesæt status" not in html
    html = _client(world.users["other_leader"]).get(page).content.decode()
    assert "Registrér måling" in html and "Tilsidesæt status" in html
    html = _client(world.users["executive"]).get(page).content.decode()
    assert "Registrér måling" not in html and "Tilsidesæt status" not in html

    measurement = {"unit": world.dept_b1.pk, "period": "2025-01", "value": "7"}
    override = {"unit": world.dept_b1.pk, "status": "at_risk", "reason": "Vi ved bedre"}
    url = f"/maal/indikatorer/{indicator.pk}"
    assert _client(world.users["hr"]).post(f"{url}/maaling/", measurement).status_code == 302
    assert _client(world.users["executive"]).post(f"{url}/maaling/", measurement).status_code == 403
    assert _client(world.users["hr"]).post(f"{url}/status/", override).status_code == 403
    assert _client(world.users["executive"]).post(f"{url}/status/", override).status_code == 403
    assert _client(world.users["admin"]).post(f"{url}/status/", override).status_code == 403
    assert not StatusOverride.objects.exists()
    assert _client(_director(world)).post(f"{url}/status/", override).status_code == 302
    assert _client(world.users["other_leader"]).post(f"{url}/status/", override).status_code == 302
    assert StatusOverride.objects.count() == 2
    assert Measurement.objects.get().entered_by == world.users["hr"]


def test_import_and_api_follow_the_rule(world):
    make_indicator(world.dept_b1, code="syg", frequency="monthly")
    csv = f"indikator;enhed;periode;værdi\nsyg;{world.dept_b1.external_key};2025-01;4,2\n".encode()
    response = _client(world.users["executive"]).post(
        "/maal/import/", {"file": SimpleUploadedFile("s.csv", csv)}
    )
    assert response.status_code == 403
    response = _client(world.users["leader"]).post(
        "/maal/import/", {"file": SimpleUploadedFile("s.csv", csv)}
    )
    assert response.status_code == 200 and "Du kan ikke registrere målinger" in response.content.decode()
    response = _client(world.users["hr"]).post("/maal/import/", {"file": SimpleUploadedFile("s.csv", csv)})
    assert response.status_code == 302 and Measurement.objects.count() == 1

    body = {
        "measurements": [
            {"indicator": "syg", "unit": world.dept_b1.external_key, "period": "2025-02", "value": 3}
        ]
    }
    for role, expected in (("executive", 400), ("hr", 200)):
        secret = ApiToken.new_secret()
        ApiToken.objects.create(user=world.users[role], name="t", token_hash=hash_token(secret))
        response = Client().post(
            "/api/goals/measurements",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )
        assert response.status_code == expected, role
    assert Measurement.objects.filter(period=dt.date(2025, 2, 1)).count() == 1
