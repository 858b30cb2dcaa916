"""Formatting helpers for the results templates (no decisions: numbers arrive already suppressed)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import formats
from django.utils.translation import gettext as _

register = template.Library()

# Heatmap bins (score 0…100) → CSS class; the number is always printed in the cell too.
HEAT_BINS = ((40.0, "heat-0"), (55.0, "heat-1"), (65.0, "heat-2"), (75.0, "heat-3"))


@register.filter
def heat_class(score: float | None) -> str:
    if score is None:
        return "heat-hidden"
    for upper, name in HEAT_BINS:
        if score < upper:
            return name
    return "heat-4"


@register.filter
def pct(share: float | None) -> str:
    """A share 0…1 as a whole percentage (for widths and text)."""
    if share is None:
        return "0"
    return str(round(100 * share))


@register.filter
def at(values: Any, index: int) -> Any:
    try:
        return values[index]
    except (IndexError, KeyError, TypeError):
        return None


@register.filter
def change_text(change: int) -> str:
    if change > 0:
        return _("bedre")
    if change < 0:
        return _("dårligere")
    return _("ingen ændring")


@register.filter
def change_symbol(change: int) -> str:
    return "▲" if change > 0 else "▼" if change < 0 else "●"


@register.filter
def signed(value: float | None) -> str:
    if value is None:
        return ""
    text = formats.number_format(abs(value), 1)
    return ("+" if value > 0 else "−" if value < 0 else "±") + text
