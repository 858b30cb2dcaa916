"""kerne/wsgi.py: the answer pages run through their own short middleware stack.

These tests call the WSGI application itself, as gunicorn does, not Django's test client
(which always builds its handler from settings.MIDDLEWARE).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults

import pytest
from django.contrib.sessions.models import Session
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client

from kerne.surveys.models import Response
from kerne.wsgi import application
from tests.factories import make_hr
from tests.surveys.factories import full_answers, make_invitation, make_round

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keep_the_test_transaction() -> Iterator[None]:
    """As Django's test client does: a request must not close the test's connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def call(
    method: str, path: str, *, body: bytes = b"", **headers: str
) -> tuple[int, list[tuple[str, str]], str]:
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "HTTP_HOST": "testserver",
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
        **{f"HTTP_{name.upper()}": value for name, value in headers.items()},
    }
    if body:
        environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
    setup_testing_defaults(environ)
    started: dict[str, object] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: object = None) -> None:
        started["status"], started["headers"] = int(status.split()[0]), response_headers

    result = application(environ, start_response)
    try:
        content = b"".join(result).decode()
    finally:
        result.close()  # type: ignore[attr-defined]
    return started["status"], started["headers"], content  # type: ignore[return-value]


def header_names(headers: list[tuple[str, str]]) -> set[str]:
    return {name.lower() for name, _ in headers}


def logged_in_session_cookie() -> tuple[str, str]:
    client = Client()
    client.force_login(make_hr())
    key = client.cookies["sessionid"].value
    return f"sessionid={key}", key


def test_an_answer_touches_no_session_and_sets_no_cookie():
    round = make_round()
    invitation, token = make_invitation(round)
    cookie, key = logged_in_session_cookie()  # a respondent who is also logged in to Kerne
    before = Session.objects.get(session_key=key)
    body = urlencode({f"q-{k}": v for k, v in full_answers(round.instrument, "4").items()}).encode()
    status, headers, _ = call("POST", f"/svar/{token}/", body=body, cookie=cookie)
    assert status == 303
    assert Response.objects.filter(round=round).count() == 1
    invitation.refresh_from_db()
    assert invitation.answered
    assert "set-cookie" not in header_names(headers)
    assert not any(name.lower() == "vary" and "cookie" in value.lower() for name, value in headers)
    after = Session.objects.get(session_key=key)
    assert (after.session_data, after.expire_date) == (before.session_data, before.expire_date)


def test_answer_pages_keep_the_security_headers_and_the_browser_language():
    round = make_round()
    _, token = make_invitation(round)
    status, headers, content = call("GET", f"/svar/{token}/", accept_language="en-GB,en;q=0.9")
    assert status == 200
    assert 'lang="en"' in content and "Send my answers" in content
    values = {name.lower(): value for name, value in headers}
    assert values["x-frame-options"] == "DENY"
    assert values["x-content-type-options"] == "nosniff"
    assert values["referrer-policy"] == "no-referrer"
    assert "no-store" in values["cache-control"]
    assert int(values["content-length"]) == len(content.encode())


def test_other_pages_keep_sessions_csrf_and_login():
    status, headers, content = call("GET", "/konto/login/")
    assert status == 200
    assert any(
        name.lower() == "set-cookie" and value.strip().startswith("csrftoken=") for name, value in headers
    )
    cookie, _ = logged_in_session_cookie()
    status, _, content = call("GET", "/", cookie=cookie)
    assert status == 200 and "Log ud" in content
