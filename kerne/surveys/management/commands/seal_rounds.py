"""`kerne seal-rounds`: seal the stored answers of open and recently closed rounds.

Run it from cron (e.g. hourly) on PostgreSQL: it keeps the database's own bookkeeping
from pairing a response with its invitation for longer than the interval (see
kerne/surveys/sealing.py). On SQLite it has nothing to do and says so.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection

from kerne.surveys.sealing import round_seal, rounds_to_seal, vacuum_sealed_tables


class Command(BaseCommand):
    help = "Seal the stored answers of open and recently closed survey rounds (PostgreSQL)."

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            self.stdout.write("seal-rounds: nothing to do on this database (rows carry no writer's stamp).")
            return
        round_ids = rounds_to_seal()
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
