"""`kerne import-measurements FILE`: record measurements from a CSV or XLSX file.

The file is validated whole first; with any error nothing is imported and every error is
printed with its row and column (exit status 1). See kerne/goals/importers.py for the columns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kerne.goals import importers, selectors, services


class Command(BaseCommand):
    help = "Import measurements (indicator, unit, period, value[, weight, comment]) from CSV or XLSX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--user",
            help="Import as this user (their access rules apply and they are recorded as the author). "
            "Without it the import runs as the system, for every unit.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Only validate the file.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"no user named {options['user']!r}")

        def may_edit(unit: Any) -> bool:
            return actor is None or selectors.can_record_measurements(actor, unit)

        visible = None if actor is None else set(selectors.indicators(actor).values_list("pk", flat=True))

        def may_use(indicator: Any) -> bool:
            return visible is None or indicator.pk in visible

        try:
            rows = importers.parse_file(path.read_bytes(), path.name, may_edit=may_edit, may_use=may_use)
        except importers.ImportFileError as exc:
            for error in exc.errors:
                self.stderr.write(f"{path.name}: {error}")
            raise CommandError(f"{len(exc.errors)} error(s); nothing was imported.") from exc
        if options["dry_run"]:
            self.stdout.write(f"{len(rows)} measurement(s) are valid; nothing imported (dry run).")
            return
        counts = services.measurements_import(actor=actor, rows=rows)
        self.stdout.write(
            f"Imported: {counts['created']} new, {counts['corrected']} corrected, "
            f"{counts['unchanged']} unchanged measurement(s)."
        )
