"""`kerne demo`: Demo Kommune, a realistic Danish municipality with demo logins for each role.

    kerne demo [--people N] [--seed S] [--reset] [--if-empty] [--org-only]

After the organisation, the other apps' demo builders run in the order of
DEMO_BUILDERS (dotted paths to `build(*, seed: int, stdout) -> None`), unless
--org-only. The demo logins are printed at the end every time.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.module_loading import import_string

from kerne.organisation import demo
from kerne.organisation.models import Unit

DEMO_BUILDERS: list[str] = [
    "kerne.surveys.demo.build",
    "kerne.goals.demo.build",
]


class Command(BaseCommand):
    help = "Opretter Demo Kommune: en realistisk dansk kommune med demo-logins til hver rolle."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--people", type=int, default=demo.DEFAULT_PEOPLE, help="Antal personer (standard 5.000)."
        )
        parser.add_argument("--seed", type=int, default=1, help="Samme seed giver samme kommune.")
        parser.add_argument(
            "--reset", action="store_true", help="Slet organisationen og alt, der afhænger af den, først."
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Gør intet (ud over at vise logins), hvis der allerede findes enheder.",
        )
        parser.add_argument(
            "--org-only", action="store_true", help="Kun organisationen, ikke målinger, mål osv."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        people: int = options["people"]
        seed: int = options["seed"]
        if people < demo.MIN_PEOPLE:
            raise CommandError(f"--people skal være mindst {demo.MIN_PEOPLE}, fik {people}.")
        if options["if_empty"] and Unit.objects.exists():
            self.stdout.write("Der findes allerede en organisation; demoen oprettes ikke igen.")
            self._print_logins()
            return
        if options["reset"]:
            removed = demo.wipe()
            self.stdout.write(f"Slettede {demo.dk_number(sum(removed.values()))} rækker.")
        elif Unit.objects.exists():
            raise CommandError(
                "Der findes allerede enheder. Brug --reset for at erstatte dem med demo-kommunen, "
                "eller --if-empty for kun at oprette den i en tom database."
            )

        started = time.monotonic()
        self.stdout.write(
            f"Opretter {demo.MUNICIPALITY} med {people:,} personer (seed {seed}) …".replace(",", ".")
        )
        summary = demo.build(people=people, seed=seed, stdout=self.stdout)
        for line in demo.summary_lines(summary):
            self.stdout.write(line)
        if not options["org_only"]:
            for dotted in DEMO_BUILDERS:
                self.stdout.write(f"Kører {dotted} …")
                import_string(dotted)(seed=seed, stdout=self.stdout)
        self.stdout.write(f"Færdig på {time.monotonic() - started:.1f} s.")
        self._print_logins()

    def _print_logins(self) -> None:
        self.stdout.write("")
        for line in demo.login_lines():
            self.stdout.write(line)
