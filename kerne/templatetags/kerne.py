"""Template helpers available in every template (registered as a builtin)."""

from __future__ import annotations

from typing import Any

from django import template

from kerne.i18n import language_names as i18n_language_names
from kerne.i18n import localized, long_date, long_datetime

register = template.Library()


@register.filter
def loc(obj: Any, field: str) -> str:
    """`{{ behaviour|loc:"label" }}` picks `label_en` or `label_da` by the active language."""
    return localized(obj, field)


@register.filter
def longdate(value: Any) -> str:
    """`{{ deadline|longdate }}`: "1. december 2026" / "1 December 2026" (kerne.i18n.long_date)."""
    return long_date(value)


@register.filter
def longdatetime(value: Any) -> str:
    """`{{ closes_at|longdatetime }}`: "1. december 2026 kl. 10:00" / "1 December 2026, 10:00"."""
    return long_datetime(value)


@register.filter
def language_names(codes: Any) -> str:
    """`{{ round.languages|language_names }}`: "Dansk, engelsk" / "Danish, English"."""
    return i18n_language_names(codes)
