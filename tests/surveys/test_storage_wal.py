"""Issue 9, class 5a: SQLite's write-ahead log pairs a person with an answer only within a
short window (kerne/surveys/journal.py).

A submission claims the invitation (a named person) and inserts the response in one
commit. The attack, run here on copies of the files exactly as someone with read access
to the database directory could: parse the `-wal` file (32-byte header, then frames of a
24-byte header and one page each; a frame with a non-zero "database size" ends a commit),
replay it commit by commit on a copy of the database file, and diff each state with the
one before: one invitation became answered and one response appeared — a name beside
its answers.

Kerne runs in a separate process (tests/surveys/wal_driver.py) on a database file with
the production settings; pytest-django's SQLite test database is in memory and has no log.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from kerne.surveys.packing import pack_answers

PROJECT = Path(__file__).resolve().parents[2]
WAL_HEADER = 32
FRAME_HEADER = 24
WAL_MAGIC = (0x377F0682, 0x377F0683)
WINDOW = 3  # KERNE_WAL_WINDOW_SECONDS in the driver (the default is 2)
BURST = 10

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="SQLite's write-ahead log (PostgreSQL's bookkeeping is sealed: tests/surveys/test_sealing.py)",
)


# --- The attacker ----------------------------------------------------------------------------


@dataclass
class Commit:
    pages: list[int]
    end: int  # offset in the log just after the commit's last frame


def read_wal(data: bytes) -> tuple[int, list[Commit]]:
    """Page size and the committed transactions of a write-ahead log, in order."""
    if len(data) < WAL_HEADER:
        return 0, []
    magic, _version, page_size, _sequence, salt1, salt2, _c1, _c2 = struct.unpack(">8I", data[:WAL_HEADER])
    assert magic in WAL_MAGIC
    commits: list[Commit] = []
    pages: list[int] = []
    offset = WAL_HEADER
    while offset + FRAME_HEADER + page_size <= len(data):
        page, size_after_commit, frame_salt1, frame_salt2, _k1, _k2 = struct.unpack(
            ">6I", data[offset : offset + FRAME_HEADER]
        )
        if (frame_salt1, frame_salt2) != (salt1, salt2):
            break  # a frame left over from before the log was last restarted
        pages.append(page)
        offset += FRAME_HEADER + page_size
        if size_after_commit:
            commits.append(Commit(pages, offset))
            pages = []
    return page_size, commits


def index_pages(shm: bytes) -> set[int]:
    """Page numbers the wal-index (`-shm`) lists for the frames of the log, first block: after
    a 136-byte header, one 32-bit page number per frame, for the first 4062 frames."""
    count = 4062
    entries = struct.unpack(f"<{count}I", shm[136 : 136 + 4 * count]) if len(shm) >= 136 + 4 * count else ()
    return {page for page in entries if page}


@dataclass
class State:
    answered: dict[int, str]  # invitation id → the person's name
    responses: dict[str, bytes]  # response id → packed answers
    comments: set[str]
    tables_of_page: dict[int, str] = field(default_factory=dict)


def replay(snapshot: Path, name: str, work: Path, upto: int | None) -> State:
    """The database as it was after the log's first `upto` bytes (None: the file alone)."""
    target = work / f"replay-{upto}.sqlite3"
    shutil.copyfile(snapshot / name, target)
    wal = snapshot / f"{name}-wal"
    if upto is not None:
        (work / f"replay-{upto}.sqlite3-wal").write_bytes(wal.read_bytes()[:upto])
    db = sqlite3.connect(target)
    try:
        state = State(
            answered=dict(
                db.execute(
                    "SELECT i.id, p.name FROM surveys_invitation i "
                    "JOIN organisation_person p ON p.id = i.person_id WHERE i.answered"
                ).fetchall()
            ),
            responses={r: bytes(a) for r, a in db.execute("SELECT id, answers FROM surveys_response")},
            comments={text for (text,) in db.execute("SELECT text FROM surveys_comment")},
            tables_of_page={page: table for table, page in db.execute("SELECT name, pageno FROM dbstat")},
        )
    finally:
        db.close()
    return state


@dataclass
class Pairing:
    person: str
    answers: bytes
    tables: set[str]


def attack(snapshot: Path, name: str, work: Path) -> list[Pairing]:
    """Replay the log commit by commit; every commit that answered one invitation and added
    one response pairs that person with those answers."""
    wal = snapshot / f"{name}-wal"
    _page_size, commits = read_wal(wal.read_bytes() if wal.exists() else b"")
    before = replay(snapshot, name, work, None)
    found = []
    for commit in commits:
        after = replay(snapshot, name, work, commit.end)
        people = [after.answered[i] for i in set(after.answered) - set(before.answered)]
        answers = [after.responses[r] for r in set(after.responses) - set(before.responses)]
        if len(people) == 1 and len(answers) == 1:
            tables = {after.tables_of_page.get(page, "?") for page in commit.pages}
            found.append(Pairing(people[0], answers[0], tables))
        before = after
    return found


# --- Kerne in its own process ------------------------------------------------------------------


class Driver:
    def __init__(self, directory: Path) -> None:
        env = {key: value for key, value in os.environ.items() if not key.startswith("DATABASE_")}
        env.update(
            DJANGO_SETTINGS_MODULE="kerne.settings",
            DEBUG="1",
            KERNE_TESTING="1",
            KERNE_VAR_DIR=str(directory),
            SQLITE_PATH=str(directory / "kerne.sqlite3"),
            KERNE_WAL_WINDOW_SECONDS=str(WINDOW),
            TASKS_BACKEND="immediate",
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            PYTHONPATH=str(PROJECT),
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.surveys.wal_driver"],
            cwd=PROJECT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def __call__(self, cmd: str, **arguments: Any) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({"cmd": cmd, **arguments}) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, f"the driver stopped during {cmd}"
        answer: dict[str, Any] = json.loads(line)
        return answer

    def stop(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
            self.process.stdin.close()
            self.process.wait(timeout=30)


def submissions(round_: dict[str, Any], start: int, count: int, comment: str) -> list[dict[str, Any]]:
    """Each answer pattern is unique (base-5 digits of its number), so a replayed response
    can be told apart and checked against who really sent it."""
    rows = []
    for n in range(start, start + count):
        values = dict.fromkeys(round_["items"], "3")
        for digit, key in enumerate(round_["items"][:3]):
            values[key] = str(1 + (n // 5**digit) % 5)
        rows.append(
            {
                "token": round_["invitations"][n]["token"],
                "answers": values,
                "comments": {round_["question"]: f"{comment} {n:02d}"},
                "person": round_["invitations"][n]["person"],
            }
        )
    return rows


def packed(round_: dict[str, Any], submission: dict[str, Any]) -> bytes:
    items = round_["items"]
    return pack_answers({p: int(submission["answers"][key]) for p, key in enumerate(items)}, len(items))


# --- The test --------------------------------------------------------------------------------------


def test_class5a_wal_replay_pairs_nothing_after_window(tmp_path: Path) -> None:
    live = tmp_path / "live"
    live.mkdir()
    driver = Driver(live)
    try:
        driver("migrate")
        round_ = driver("round", n=BURST + 2, name="WAL")
        burst = submissions(round_, 0, BURST, "Kommentar fra svar")
        assert driver("submit", submissions=burst)["statuses"] == ["stored"] * BURST

        # Inside the window: a copy of the files taken now (a backup, a snapshot, a reader
        # of the directory) replays the log. The first submission of a process empties the
        # log at once; the other BURST − 1 are in it, one commit each.
        inside = tmp_path / "inside"
        sizes = driver("snapshot", dir=str(inside))
        assert sizes["wal"] > 0
        pairs = attack(inside, "kerne.sqlite3", tmp_path)
        truth = {s["person"]: packed(round_, s) for s in burst}
        assert BURST - 1 <= len(pairs) <= BURST  # every submission after the log was last emptied
        for pair in pairs:
            # One commit holds a page of the invitation table (the claim: a named person)
            # and a page of the response table (their answers): the pairing is exact.
            assert {"surveys_invitation", "surveys_response", "surveys_comment"} <= pair.tables
            assert truth[pair.person] == pair.answers
        # The wal-index lists which pages the log's frames changed (no content).
        tables = replay(inside, "kerne.sqlite3", tmp_path, None).tables_of_page
        listed = {tables.get(page) for page in index_pages((inside / "kerne.sqlite3-shm").read_bytes())}
        assert {"surveys_invitation", "surveys_response"} <= listed

        # After the window, with no further submission: the timer has emptied the log.
        assert driver("sleep", seconds=WINDOW + 1.5)["wal"] == 0
        after = tmp_path / "after"
        driver("snapshot", dir=str(after))
        assert attack(after, "kerne.sqlite3", tmp_path) == []
        # ... and the wal-index no longer lists the pages the submissions changed.
        assert index_pages((after / "kerne.sqlite3-shm").read_bytes()) <= {1}
        # The database file keeps the newest version of each page only: the answers are
        # there, nothing groups them with a claim.
        main_file = (live / "kerne.sqlite3").read_bytes()
        assert all(f"Kommentar fra svar {n:02d}".encode() in main_file for n in range(BURST))

        # `kerne seal-rounds` empties it too, and so does closing the round.
        assert driver("submit", submissions=submissions(round_, BURST, 1, "Svar"))["statuses"] == ["stored"]
        assert driver("sizes")["wal"] > 0  # within the window of the last emptying
        sealed = driver("seal_rounds")
        assert sealed["wal"] == 0 and "write-ahead log emptied" in sealed["out"]
        assert driver("submit", submissions=submissions(round_, BURST + 1, 1, "Svar"))["statuses"] == [
            "stored"
        ]
        assert driver("sizes")["wal"] > 0
        assert driver("close", round=round_["round"])["wal"] == 0

        # secure_delete: what SQLite frees is overwritten. A round deleted with its answers
        # leaves none of its comments in the file; the control, deleted with the setting
        # off for once, leaves its comments behind (so the search would find them).
        assert driver("pragma", name="secure_delete")["value"] == 1
        control = driver("round", n=3, name="Kontrol")
        driver("submit", submissions=submissions(control, 0, 3, "Kontrolkommentar"))
        driver("delete_round", round=control["round"], secure_delete=False)
        driver("delete_round", round=round_["round"], secure_delete=True)
        assert driver("seal_rounds")["wal"] == 0
        main_file = (live / "kerne.sqlite3").read_bytes()
        assert any(f"Kontrolkommentar {n:02d}".encode() in main_file for n in range(3))
        for n in range(BURST + 2):
            assert f"Kommentar fra svar {n:02d}".encode() not in main_file
            assert f"Svar {n:02d}".encode() not in main_file
    finally:
        driver.stop()
