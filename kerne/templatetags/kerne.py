"""Template helpers available in every template (registered as a builtin)."""

from __future__ import annotations

from typing import Any

from django import template

from kerne.i18n import localized

register = template.Library()


@register.filter
def loc(obj: Any, field: str) -> str:
    """`{{ behaviour|loc:"label" }}` picks `label_en` or `label_da` by the active language."""
    return localized(obj, field)
