"""`kerne seal-rounds`: seal the stored answers of open and recently closed rounds.

Run it from cron (e.g. hourly), on either database:

- rounds that closed (by HR or by their closing time) forget who answered, and their
  invitations' reminder counts and e-mail flags (sealing.forget_respondents), before they
  are sealed;
- on PostgreSQL it keeps the database's own bookkeeping from pairing a response with its
  invitation for longer than the interval (see kerne/surveys/sealing.py);
- on SQLite it empties the write-ahead log (kerne/surveys/journal.py): submissions do that
  within seconds; this covers a log no submission has emptied since.

`--all` does the same for every round, however long ago it closed: run it once after
upgrading to a version that forgets more at close (migration surveys 0008).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from kerne.surveys import journal
from kerne.surveys.sealing import (
    forget_respondents,
    round_seal,
    rounds_closed_recently,
    rounds_to_seal,
    vacuum_sealed_tables,
)


class Command(BaseCommand):
    help = "Seal the stored answers of open and recently closed survey rounds (PostgreSQL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all", action="store_true", dest="every", help="Every round, not only open and recently closed"
        )

    def handle(self, *args: Any, every: bool = False, **options: Any) -> None:
        closed = rounds_closed_recently(every=every)
        # First, so that on PostgreSQL the seal below rewrites the cleared rows and VACUUM then
        # removes the versions that still said who answered.
        forgotten = forget_respondents(closed)
        if forgotten:
            self.stdout.write(
                f"{forgotten} invitations of {len(closed)} closed rounds forgot who answered "
                "and their reminders."
            )
        if connection.vendor != "postgresql":
            emptied = journal.wal_truncate()
            self.stdout.write(
                "seal-rounds: rows carry no writer's stamp on this database; "
                + (
                    "write-ahead log emptied."
                    if emptied
                    else "write-ahead log busy; the next submission empties it."
                )
            )
            return
        round_ids = rounds_to_seal(every=every)
        for round_id in round_ids:
            report = round_seal(round_id, vacuum=False)
            assert report is not None
            self.stdout.write(
                f"round {round_id}: {report.invitations} invitations, {report.responses} responses, "
                f"{report.comments} comments sealed"
            )
        if round_ids:
            vacuumed = vacuum_sealed_tables()
            self.stdout.write("VACUUM done." if vacuumed else "VACUUM refused; autovacuum will follow.")
        else:
            self.stdout.write("seal-rounds: no open or recently closed rounds.")
