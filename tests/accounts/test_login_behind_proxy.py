"""The login lock-out behind a proxy (issue 10, point 3): django-axes locks a username for the
client that guessed, as the trusted proxies report it, not for everyone behind the proxy."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client

from tests.factories import make_user

pytestmark = pytest.mark.django_db

LOGIN = "/konto/login/"
PROXY = "10.0.0.1"


@pytest.fixture(autouse=True)
def _lock_after_three(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    make_user("maria")


def browser(address: str, *, proxy: str = PROXY) -> Client:
    return Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=address)


def guess(client: Client, password: str = "wrong") -> int:
    return client.post(LOGIN, {"username": "maria", "password": password}).status_code


def test_failures_from_one_client_do_not_lock_the_account_for_another(settings):
    settings.KERNE_TRUSTED_PROXIES = "1"
    attacker = browser("203.0.113.66")
    assert [guess(attacker) for _ in range(3)][-1] == 429
    assert guess(attacker, "kerne-test-pw") == 429  # locked for the one who guessed
    maria = browser("198.51.100.7")
    assert guess(maria, "kerne-test-pw") == 302  # Maria, behind the same proxy, logs in
    assert AccessAttempt.objects.get().ip_address == "203.0.113.66"


def test_a_forged_forwarded_for_does_not_escape_the_lock(settings):
    settings.KERNE_TRUSTED_PROXIES = "10.0.0.0/8"
    # straight from an untrusted peer: the header is ignored, the peer is locked
    statuses = [guess(browser(f"198.51.100.{n}", proxy="192.0.2.66")) for n in range(4)]
    assert statuses[2:] == [429, 429]
    # through the proxy: what the client writes in front of its address is ignored
    statuses = [guess(browser(f"198.51.100.{n}, 203.0.113.66")) for n in range(4)]
    assert statuses[2:] == [429, 429]
    locked = sorted(AccessAttempt.objects.values_list("ip_address", flat=True))
    assert locked == ["192.0.2.66", "203.0.113.66"]


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.KERNE_TRUSTED_PROXIES = ""
    statuses = [guess(browser(f"198.51.100.{n}")) for n in range(3)]
    assert statuses[-1] == 429
    assert AccessAttempt.objects.get().ip_address == PROXY
