"""A Kerne process on a file SQLite database, driven by tests/surveys/test_storage_wal.py.

pytest-django's SQLite test database lives in memory and has no write-ahead log, so the
WAL test runs Kerne in this separate process, on a database file in a temporary
directory, with the production settings (WAL mode, secure_delete, the journal policy).
The process stays alive between commands, like a server worker: its connections stay
open, so SQLite does not empty the log when the last connection closes.

Protocol: one JSON object per line on stdin ({"cmd": ..., ...}), one JSON answer per line
on stdout.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any


def _round(n: int, name: str) -> dict[str, Any]:
    """An open round on a team of its own, with `n` named people invited (tokens returned)."""
    import datetime as dt

    from django.utils import timezone

    from kerne.organisation.models import Person
    from kerne.surveys.instruments import shipped_instrument
    from kerne.surveys.models import Invitation, Round, hash_secret
    from kerne.surveys.tokens import new_token
    from tests.factories import make_unit

    unit = make_unit(f"Team {name}")
    now = timezone.now()
    round_ = Round.objects.create(
        name=name,
        instrument=shipped_instrument("social_capital"),
        target_unit=unit,
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=7),
        cut_off_date=timezone.localdate(),
        status=Round.Status.OPEN,
    )
    invitations = []
    for i in range(n):
        person = Person.objects.create(name=f"{name} Navngiven Person {i:02d}", external_key=f"{name}-{i}")
        token = new_token()
        invitation = Invitation.objects.create(
            round=round_, person=person, unit=unit, response_unit=unit, token_hash=hash_secret(token)
        )
        invitations.append({"id": invitation.pk, "token": token, "person": person.name})
    items = list(round_.instrument.items.order_by("position").values_list("key", flat=True))
    question = round_.instrument.free_text_questions.order_by("position").values_list("key", flat=True)[0]
    return {"round": round_.pk, "invitations": invitations, "items": items, "question": question}


def _submit(submissions: list[dict[str, Any]]) -> dict[str, Any]:
    from kerne.surveys.submission import response_submit

    statuses = [
        response_submit(token=s["token"], answers=s["answers"], comments=s["comments"], language="da").status
        for s in submissions
    ]
    return {"statuses": statuses}


def _snapshot(target: str) -> dict[str, Any]:
    """Copy the database file and its log, as a backup or an attacker with file access would.
    The journal's lock is held so that no checkpoint runs between the two copies."""
    from django.db import connection

    from kerne.surveys import journal

    path = Path(connection.settings_dict["NAME"])
    out = Path(target)
    out.mkdir(parents=True, exist_ok=True)
    with journal._state().checkpoint_lock:
        shutil.copyfile(path, out / path.name)
        for suffix in ("-wal", "-shm"):
            companion = path.with_name(path.name + suffix)
            if companion.exists():
                shutil.copyfile(companion, out / companion.name)
    return _sizes()


def _sizes() -> dict[str, Any]:
    from django.db import connection

    path = Path(connection.settings_dict["NAME"])
    wal = path.with_name(path.name + "-wal")
    return {"db": path.stat().st_size, "wal": wal.stat().st_size if wal.exists() else None}


def _close(round_id: int) -> dict[str, Any]:
    from kerne.surveys import services
    from kerne.surveys.models import Round

    services.round_close(actor=None, round=Round.objects.get(pk=round_id))
    return _sizes()


def _seal_rounds() -> dict[str, Any]:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("seal_rounds", stdout=out)
    return {"out": out.getvalue(), **_sizes()}


def _delete_round(round_id: int, secure_delete: bool) -> dict[str, Any]:
    """Delete a round with its answers; `secure_delete` false turns the setting off for this
    one deletion (the control that shows what the setting prevents)."""
    from django.db import connection

    from kerne.surveys.models import Round

    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA secure_delete = {'ON' if secure_delete else 'OFF'}")
    Round.objects.filter(pk=round_id).delete()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete = ON")
    return _sizes()


def _pragma(name: str) -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA {name}")
        return {"value": cursor.fetchone()[0]}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kerne.settings")
    import django

    django.setup()
    for line in sys.stdin:
        request = json.loads(line)
        command = request["cmd"]
        if command == "quit":
            break
        if command == "migrate":
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
            answer = _sizes()
        elif command == "round":
            answer = _round(request["n"], request["name"])
        elif command == "submit":
            answer = _submit(request["submissions"])
        elif command == "snapshot":
            answer = _snapshot(request["dir"])
        elif command == "sizes":
            answer = _sizes()
        elif command == "sleep":
            time.sleep(request["seconds"])
            answer = _sizes()
        elif command == "close":
            answer = _close(request["round"])
        elif command == "seal_rounds":
            answer = _seal_rounds()
        elif command == "delete_round":
            answer = _delete_round(request["round"], request["secure_delete"])
        elif command == "pragma":
            answer = _pragma(request["name"])
        else:
            answer = {"error": f"unknown command {command}"}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
