"""Template helpers of the goals pages."""

from __future__ import annotations

import math
from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()

SYMBOLS = {"on_track": "●", "at_risk": "▲", "off_track": "✖"}


@register.simple_tag
def status_badge(code: str, label: str, overridden: object = None) -> SafeString:
    """The status as text with a shape (never colour alone); marks a leader's override."""
    code = str(code)
    note = format_html(' <span class="badge-note">({})</span>', _("sat af leder")) if overridden else ""
    return format_html(
        '<span class="badge badge-{}"><span aria-hidden="true">{}</span> {}{}</span>',
        code,
        SYMBOLS.get(code, "–"),
        label,
        note,
    )


@register.filter
def stored_number(value: Decimal | float | None, places: str = "-2") -> str:
    """A number read from the database, as floatformat shows it; one that is not a number (stored
    before goals/numbers.py checked every number) is shown as invalid instead of breaking the page."""
    if value is None or value == "":
        return ""
    finite = value.is_finite() if isinstance(value, Decimal) else math.isfinite(float(value))
    if not finite:
        return format_html('<strong class="invalid-value">{}</strong>', _("ugyldig værdi"))
    return str(floatformat(value, places))
