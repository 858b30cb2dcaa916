"""Sealing a round: on PostgreSQL, wipe what the database's own bookkeeping says about
which response came with which invitation.

PostgreSQL stamps every row version with the transaction that wrote it (the system
column `xmin`) and keeps new rows roughly in the order they were written (`ctid`). A
submission claims the invitation and inserts the response and its comments in one
transaction (DESIGN §3: nobody is told "received" before it is committed). So, until a
round is sealed, someone who can run SQL on the tables — never possible through Kerne —
could pair a response with the invitation answered in the same transaction, and so with
a person; a comment with its response; and a response with the time of rows written
near it.

Sealing a round, in one transaction:

- rewrites its invitations and open-survey submissions unchanged: every row gets the
  sealing transaction's stamp;
- moves its responses and comments out and back in random order in one statement each
  (one snapshot, so a response committed meanwhile is either moved or untouched, never
  lost): one stamp for all, and their physical order no longer follows submission order;

then VACUUMs the tables, so the old row versions leave the tables and their indexes.
Their bytes may linger in free space of the database files until overwritten, and in
WAL archives and backups: those deserve the care of the database itself.

A round is sealed when HR closes it (a background task), and `kerne seal-rounds`
(cron, e.g. hourly; see the README) seals the open rounds and those closed recently, so
the bookkeeping of an open round pairs nothing older than the interval.

SQLite needs none of this: rows carry no writer's stamp, and responses and comments
live in WITHOUT ROWID tables kept in the order of their random ids (migration 0003). Its
write-ahead log does pair them until it is emptied: kerne/surveys/journal.py empties it
within seconds of a submission, and `round_seal` and `kerne seal-rounds` empty it too.

On both databases a closed round's invitations also forget what told *when* within the
round each person answered (`forget_timing`): closing a round does it in its own
transaction, and `kerne seal-rounds` does it for rounds that closed by their date.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from kerne.surveys import journal
from kerne.surveys.models import Comment, Invitation, OpenSubmission, Response, Round

logger = logging.getLogger(__name__)

# Rounds whose closing time passed within this window are sealed again by `kerne seal-rounds`
# (a round may close by its date, with nobody pressing "close").
RECENTLY_CLOSED = dt.timedelta(days=2)

_TABLES = (Invitation, OpenSubmission, Response, Comment)


@dataclass(frozen=True)
class SealReport:
    round_id: int
    invitations: int
    responses: int
    comments: int
    vacuumed: bool


def _move_in_random_order(table: str) -> str:
    return (
        f"WITH moved AS (DELETE FROM {table} WHERE round_id = %s RETURNING *) "
        f"INSERT INTO {table} SELECT * FROM moved ORDER BY random()"
    )


def forget_timing(round_ids: Sequence[int]) -> int:
    """Clear, on the invitations of closed rounds, what splits respondents in time within the
    round (DESIGN §3.1); returns how many invitations changed.

    - `reminders_sent`: a person who answered after two reminders has 2, one who answered
      at once 0. Beside anything that dates an answer (a response's date, as stored before
      migration 0006; a live count watched after each reminder) it names respondents.
    - `emailed`: false when the token in force was printed on paper; paper codes are
      issued for unanswered invitations only, so an answered invitation with a printed
      code answered after the sheet was printed (a time the audit log keeps).

    Neither is needed once no more reminders can go out. Call it only for closed rounds
    (status closed, or closing time passed).
    """
    if not round_ids:
        return 0
    return (
        Invitation.objects.filter(round_id__in=list(round_ids))
        .filter(Q(reminders_sent__gt=0) | Q(emailed=True))
        .update(reminders_sent=0, emailed=False)
    )


def rounds_closed_recently(now: dt.datetime | None = None) -> list[int]:
    """Launched rounds that are closed (by HR, or by their closing time) within RECENTLY_CLOSED."""
    now = now or timezone.now()
    return list(
        Round.objects.exclude(status=Round.Status.DRAFT)
        .filter(closes_at__gte=now - RECENTLY_CLOSED)
        .filter(Q(status=Round.Status.CLOSED) | Q(closes_at__lte=now))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def round_seal(round_id: int, *, vacuum: bool = True) -> SealReport | None:
    """Seal one round (see the module docstring). None on databases that need no sealing;
    on SQLite it empties the write-ahead log instead (journal.py)."""
    if connection.vendor != "postgresql":
        if connection.vendor == "sqlite" and not connection.in_atomic_block:
            journal.wal_truncate()
        return None
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Invitation._meta.db_table} SET answered = answered WHERE round_id = %s", [round_id]
        )
        invitations = cursor.rowcount
        cursor.execute(
            f"UPDATE {OpenSubmission._meta.db_table} SET round_id = round_id WHERE round_id = %s", [round_id]
        )
        cursor.execute(_move_in_random_order(Response._meta.db_table), [round_id])
        responses = cursor.rowcount
        cursor.execute(_move_in_random_order(Comment._meta.db_table), [round_id])
        comments = cursor.rowcount
    vacuumed = vacuum and vacuum_sealed_tables()
    return SealReport(round_id, invitations, responses, comments, vacuumed)


def vacuum_sealed_tables() -> bool:
    """VACUUM the sealed tables (outside any transaction); False when the database refused.

    Refused means the database user does not own the tables: then autovacuum removes the
    old row versions later, and the seal itself still holds.
    """
    if not connection.get_autocommit():
        logger.warning("seal: VACUUM skipped inside a transaction; autovacuum will follow")
        return False
    try:
        with connection.cursor() as cursor:
            for model in _TABLES:
                cursor.execute(f"VACUUM {model._meta.db_table}")
    except DatabaseError as error:
        logger.warning("seal: VACUUM refused (%s); autovacuum will follow", error)
        return False
    return True


def rounds_to_seal(now: dt.datetime | None = None) -> list[int]:
    """Open rounds, and rounds whose closing passed within RECENTLY_CLOSED."""
    now = now or timezone.now()
    launched = Round.objects.exclude(status=Round.Status.DRAFT)
    return list(
        launched.filter(closes_at__gte=now - RECENTLY_CLOSED)
        .filter(opens_at__lte=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
