"""Bilingual data fields: models keep `<field>_da` and `<field>_en` side by side."""

from __future__ import annotations

from typing import Any

from django.utils import translation


def localized(obj: Any, field: str, language: str | None = None) -> str:
    """The value of `field` in the active language, falling back to Danish."""
    lang = (language or translation.get_language() or "da")[:2]
    value = getattr(obj, f"{field}_{lang}", "") if lang != "da" else ""
    return str(value or getattr(obj, f"{field}_da", "") or "")
