"""`kerne import-org UNITS_FILE [PEOPLE_FILE] [--format auto|csv|xlsx|os2mo] [--dry-run]`.

Imports the organisation in one transaction. A file with any error imports nothing:
every error is printed as `row R, column C: message` and the command exits with 1.
Otherwise it prints what was added, changed and closed. See docs/import.md.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from kerne.organisation.import_service import ImportResult, org_import_run, summary_lines
from kerne.organisation.importers import FORMATS, ProgressBar, SourceFile


class _Silent:
    def update(self, n: int = 1) -> None:
        return None

    def close(self) -> None:
        return None


class Command(BaseCommand):
    help = (
        "Import the organisation (units, and optionally people and engagements) from CSV, XLSX "
        "or an OS2mo GraphQL export (JSON). One transaction: a file with errors imports nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "units_file", help="units file (CSV, XLSX with a units/people sheet, or OS2mo JSON)"
        )
        parser.add_argument("people_file", nargs="?", help="people file (CSV or XLSX), optional")
        parser.add_argument("--format", choices=FORMATS, default="auto", help="file format (default: detect)")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and show what would change; save nothing"
        )
        parser.add_argument(
            "--progress", action="store_true", help="show progress bars even when stderr is not a terminal"
        )
        parser.add_argument(
            "--language", choices=["en", "da"], default="en", help="language of the output (default: en)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            self._run(options)

    def _read(self, name: str | None) -> SourceFile | None:
        if name is None:
            return None
        path = Path(name)
        try:
            return SourceFile(path.name, path.read_bytes())
        except OSError as exc:
            raise CommandError(
                _("%(file)s: filen kan ikke læses (%(reason)s); intet er importeret")
                % {"file": name, "reason": exc.strerror or exc}
            ) from None

    def _run(self, options: dict[str, Any]) -> None:
        units_file = self._read(options["units_file"])
        people_file = self._read(options["people_file"])
        assert units_file is not None
        show = options["progress"] or sys.stderr.isatty()

        def progress(description: str, total: int | None) -> ProgressBar:
            if not show or total == 0:
                return _Silent()
            from tqdm import tqdm

            return tqdm(total=total, desc=description, file=sys.stderr, unit=" " + _("rækker"), leave=False)

        result: ImportResult = org_import_run(
            actor=None,
            units_file=units_file,
            people_file=people_file,
            fmt=options["format"],
            dry_run=options["dry_run"],
            progress=progress,
        )
        if result.errors:
            for issue in result.errors:
                self.stderr.write(str(issue))
            raise CommandError(
                _("%(n)s fejl: intet er importeret.") % {"n": len(result.errors)}
                if len(result.errors) != 1
                else _("1 fejl: intet er importeret.")
            )
        assert result.summary is not None
        for line in summary_lines(result.summary):
            self.stdout.write(line)
        if options["dry_run"]:
            self.stdout.write(_("Prøvekørsel: intet er gemt."))
        elif result.summary.total == 0:
            self.stdout.write(_("Intet at ændre: databasen svarer allerede til filen."))
        else:
            self.stdout.write(self.style.SUCCESS(_("Importen er gennemført.")))
