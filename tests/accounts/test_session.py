"""Session lifetime (issue 10, point 8): a login lasts 8 hours by default, SESSION_LIFETIME_HOURS
sets it, and a session past its lifetime is logged out."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_a_login_lasts_eight_hours():
    make_user("maria")
    client = Client()
    before = timezone.now()
    response = client.post("/konto/login/", {"username": "maria", "password": "kerne-test-pw"})
    assert response.status_code == 302
    assert response.cookies["sessionid"]["max-age"] == 8 * 3600
    session = Session.objects.get()
    assert dt.timedelta(hours=8) <= session.expire_date - before < dt.timedelta(hours=8, minutes=1)
    assert client.get("/maal/").status_code == 200
    # Past its lifetime the session is gone: the next page asks for a login again.
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/maal/")
    assert response.status_code == 302 and "/konto/login/" in response["Location"]


@pytest.mark.parametrize(("value", "seconds"), [("2", 7200), ("0", 3600), ("", 8 * 3600)])
def test_session_lifetime_is_configurable(value, seconds):
    env = {
        **os.environ,
        "DEBUG": "1",
        "SESSION_LIFETIME_HOURS": value,
        "DJANGO_SETTINGS_MODULE": "kerne.settings",
    }
    done = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SESSION_COOKIE_AGE)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(done.stdout) == seconds
