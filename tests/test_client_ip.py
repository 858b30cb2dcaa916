"""kerne/client_ip.py: the client's address is read from X-Forwarded-For only through trusted proxies."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from kerne.client_ip import client_ip, parse_address, parse_trusted_proxies, rate_limit_subject


def request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "client"),
    [
        # no proxy trusted (the default): the header is anyone's to forge
        ("", "192.0.2.10", "198.51.100.7", "192.0.2.10"),
        ("", "192.0.2.10", None, "192.0.2.10"),
        # one proxy: the address it appended, whatever the client put in front
        ("1", "10.0.0.1", "198.51.100.7", "198.51.100.7"),
        ("1", "10.0.0.1", "203.0.113.99, 198.51.100.7", "198.51.100.7"),
        ("1", "10.0.0.1", "not-an-address, 198.51.100.7", "198.51.100.7"),
        ("1", "10.0.0.1", None, "10.0.0.1"),
        ("1", "", "198.51.100.7", "198.51.100.7"),  # gunicorn on a Unix socket
        # two proxies: the second from the right
        ("2", "10.0.0.1", "203.0.113.99, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
        ("2", "10.0.0.1", "198.51.100.7", "198.51.100.7"),  # shorter chain: its first hop
        # networks: trusted only from a trusted peer, up to the first untrusted hop
        ("10.0.0.0/8,127.0.0.1", "10.0.0.1", "203.0.113.99, 198.51.100.7", "198.51.100.7"),
        ("10.0.0.0/8,127.0.0.1", "10.0.0.1", "198.51.100.7, 10.3.0.4", "198.51.100.7"),
        ("10.0.0.0/8,127.0.0.1", "127.0.0.1", "198.51.100.7", "198.51.100.7"),
        ("10.0.0.0/8,127.0.0.1", "192.0.2.10", "198.51.100.7", "192.0.2.10"),  # forged by a stranger
        ("10.0.0.0/8", "10.0.0.1", "10.0.0.2, 10.0.0.3", "10.0.0.2"),  # only proxies: the farthest
        ("10.0.0.0/8", "10.0.0.1", "garbage", "10.0.0.1"),  # a proxy wrote nothing usable
        # ports, brackets and mapped addresses as proxies write them
        ("1", "10.0.0.1", "198.51.100.7:51234", "198.51.100.7"),
        ("1", "10.0.0.1", '"[2001:db8::7]:443"', "2001:db8::7"),
        ("1", "::ffff:10.0.0.1", "::ffff:198.51.100.7", "198.51.100.7"),
        ("::1", "::1", "2001:db8::7", "2001:db8::7"),
    ],
)
def test_client_address_through_trusted_proxies_only(settings, trusted, remote, forwarded, client):
    settings.KERNE_TRUSTED_PROXIES = trusted
    assert client_ip(request(remote, forwarded)) == client


def test_a_long_forged_chain_is_not_read_past_its_last_hops(settings):
    settings.KERNE_TRUSTED_PROXIES = "10.0.0.0/8"
    forwarded = ", ".join(["10.0.0.9"] * 100_000)
    assert client_ip(request("10.0.0.1", forwarded)) == "10.0.0.9"


@pytest.mark.parametrize("value", ["1", "3", "", " ", "10.0.0.0/8", "10.0.0.0/8, 127.0.0.1, ::1, fd00::/8"])
def test_trusted_proxies_setting_accepts_counts_and_networks(value):
    parse_trusted_proxies(value)


@pytest.mark.parametrize("value", ["proxy.example", "10.0.0.0/33", "-1", "1,2"])
def test_a_bad_trusted_proxies_setting_stops_the_start(value, monkeypatch):
    with pytest.raises(ValueError, match="KERNE_TRUSTED_PROXIES"):
        parse_trusted_proxies(value)
    import importlib

    import kerne.settings

    monkeypatch.setenv("KERNE_TRUSTED_PROXIES", value)
    with pytest.raises(ImproperlyConfigured, match="KERNE_TRUSTED_PROXIES"):
        importlib.reload(kerne.settings)
    monkeypatch.delenv("KERNE_TRUSTED_PROXIES")
    importlib.reload(kerne.settings)


def test_ipv6_clients_are_limited_per_64_network():
    assert rate_limit_subject("2001:db8:1:2:aaaa::1") == rate_limit_subject("2001:db8:1:2:bbbb::2")
    assert rate_limit_subject("2001:db8:1:2::1") != rate_limit_subject("2001:db8:1:3::1")
    assert rate_limit_subject("198.51.100.7") == "198.51.100.7"
    assert parse_address("nonsense") is None
