"""SQLite's write-ahead log: how long it may pair a person with an answer (DESIGN §3.2).

A personal submission claims the invitation (``answered = true``: a named person) and
inserts the response (the answers, the comments) in ONE transaction: nobody is told
"received" before both are durable. In WAL mode SQLite appends every page a transaction
changed to the `-wal` file, one frame per page, and marks the transaction's last frame
as its commit. Until the log is checkpointed and emptied, anyone who can read the
database files can replay it commit by commit and see which invitation became answered
in the same commit as which response was inserted: a named person beside their answers
(issue 9, attack 5a). The main database file has no such grouping; it keeps only the
newest version of each page.

The policy here bounds that window:

- after a submission commits (personal or open link), if more than
  ``KERNE_WAL_WINDOW_SECONDS`` (default 2) have passed since this process last emptied
  the log, it runs ``PRAGMA wal_checkpoint(TRUNCATE)``: every frame is copied into the
  database file and the log is cut to zero bytes;
- otherwise a one-shot timer empties it when the window has passed, so the last
  submissions of a burst do not stay in the log until the next one arrives;
- a checkpoint that finds the database busy (a writer, or a reader on an older snapshot)
  gives up after a short wait and is tried again by the next submission or timer: a
  survey rush never waits behind it;
- closing a round and ``kerne seal-rounds`` empty the log too;
- after emptying it, one write of the header page makes SQLite clear the page numbers the
  wal-index (the `-shm` file) kept of the emptied frames (`_clear_index`).

Every connection runs with ``PRAGMA secure_delete = ON`` (settings.py), so content that
SQLite frees inside the database file (an old version of a cell, a deleted row, a freed
page) is overwritten with zeros instead of lingering. What remains — file system blocks
the truncated log once used, copies of the files (backups, snapshots) taken inside the
window — is described in docs/anonymity.md.

PostgreSQL's equivalent (the writing transaction stamped on every row) is sealed instead:
kerne/surveys/sealing.py.
"""

from __future__ import annotations

import logging
import math
import os
import sqlite3
import threading
import time

from django.conf import settings
from django.db import connections
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper

logger = logging.getLogger(__name__)

# How long a checkpoint waits for a busy database before it gives up (milliseconds).
CHECKPOINT_BUSY_MS = 100
# A timer that found the database busy tries again this much later (seconds), at most
# TIMER_RETRIES times; after that the next submission tries.
TIMER_RETRY_SECONDS = 0.25
TIMER_RETRIES = 20


class _Journal:
    """Per-process state: when the log was last emptied, the checkpointing connection and
    the pending timer. A request thread never waits for a checkpoint: it tries the lock and
    leaves the work to a timer when another thread holds it."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.checkpoint_lock = threading.Lock()  # guards connection, path, last_truncated
        self.timer_lock = threading.Lock()  # guards timer
        self.last_truncated = -math.inf  # time.monotonic() of the last successful TRUNCATE
        self.connection: sqlite3.Connection | None = None
        self.path = ""
        self.timer: threading.Timer | None = None


_journal = _Journal()


def _state() -> _Journal:
    """This process's state (a worker forked from a parent that checkpointed starts afresh)."""
    global _journal
    if _journal.pid != os.getpid():
        _journal = _Journal()
    return _journal


def window_seconds() -> float:
    return float(settings.KERNE_WAL_WINDOW_SECONDS)


def _database_path(using: str = "default") -> str | None:
    """The file of a SQLite database, or None (another database, or an in-memory test
    database, which has no log)."""
    connection = connections[using]
    if not isinstance(connection, SQLiteWrapper) or connection.is_in_memory_db():
        return None
    return str(connection.settings_dict["NAME"])


def _checkpoint(state: _Journal, path: str) -> bool:
    """Empty the log of the database at `path` now. True when it was emptied (or there was
    none); False when the database was busy. Call with `state.checkpoint_lock` held."""
    if state.connection is None or state.path != path:
        if state.connection is not None:
            state.connection.close()
        # Its own connection, shared by the threads of this process under the lock: the
        # checkpoint never runs inside a request's transaction, and a busy wait here is
        # short (CHECKPOINT_BUSY_MS) whatever the request connections' timeout is.
        state.connection = sqlite3.connect(
            path, timeout=CHECKPOINT_BUSY_MS / 1000, isolation_level=None, check_same_thread=False
        )
        state.connection.execute("PRAGMA secure_delete = ON")
        state.path = path
    try:
        busy, _log, _done = state.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.OperationalError as error:  # "database is locked" on some versions
        logger.debug("wal checkpoint: %s", error)
        return False
    if busy:
        return False
    _clear_index(state.connection)
    state.last_truncated = time.monotonic()
    return True


def _clear_index(db: sqlite3.Connection) -> None:
    """Clear the page numbers the `-shm` file keeps of the emptied log.

    The wal-index (`-shm`) lists the page number of every frame the log held, in order —
    which pages each submission changed, not their content — and keeps them after the log
    is emptied, until the next write to the log reuses the table. One write of the header
    page (`user_version`, unchanged; Kerne does not use it) makes SQLite clear the table,
    and a second TRUNCATE empties the log of that one frame. Best effort: when a writer
    gets in between, its own write clears the table the same way.
    """
    try:
        (version,) = db.execute("PRAGMA user_version").fetchone()
        db.execute(f"PRAGMA user_version = {int(version)}")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.OperationalError as error:
        logger.debug("wal index: %s", error)


def wal_truncate(using: str = "default") -> bool:
    """Empty SQLite's write-ahead log now (closing a round, `kerne seal-rounds`).

    True when the log is empty afterwards or there is none (PostgreSQL, in-memory
    databases); False when the database stayed busy (the next submission tries again).
    """
    path = _database_path(using)
    if path is None:
        return True
    state = _state()
    with state.checkpoint_lock:
        return _checkpoint(state, path)


def after_submission(using: str = "default") -> None:
    """Called once a submission has committed: empty the log if the window has passed,
    else make sure a timer will (see the module docstring). Cheap when nothing is due."""
    path = _database_path(using)
    if path is None:
        return
    state = _state()
    due_in = state.last_truncated + window_seconds() - time.monotonic()
    if due_in <= 0:
        if state.checkpoint_lock.acquire(blocking=False):
            try:
                if _checkpoint(state, path):
                    return
            finally:
                state.checkpoint_lock.release()
        due_in = TIMER_RETRY_SECONDS  # busy, or another thread is checkpointing right now
    _arm_timer(state, path, due_in, TIMER_RETRIES)


def _arm_timer(state: _Journal, path: str, delay: float, retries: int) -> None:
    with state.timer_lock:
        if state.timer is not None:
            return  # a pending timer fires after this commit and empties the log with it
        timer = threading.Timer(delay, _on_timer, args=(state, path, retries))
        timer.daemon = True
        state.timer = timer
        timer.start()


def _on_timer(state: _Journal, path: str, retries: int) -> None:
    with state.timer_lock:
        state.timer = None  # a commit from now on arms its own timer
    with state.checkpoint_lock:
        emptied = _checkpoint(state, path)
    if not emptied and retries > 0:
        _arm_timer(state, path, TIMER_RETRY_SECONDS, retries - 1)
