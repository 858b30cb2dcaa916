"""The development outbox: in DEBUG e-mail goes to files under var/outbox/ (never to a log),
and administrators read it on /konto/udbakke/; without DEBUG the page does not exist."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from kerne.surveys import services
from kerne.surveys.models import Round
from tests.access import ROLES, build_world
from tests.surveys.factories import make_round
from tests.surveys.small_org import build_small_org

pytestmark = pytest.mark.django_db

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def outbox(settings, tmp_path: Path) -> Path:
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "outbox"
    return tmp_path / "outbox"


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_development_e_mail_goes_to_files_not_to_the_console(tmp_path: Path):
    def settings_with(**env: str) -> list[str]:
        environment = {k: v for k, v in os.environ.items() if k not in ("EMAIL_BACKEND", "EMAIL_FILE_PATH")}
        environment.update(env)
        code = "import kerne.settings as s; print(s.EMAIL_BACKEND); print(s.EMAIL_FILE_PATH)"
        result = subprocess.run(
            [sys.executable, "-c", code],
            env=environment,
            cwd=PROJECT,
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.split()

    var = tmp_path / "var"
    assert settings_with(DEBUG="1", KERNE_VAR_DIR=str(var)) == [
        "django.core.mail.backends.filebased.EmailBackend",
        str(var / "outbox"),
    ]
    elsewhere = tmp_path / "mail"
    configured = settings_with(DEBUG="1", KERNE_VAR_DIR=str(var), EMAIL_FILE_PATH=str(elsewhere))
    assert configured[1] == str(elsewhere)


def test_the_outbox_is_for_administrators_and_only_in_debug(settings, outbox):
    world = build_world()
    expected = {"anonymous": 302, "admin": 200}
    for role in ROLES:
        response = _client(world.users[role]).get(reverse("accounts:outbox"))
        assert response.status_code == expected.get(role, 403), role
    admin_page = _client(world.users["admin"]).get("/").content.decode()
    hr_page = _client(world.users["hr"]).get("/").content.decode()
    assert reverse("accounts:outbox") in admin_page and reverse("accounts:outbox") not in hr_page

    settings.DEBUG = False
    message = reverse("accounts:outbox_message", args=["20260101-120000-1.log", 0])
    for role in ROLES:
        for url in (reverse("accounts:outbox"), message):
            assert _client(world.users[role]).get(url).status_code == 404, (role, url)
    assert reverse("accounts:outbox") not in _client(world.users["admin"]).get("/").content.decode()


def test_the_outbox_lists_a_sent_invitation_and_shows_it(outbox, django_capture_on_commit_callbacks):
    world = build_world()
    org = build_small_org()
    round_ = make_round(target=org.nursing, status=Round.Status.DRAFT, name="Trivsel i Sygeplejen")
    with django_capture_on_commit_callbacks(execute=True):
        services.round_launch(actor=None, round=round_)
    assert not mail.outbox  # delivered to files, not to Django's test outbox
    assert len(list(outbox.glob("*.log"))) == 1
    addresses = [*(p.email for p in org.staff["nursing"]), org.leaders["sara"].email]

    admin = _client(world.users["admin"])
    page = admin.get(reverse("accounts:outbox")).content.decode()
    assert page.count("Trivsel i Sygeplejen") == 5
    assert all(address in page for address in addresses)
    first = re.search(r'href="(/konto/udbakke/[^"]+/\d+/)"', page)
    assert first is not None
    message = admin.get(first.group(1)).content.decode()
    assert "Trivsel i Sygeplejen" in message and re.search(r"http://[^\s<]+/svar/[A-Za-z0-9_\-]+/", message)
    file_name = first.group(1).split("/")[3]
    assert admin.get(reverse("accounts:outbox_message", args=[file_name, 99])).status_code == 404
    assert admin.get("/konto/udbakke/..%2Fkerne.sqlite3/0/").status_code == 404
