"""Loading a foundation from its YAML file (Ballerup's ships in data/ballerup.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

BALLERUP = Path(__file__).parent / "data" / "ballerup.yaml"


def read_foundation(path: Path = BALLERUP) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def load_foundation(apps: Any, data: dict[str, Any]) -> None:
    """Create or update the foundation rows by key. `apps` is a migration's app registry
    or django.apps.apps, so a data migration and the admin use the same code."""
    foundation_model = apps.get_model("foundation", "Foundation")
    behaviour_model = apps.get_model("foundation", "Behaviour")
    value_model = apps.get_model("foundation", "Value")
    principle_model = apps.get_model("foundation", "Principle")

    existing = foundation_model.objects.first()
    if existing is None:
        foundation_model.objects.create(**data["foundation"])
    else:
        for field, value in data["foundation"].items():
            setattr(existing, field, value)
        existing.save()
    for order, row in enumerate(data["behaviours"], start=1):
        behaviour_model.objects.update_or_create(key=row["key"], defaults={**row, "order": order})
    for order, row in enumerate(data["values"], start=1):
        value_model.objects.update_or_create(key=row["key"], defaults={**row, "order": order})
    for row in data["principles"]:
        principle_model.objects.update_or_create(key=row["key"], defaults=row)
