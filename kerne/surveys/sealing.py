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
- once the round is closed, first forgets who answered (`forget_respondents`), then moves
  its invitations out and back in random order too: a claim rewrote the answered
  invitations' rows (on PostgreSQL a new row version, usually further along the same page),
  so their positions would still single out the people who answered after the flag is
  cleared. While the round runs they are only rewritten in place: a claim may be waiting
  on one of those rows, and it must find it. (The flag itself says who answered then.)

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

On both databases a closed round's invitations forget *who* answered and what told *when*
within the round each person answered (`forget_respondents`): closing a round does it in
its own transaction, and `kerne seal-rounds` does it for rounds that closed by their date,
before it seals them.
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
# A round closed by its closing time counts as closed for forgetting and sealing this long after
# it: a submission begun just before the closing time may still claim its invitation.
CLAIM_GRACE = dt.timedelta(minutes=1)

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


def forget_respondents(round_ids: Sequence[int]) -> int:
    """Clear, on the invitations of closed rounds, who answered and what splits respondents in
    time within the round (DESIGN §3.1); returns how many invitations changed.

    - `answered`: the answered invitations of a pooled unit are the candidate authors of its
      responses. Pooling gives a unit k invitations, not k respondents: when one of five
      answered, the one response on the unit is that named person's to anyone who reads the
      tables. Once the round is closed no claim can succeed anyway (the claim re-checks
      that the round is open, submission.py), and results and rates count responses.
    - `reminders_sent`: a person who answered after two reminders has 2, one who answered
      at once 0. Beside anything that dates an answer (a response's date, as stored before
      migration 0006; a live count watched after each reminder) it names respondents.
    - `emailed`: false when the token in force was printed on paper; paper codes are
      issued for unanswered invitations only, so an answered invitation with a printed
      code answered after the sheet was printed (a time the audit log keeps).

    None is needed once no more answers are taken and no more reminders can go out. Call it
    only for closed rounds (status closed, or closing time passed). On PostgreSQL the
    cleared rows are new row versions stamped by this transaction: seal the round afterwards
    (`round_seal` does it first itself for a closed round), so the stamps and positions
    single nobody out and VACUUM removes the old versions.
    """
    if not round_ids:
        return 0
    return (
        Invitation.objects.filter(round_id__in=list(round_ids))
        .filter(Q(answered=True) | Q(reminders_sent__gt=0) | Q(emailed=True))
        .update(answered=False, reminders_sent=0, emailed=False)
    )


def _closed(now: dt.datetime) -> Q:
    """Launched rounds that take no more answers for good: closed by HR, or by a closing time
    more than CLAIM_GRACE ago (a claim carries the time its submission began, so one begun a
    moment before the closing time may still commit just after it)."""
    return ~Q(status=Round.Status.DRAFT) & (
        Q(status=Round.Status.CLOSED) | Q(closes_at__lte=now - CLAIM_GRACE)
    )


def is_closed(round_id: int, now: dt.datetime | None = None) -> bool:
    """Whether the round takes no more answers for good (see `_closed`)."""
    return Round.objects.filter(_closed(now or timezone.now()), pk=round_id).exists()


def rounds_closed_recently(now: dt.datetime | None = None, *, every: bool = False) -> list[int]:
    """Launched rounds that are closed (by HR, or by their closing time) within RECENTLY_CLOSED;
    with `every`, all closed rounds (`kerne seal-rounds --all`)."""
    now = now or timezone.now()
    rounds = Round.objects.filter(_closed(now))
    if not every:
        rounds = rounds.filter(closes_at__gte=now - RECENTLY_CLOSED)
    return list(rounds.order_by("pk").values_list("pk", flat=True))


def round_seal(round_id: int, *, vacuum: bool = True) -> SealReport | None:
    """Seal one round (see the module docstring). None on databases that need no sealing;
    on SQLite it empties the write-ahead log instead (journal.py)."""
    if connection.vendor != "postgresql":
        if connection.vendor == "sqlite" and not connection.in_atomic_block:
            journal.wal_truncate()
        return None
    closed = is_closed(round_id)
    with transaction.atomic(), connection.cursor() as cursor:
        if closed:
            # Who answered is forgotten first (idempotent: closing did it already), then the
            # rows are moved, so neither their stamps nor their positions tell whose row a
            # claim rewrote. No claim can wait on them: the round takes no answers.
            forget_respondents([round_id])
            cursor.execute(_move_in_random_order(Invitation._meta.db_table), [round_id])
        else:
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


def rounds_to_seal(now: dt.datetime | None = None, *, every: bool = False) -> list[int]:
    """Open rounds, and rounds whose closing passed within RECENTLY_CLOSED; with `every`, all
    launched rounds that have opened."""
    now = now or timezone.now()
    launched = Round.objects.exclude(status=Round.Status.DRAFT).filter(opens_at__lte=now)
    if not every:
        launched = launched.filter(closes_at__gte=now - RECENTLY_CLOSED)
    return list(launched.order_by("pk").values_list("pk", flat=True))
