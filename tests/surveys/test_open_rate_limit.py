"""The open-survey rate limit behind a proxy (issue 10, point 3): it counts per client, as the
trusted proxies report the client, in a cache every worker shares."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from django.core.cache import caches
from django.core.cache.backends import locmem
from django.test import Client
from django.urls import reverse

from kerne.cache import SharedDatabaseCache
from kerne.surveys.models import Response, Round
from kerne.surveys.submission import OPEN_RATE_LIMIT, open_rate_limited
from kerne.surveys.views_answer import FORM_URLENCODED
from tests.surveys.factories import full_answers, make_open_link, make_round

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"


@pytest.fixture(autouse=True)
def _answer_stack(settings):
    settings.MIDDLEWARE = settings.ANSWER_MIDDLEWARE  # as kerne/wsgi.py serves /svar/


@pytest.fixture
def page() -> tuple[str, Round]:
    round = make_round(instrument="citizen", mode=Round.Mode.OPEN_LINK)
    return reverse("answer:open", kwargs={"slug": make_open_link(round).slug}), round


def submit(page: tuple[str, Round], **headers: str) -> int:
    """GET the form (for its nonce) and send it, from a fresh browser, through `headers`."""
    path, round = page
    client = Client(**headers)
    nonce = re.search(r'name="nonce" value="([^"]+)"', client.get(path).content.decode()).group(1)
    data = {f"q-{key}": value for key, value in full_answers(round.instrument, "4").items()}
    body = urlencode({**data, "nonce": nonce})
    return client.post(path, body, content_type=FORM_URLENCODED).status_code


def citizen(address: str, *, proxy: str = PROXY) -> dict[str, str]:
    return {"REMOTE_ADDR": proxy, "HTTP_X_FORWARDED_FOR": address}


def test_two_citizens_behind_one_proxy_are_two_buckets(settings, page):
    settings.KERNE_TRUSTED_PROXIES = "1"
    for _ in range(OPEN_RATE_LIMIT):
        assert submit(page, **citizen("198.51.100.7")) == 303
    assert submit(page, **citizen("198.51.100.7")) == 429
    assert submit(page, **citizen("198.51.100.8")) == 303
    assert Response.objects.count() == OPEN_RATE_LIMIT + 1


def test_a_forged_forwarded_for_does_not_open_a_new_bucket(settings, page):
    settings.KERNE_TRUSTED_PROXIES = "10.0.0.0/8"
    # from an untrusted peer, a different X-Forwarded-For on every request changes nothing
    for n in range(OPEN_RATE_LIMIT):
        assert submit(page, **citizen(f"203.0.113.{n}", proxy="192.0.2.66")) == 303
    assert submit(page, **citizen("203.0.113.200", proxy="192.0.2.66")) == 429
    # through the trusted proxy, what the client wrote in front of its address changes nothing
    for n in range(OPEN_RATE_LIMIT):
        assert submit(page, **citizen(f"203.0.113.{n}, 198.51.100.7")) == 303
    assert submit(page, **citizen("203.0.113.200, 198.51.100.7")) == 429


def test_the_limit_holds_in_a_new_worker_process(settings, page):
    settings.KERNE_TRUSTED_PROXIES = "1"
    for _ in range(OPEN_RATE_LIMIT):
        assert submit(page, **citizen("198.51.100.7")) == 303
    # Another gunicorn worker: none of this process's memory (its caches) is there.
    locmem._caches.clear()
    locmem._expire_info.clear()
    for alias in settings.CACHES:
        caches[alias].close()
        del caches[alias]
    assert submit(page, **citizen("198.51.100.7")) == 429


def test_the_limit_is_counted_once_across_processes():
    # Two processes' caches: two connections' worth of cache objects on one table.
    first, second = SharedDatabaseCache("kerne_cache", {}), SharedDatabaseCache("kerne_cache", {})
    results = [
        open_rate_limited("198.51.100.7", cache=(first, second)[n % 2]) for n in range(OPEN_RATE_LIMIT + 1)
    ]
    assert results == [False] * OPEN_RATE_LIMIT + [True]
    assert open_rate_limited("198.51.100.8", cache=second) is False


def test_the_count_keeps_its_window_and_stores_no_address():
    shared = caches["shared"]
    assert isinstance(shared, SharedDatabaseCache)
    for _ in range(3):
        open_rate_limited("198.51.100.7")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key, expires FROM kerne_cache")
        rows = cursor.fetchall()
    assert len(rows) == 1 and "198.51.100.7" not in rows[0][0]
    key = rows[0][0].split(":", 2)[2]  # KEY_PREFIX:version:key
    assert shared.get(key) == 3


def test_an_ipv6_client_is_one_bucket_per_64_network():
    for n in range(OPEN_RATE_LIMIT):
        assert open_rate_limited(f"2001:db8:1:2::{n + 1:x}") is False
    assert open_rate_limited("2001:db8:1:2:ffff::1") is True
    assert open_rate_limited("2001:db8:1:3::1") is False


def test_shared_cache_increments_keep_the_expiry():
    shared = caches["shared"]
    shared.add("counter", 1, timeout=30)
    assert shared.incr("counter") == 2 and shared.incr("counter", 5) == 7
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM kerne_cache")
        first = cursor.fetchone()[0]
        shared.incr("counter")
        cursor.execute("SELECT expires FROM kerne_cache")
        assert cursor.fetchone()[0] == first
    with pytest.raises(ValueError):
        shared.incr("missing")
    shared.add("old", 1, timeout=-1)  # already expired
    shared.add("new", 1, timeout=30)  # a new entry sweeps expired ones away
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM kerne_cache")
        assert cursor.fetchone()[0] == 2


@pytest.mark.django_db(transaction=True)
def test_workers_counting_at_the_same_moment_lose_no_step():
    import threading

    from django.db import connection, connections

    if connection.vendor == "sqlite":
        # The in-memory test database locks whole tables between threads (SQLITE_LOCKED, no
        # busy wait); processes on a database file: tests/test_cache_table.py.
        pytest.skip("PostgreSQL: threads on the test database")
    shared = caches["shared"]
    shared.clear()
    shared.add("together", 0, timeout=60)
    start = threading.Barrier(4)

    def worker() -> None:
        try:
            start.wait()
            for _ in range(10):
                caches["shared"].incr("together")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert shared.get("together") == 40
    shared.clear()
