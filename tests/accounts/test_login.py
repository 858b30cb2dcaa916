from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_login_with_right_password_reaches_home():
    make_user("maria")
    response = Client().post("/konto/login/", {"username": "maria", "password": "kerne-test-pw"})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_login_is_locked_after_repeated_guessing(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    make_user("maria")
    client = Client()
    for _ in range(3):
        response = client.post("/konto/login/", {"username": "maria", "password": "wrong"})
    assert response.status_code == 429
    assert "For mange" in response.content.decode()
    # Even the right password is refused while locked.
    response = client.post("/konto/login/", {"username": "maria", "password": "kerne-test-pw"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_wrong_password_shows_an_error_and_no_session():
    make_user("maria")
    client = Client()
    response = client.post("/konto/login/", {"username": "maria", "password": "nope"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert "_auth_user_id" not in client.session
