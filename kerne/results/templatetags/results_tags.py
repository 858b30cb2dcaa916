"""Formatting helpers for the results templates (no decisions: numbers arrive already suppressed)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import floatformat
from django.utils.html import format_html
from django.utils.safestring import mark_safe
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
    """+8,5 / −3,0 / ±0,0 (the sign of the rounded number)."""
    if value is None:
        return ""
    text = _one_decimal(abs(value))
    if abs(value) < 0.05:
        return "±" + text
    return ("+" if value > 0 else "−") + text


# The three pieces below repeat for every dimension and item of a report: as Python tags
# they render many times faster than `{% include %}` in a loop (same HTML as before).


def _one_decimal(value: float) -> str:
    """Rounded (half up) and localized, exactly like `|floatformat:1`."""
    return str(floatformat(value, 1))


@register.simple_tag
def score(stat: Any) -> str:
    """The mean in bold, or "hidden"."""
    if stat is not None and stat.shown and stat.mean is not None:
        return format_html("<strong>{}</strong>", _one_decimal(stat.mean))
    return format_html('<span class="hidden-value">{}</span>', _("skjult"))


@register.simple_tag
def distribution(stat: Any) -> str:
    """A bar of unfavourable / neutral / favourable shares plus the same numbers as text."""
    if stat is None or not stat.shown or not stat.shares:
        return ""
    u, n, f = (pct(s) for s in stat.shares)
    text = _("%(f)s %% positive · %(n)s %% neutrale · %(u)s %% negative") % {"f": f, "n": n, "u": u}
    return format_html(
        '<div class="dist" aria-hidden="true"><span class="b-unfav" style="width: {}%"></span>'
        '<span class="b-neutral" style="width: {}%"></span>'
        '<span class="b-fav" style="width: {}%"></span></div>\n<span class="dist-text">{}</span>',
        u,
        n,
        f,
        text,
    )


@register.simple_tag
def comparisons(items: Any) -> str:
    """Each comparison: symbol, signed difference, and in words what it is compared with."""
    parts = []
    for c in items or ():
        css = "up" if c.change > 0 else "down" if c.change < 0 else "none"
        word = _("siden") if c.kind == "previous" else _("mod")
        parts.append(
            format_html(
                '<div class="comparison change-{}"><span aria-hidden="true">{}</span> {} '
                '<span class="muted">{} {} ({}, {})</span></div>',
                css,
                change_symbol(c.change),
                signed(c.delta),
                word,
                c.label,
                _one_decimal(c.mean),
                change_text(c.change),
            )
        )
    return mark_safe("".join(parts))
