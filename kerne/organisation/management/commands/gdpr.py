"""`kerne gdpr export PERSON_KEY` prints the person's data as JSON;
`kerne gdpr erase PERSON_KEY --yes` erases it (see kerne/organisation/gdpr.py)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kerne.organisation.gdpr import person_erase, person_export
from kerne.organisation.models import Person


class Command(BaseCommand):
    help = "Export or erase one person's personal data (GDPR). Anonymous results are never touched."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["export", "erase"])
        parser.add_argument("person_key", help="The person's external key (e.g. HR number or OS2mo UUID)")
        parser.add_argument("--yes", action="store_true", help="Confirm erasure")

    def handle(self, *args: Any, action: str, person_key: str, yes: bool, **options: Any) -> None:
        person = Person.objects.filter(external_key=person_key).first()
        if person is None:
            raise CommandError(f"No person with external key {person_key!r}.")
        if action == "export":
            self.stdout.write(json.dumps(person_export(person), ensure_ascii=False, indent=2))
            return
        if not yes:
            raise CommandError("Erasure cannot be undone: add --yes to confirm.")
        person_erase(actor=None, person=person)
        self.stdout.write(f"Erased the personal data of person {person.pk}.")
