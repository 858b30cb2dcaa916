"""The database unavailable (issue 10, point 7): a missing or read-only SQLite file, an empty
database and an unreachable PostgreSQL answer a 503 page in Danish and English, and the log says
what to fix. Each case runs Kerne in its own process, pointed at the broken database."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError, ProgrammingError
from django.test import RequestFactory

from kerne.db import unavailable

ROOT = Path(__file__).resolve().parents[2]
# In the child: GET each path with Django's test client (as the browser would, without raising
# the error into the test) and print status, headers and body as JSON.
CHILD = """
import json, sys
import django
django.setup()
from django.test import Client
out = []
for path in sys.argv[1:]:
    headers = {"HTTP_AUTHORIZATION": "Bearer x"} if path.startswith("/api/") else {}
    r = Client(raise_request_exception=False).get(path, **headers)
    out.append({"path": path, "status": r.status_code, "retry": r.get("Retry-After"),
                "type": r.get("Content-Type"), "csp": r.get("Content-Security-Policy"),
                "body": r.content.decode()})
print(json.dumps(out))
"""
PAGES = ("/ledelsesgrundlag/", "/api/goals/indicators")


def run_kerne(tmp_path: Path, debug: bool = False, **env: str) -> tuple[list[dict[str, object]], str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "SQLITE_PATH", "DJANGO_SETTINGS_MODULE")
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="kerne.settings",
        DEBUG="1" if debug else "0",
        SECRET_KEY="test-only",
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        KERNE_TESTING="1",
        KERNE_VAR_DIR=str(tmp_path / "var"),
        LOG_LEVEL="WARNING",
        **env,
    )
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *PAGES],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def assert_unavailable(results: list[dict[str, object]]) -> None:
    page, api = results
    assert page["status"] == 503 and page["retry"] == "60", page
    body = str(page["body"])
    assert "Kerne er midlertidigt utilgængelig" in body and "Kerne is temporarily unavailable" in body
    assert "Server Error" not in body and "Traceback" not in body
    assert "frame-ancestors 'none'" in str(page["csp"])
    assert api["status"] == 503 and str(api["type"]).startswith("application/json"), api
    assert "unavailable" in json.loads(str(api["body"]))["detail"]


def test_a_missing_directory(tmp_path):
    path = tmp_path / "gone" / "kerne.sqlite3"
    results, log = run_kerne(tmp_path, SQLITE_PATH=str(path))
    assert_unavailable(results)
    assert "Database unavailable, answering 503 (cannot_open)" in log
    assert f"cannot open the database file {path}" in log and "SQLITE_PATH" in log


@pytest.mark.parametrize("debug", [False, True])
def test_a_read_only_file(tmp_path, debug):
    path = tmp_path / "kerne.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (x)")
    results, log = run_kerne(tmp_path, debug=debug, SQLITE_PATH=f"file:{path}?mode=ro")
    assert_unavailable(results)
    assert "(read_only)" in log and "give the user running Kerne write access" in log


def test_an_empty_database(tmp_path):
    results, log = run_kerne(tmp_path, SQLITE_PATH=str(tmp_path / "new.sqlite3"))
    assert_unavailable(results)
    assert "(not_migrated)" in log and "run `kerne migrate`" in log


def test_an_unreachable_postgresql(tmp_path):
    # Port 9 (discard) on the loopback: nothing listens, the connection is refused at once.
    results, log = run_kerne(tmp_path, DATABASE_URL="postgres://kerne@127.0.0.1:9/kerne")
    assert_unavailable(results)
    assert "(unreachable)" in log and "Kerne cannot connect to PostgreSQL (kerne on 127.0.0.1:9)" in log


# --- the rule, without a process -----------------------------------------------------------------


def _wrapped(error: Exception, kind: type[Exception] = OperationalError) -> Exception:
    try:
        raise kind(str(error)) from error
    except kind as exc:
        return exc


@pytest.mark.parametrize(
    ("message", "problem"),
    [
        ("unable to open database file", "cannot_open"),
        ("attempt to write a readonly database", "read_only"),
        ("no such table: django_session", "not_migrated"),
        ("database or disk is full", "disk_full"),
        ("disk I/O error", "io_error"),
        ("file is not a database", "damaged"),
        ("database disk image is malformed", "damaged"),
        ("database is locked", "locked"),
    ],
)
def test_sqlite_errors_are_told_apart(message, problem):
    diagnosis = unavailable.diagnose(_wrapped(sqlite3.OperationalError(message)))
    assert diagnosis is not None and diagnosis.problem == problem


def test_postgresql_errors_are_told_apart():
    import psycopg
    from psycopg import errors

    cases = [
        (psycopg.OperationalError("connection failed: Connection refused"), "unreachable"),
        (errors.ReadOnlySqlTransaction("cannot execute INSERT in a read-only transaction"), "read_only"),
        (errors.UndefinedTable('relation "django_session" does not exist'), "not_migrated"),
        (errors.TooManyConnections("sorry, too many clients already"), "unavailable"),
        (errors.AdminShutdown("terminating connection due to administrator command"), "unavailable"),
    ]
    for error, problem in cases:
        diagnosis = unavailable.diagnose(_wrapped(error))
        assert diagnosis is not None and diagnosis.problem == problem, error
    assert unavailable.diagnose(_wrapped(errors.SyntaxError("syntax error"), ProgrammingError)) is None
    assert unavailable.diagnose(_wrapped(errors.DeadlockDetected("deadlock detected"))) is None


def test_other_errors_stay_500():
    assert unavailable.diagnose(_wrapped(sqlite3.OperationalError("near 'SELEC': syntax error"))) is None
    assert unavailable.diagnose(_wrapped(sqlite3.OperationalError("too many SQL variables"))) is None
    assert unavailable.diagnose(ValueError("no such table")) is None
    assert unavailable.diagnose(_wrapped(sqlite3.ProgrammingError("x"), ProgrammingError)) is None


def test_the_error_handler_answers_503_for_an_error_outside_a_view(caplog):
    request = RequestFactory().get("/maal/")
    try:
        raise _wrapped(sqlite3.OperationalError("attempt to write a readonly database"))
    except OperationalError:
        response = unavailable.server_error(request)
    assert response.status_code == 503
    assert "Kerne is temporarily unavailable" in response.content.decode()
    assert "(read_only)" in caplog.text
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        assert unavailable.server_error(request).status_code == 500
