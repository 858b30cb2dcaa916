from __future__ import annotations

import pytest
from django.test import Client

from kerne.accounts.models import ApiToken, hash_token
from tests.factories import make_hr, make_leader, make_unit

pytestmark = pytest.mark.django_db


def _token_for(user) -> str:
    secret = ApiToken.new_secret()
    ApiToken.objects.create(user=user, name="test", token_hash=hash_token(secret))
    return secret


def test_api_requires_a_valid_bearer_token():
    client = Client()
    assert client.get("/api/me").status_code == 401
    assert client.get("/api/me", HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 401


def test_api_token_identifies_the_user_and_only_its_hash_is_stored():
    unit = make_unit()
    leader = make_leader(unit, "leder")
    secret = _token_for(leader)
    assert not ApiToken.objects.filter(token_hash=secret).exists()
    response = Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    assert response.json() == {
        "username": "leder",
        "hr": False,
        "executive": False,
        "admin": False,
        "leads": [unit.pk],
    }


def test_openapi_schema_is_served():
    hr = make_hr()
    response = Client().get("/api/schema", HTTP_AUTHORIZATION=f"Bearer {_token_for(hr)}")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Kerne API"
