"""Template helpers of the goals pages."""

from __future__ import annotations

from django import template
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
