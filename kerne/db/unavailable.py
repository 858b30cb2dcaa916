"""The database unavailable: a clear 503 page and a log line that tells the operator what to fix
(issue 10, point 7).

A missing or read-only SQLite file, a full disk, an unreachable PostgreSQL server or a database
without Kerne's tables made every page answer a bare "Server Error (500)". `diagnose` recognises
those errors (and only those: a bug in a query is still a 500) and says what to do; the 503 page
tells the user, in Danish and English, that nothing saved is lost and to try again shortly.

Two ways in, so every request is covered:

- `DatabaseUnavailableMiddleware.process_exception`: an error raised by a view (most requests
  meet the database there first), with DEBUG on or off;
- `server_error` (settings' handler500 in kerne/urls.py): an error anywhere else, e.g. when the
  session is saved on the way out. It falls back to Django's own 500 page for other errors.

The page is rendered without a request context (no context processor touches the database)
and without the database in any other way.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.views.defaults import server_error as django_server_error

logger = logging.getLogger("kerne.database")
RETRY_AFTER_SECONDS = 60


@dataclass(frozen=True)
class Diagnosis:
    problem: str  # a short key: unreachable, read_only, not_migrated …
    fix: str  # for the operator, in the log (English, as the rest of the operator's log)


def _database_name() -> str:
    settings_dict = connections[DEFAULT_DB_ALIAS].settings_dict
    if "sqlite" in settings_dict.get("ENGINE", ""):
        return str(settings_dict.get("NAME", ""))
    host = settings_dict.get("HOST") or "localhost"
    port = settings_dict.get("PORT") or "5432"
    return f"{settings_dict.get('NAME', '')} on {host}:{port}"


def _driver_error(exc: BaseException) -> BaseException:
    """The database driver's own exception, which Django wraps in django.db.utils."""
    seen: BaseException = exc
    while seen.__cause__ is not None and isinstance(seen, DatabaseError):
        seen = seen.__cause__
    return seen


def _sqlite(message: str, name: str) -> Diagnosis | None:
    rules = (
        (
            "unable to open database file",
            "cannot_open",
            f"SQLite cannot open the database file {name}: check that its directory exists and that the "
            "user running Kerne may read and write the file and the directory (SQLITE_PATH, KERNE_VAR_DIR).",
        ),
        (
            "readonly database",
            "read_only",
            f"The SQLite database {name} is read-only: give the user running Kerne write access to the "
            "file and to its directory (SQLite writes the -wal and -shm files beside it), or remount "
            "the file system read-write.",
        ),
        (
            "no such table",
            "not_migrated",
            f"The database {name} has no Kerne tables (a new, empty or wrong file): run `kerne migrate`, "
            "or point SQLITE_PATH at the right file.",
        ),
        (
            "disk is full",
            "disk_full",
            f"The disk holding the SQLite database {name} is full: free space on it.",
        ),
        (
            "disk i/o error",
            "io_error",
            f"The disk holding {name} reports I/O errors: check the file system and the disk.",
        ),
        (
            "file is not a database",
            "damaged",
            f"{name} is not a readable SQLite database (damaged, or another file): restore it from the "
            "last backup.",
        ),
        (
            "malformed",
            "damaged",
            f"The SQLite database {name} is damaged: restore it from the last backup.",
        ),
        (
            "database is locked",
            "locked",
            f"The SQLite database {name} stayed locked longer than the busy timeout: another process "
            "holds a long write transaction (a backup without the SQLite backup API, a stuck worker?).",
        ),
    )
    lowered = message.lower()
    for text, problem, fix in rules:
        if text in lowered:
            return Diagnosis(problem, fix)
    return None


# SQLSTATE classes of PostgreSQL errors that mean the server is not there for Kerne: connection
# exception (08), insufficient resources (53: too many connections, disk full), operator
# intervention (57P: shut down, starting up), invalid authorisation (28), no such database (3D).
_PG_UNAVAILABLE = ("08", "53", "57P", "28", "3D")


def _postgresql(error: BaseException, name: str) -> Diagnosis | None:
    state = getattr(error, "sqlstate", None)
    message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if state == "42P01":  # undefined_table
        return Diagnosis(
            "not_migrated",
            f"The PostgreSQL database {name} has no Kerne tables: run `kerne migrate` (or check "
            "DATABASE_URL).",
        )
    if state == "25006":  # read_only_sql_transaction
        return Diagnosis(
            "read_only",
            f"PostgreSQL ({name}) accepts no writes: DATABASE_URL points at a hot standby, or the "
            "database or role has default_transaction_read_only on. Point Kerne at the primary.",
        )
    if state is None and type(error).__name__ == "OperationalError":  # no connection was made
        return Diagnosis(
            "unreachable",
            f"Kerne cannot connect to PostgreSQL ({name}): start the server or check DATABASE_URL, the "
            f"network and the credentials ({message}).",
        )
    if state is not None and state.startswith(_PG_UNAVAILABLE):
        return Diagnosis(
            "unavailable",
            f"PostgreSQL ({name}) refuses Kerne (SQLSTATE {state}): {message}. Check the server, its "
            "connection limit and disk, and DATABASE_URL.",
        )
    return None


def diagnose(exc: BaseException) -> Diagnosis | None:
    """What is wrong with the database, when `exc` says it is unavailable; None for other errors."""
    if not isinstance(exc, DatabaseError):
        return None
    error = _driver_error(exc)
    name = _database_name()
    if isinstance(error, sqlite3.Error):
        return _sqlite(str(error), name)
    if type(error).__module__.startswith("psycopg"):
        return _postgresql(error, name)
    return None


def unavailable_response(request: HttpRequest, diagnosis: Diagnosis, exc: BaseException) -> HttpResponse:
    """The 503 answer, and the operator's log line (no path: answer paths carry tokens)."""
    logger.error(
        "Database unavailable, answering 503 (%s): %s [%s: %s]",
        diagnosis.problem,
        diagnosis.fix,
        type(_driver_error(exc)).__name__,
        _driver_error(exc),
    )
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "detail": "The database is unavailable; try again shortly.",
                "detail_da": "Databasen er ikke tilgængelig; prøv igen om lidt.",
            },
            status=503,
        )
    else:
        try:
            stylesheet = static("vendor/pico.min.css")
        except ValueError:  # no manifest yet (collectstatic not run): the page does without
            stylesheet = ""
        html = render_to_string("503.html", {"stylesheet": stylesheet})  # no request: no context processor
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Turns a view's "database unavailable" error into the 503 page (any DEBUG setting)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        diagnosis = diagnose(exception)
        return None if diagnosis is None else unavailable_response(request, diagnosis, exception)


def server_error(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """handler500: the 503 page when the error is the database's, else Django's 500 page."""
    exc = sys.exc_info()[1]
    diagnosis = diagnose(exc) if exc is not None else None
    if diagnosis is None or exc is None:
        return django_server_error(request, *args, **kwargs)
    return unavailable_response(request, diagnosis, exc)
