"""Bilingual data fields: models keep `<field>_da` and `<field>_en` side by side; and dates and
language names written the same way everywhere."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext_lazy


def localized(obj: Any, field: str, language: str | None = None) -> str:
    """The value of `field` in the active language, falling back to Danish."""
    lang = (language or translation.get_language() or "da")[:2]
    value = getattr(obj, f"{field}_{lang}", "") if lang != "da" else ""
    return str(value or getattr(obj, f"{field}_da", "") or "")


# --- Dates and language names, one way on every page and in every e-mail ---------------------
#
# A date is written as a Danish long date, "1. december 2026" (English: "1 December 2026"), and
# a moment as "1. december 2026 kl. 10:00" ("1 December 2026, 10:00"), in the local time zone.
# Templates use the `longdate` and `longdatetime` filters (kerne/templatetags/kerne.py); Python
# code (e-mails, messages) `long_date` and `long_datetime`.

LONG_DATE = {"da": "j. F Y", "en": "j F Y"}
LONG_DATETIME = {"da": "j. F Y \\k\\l. H:i", "en": "j F Y, H:i"}


def _ui_language() -> str:
    language = (translation.get_language() or "da")[:2]
    return language if language in LONG_DATE else "da"


def long_date(value: dt.date | dt.datetime | None) -> str:
    """`1. december 2026` in Danish, `1 December 2026` in English; "" for no date."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return dateformat.format(value, LONG_DATE[_ui_language()])


def long_datetime(value: dt.datetime | None) -> str:
    """`1. december 2026 kl. 10:00` in Danish, `1 December 2026, 10:00` in English."""
    if value is None or value == "":
        return ""
    if not isinstance(value, dt.datetime):
        return long_date(value)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, LONG_DATETIME[_ui_language()])


# Language names in the language of the page, capitalised as a label ("Dansk", "Engelsk";
# "Danish", "English"). The answer pages' language switch names each language in itself instead.
LANGUAGE_NAMES = {"da": gettext_lazy("Dansk"), "en": gettext_lazy("Engelsk")}


def language_name(code: str) -> str:
    return str(LANGUAGE_NAMES.get(code, code))


def language_names(codes: Any) -> str:
    """ "Dansk, engelsk" / "Danish, English": the first as a label, the rest as in a sentence."""
    names = [language_name(c) for c in codes or ()]
    if _ui_language() == "da":
        names = names[:1] + [n.lower() for n in names[1:]]
    return ", ".join(names)
