"""`kerne load-instruments [FILE ...]`: load the shipped instruments, or import files.

Without arguments it (re)loads the instruments shipped in kerne/surveys/data/ (the
migrations already did so once). With files (YAML, or JSON by the .json suffix) it
imports each; a file with errors imports nothing and every error is printed with its line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kerne.surveys.instruments import InstrumentError, load_instrument_file, load_shipped_instruments


class Command(BaseCommand):
    help = "Load the shipped survey instruments, or import instrument files (YAML/JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", help="instrument files to import (.yaml, .yml or .json)")

    def handle(self, *args: Any, **options: Any) -> None:
        files: list[str] = options["files"]
        if not files:
            for instrument in load_shipped_instruments():
                self.stdout.write(f"{instrument.key} v{instrument.version}: {instrument.name_da}")
            return
        failed = False
        for name in files:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: no such file")
            format = "json" if path.suffix.lower() == ".json" else "yaml"
            try:
                instrument = load_instrument_file(path, format=format)
            except InstrumentError as exc:
                failed = True
                for error in exc.errors:
                    self.stderr.write(f"{name}: {error}")
                continue
            self.stdout.write(f"{name}: {instrument.key} v{instrument.version}: {instrument.name_da}")
        if failed:
            raise CommandError("some files had errors and were not imported")
