"""Numbers the goals store, checked against the model field each goes into (issue 10, point 1).

Every decimal typed on a page, read from an import file or posted to the API goes through
`bounded` before it reaches a service, so what is stored always fits its column:

- it is finite (no infinity, no NaN);
- it has at most max_digits − decimal_places digits before the decimal mark (14 for a
  measurement's value: |value| < 10^14); a larger number is refused with a message that names
  the field;
- it is rounded to the field's decimal places (half up): a spreadsheet cell holding
  0.30000000000000004 is stored as 0.3, not refused.

A bad value stored before these checks existed (or by hand in the database) is read as
"invalid" instead of breaking a page: `usable` turns it into None for a stored Decimal (the
SQLite backend in kerne/db/sqlite3 reads it as NaN), `storable_float` tells the series reader
which floats to show as invalid.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext as _

# Longer texts are not numbers anyone types; refusing them early keeps parsing cheap.
MAX_TEXT_LENGTH = 100


class NumberError(ValueError):
    """A number that does not fit its field; `message` is the translated text for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def decimal_field(model: type[models.Model], name: str) -> models.DecimalField:
    field = model._meta.get_field(name)
    assert isinstance(field, models.DecimalField), f"{model.__name__}.{name} is not a DecimalField"
    return field


def field_label(field: models.DecimalField) -> str:
    label = str(field.verbose_name)
    return label[:1].upper() + label[1:]


def whole_digits(field: models.DecimalField) -> int:
    """Digits allowed before the decimal mark."""
    return int(field.max_digits or 0) - int(field.decimal_places or 0)


def bounded(value: Decimal, field: models.DecimalField, label: str = "") -> Decimal:
    """`value` rounded to the field's decimal places; NumberError when it cannot be stored."""
    name = label or field_label(field)
    if not value.is_finite():
        raise NumberError(
            _("%(field)s: skriv et almindeligt tal, ikke uendelig eller NaN.") % {"field": name}
        )
    digits = whole_digits(field)
    limit_text = _("%(field)s: tallet er for stort – højst %(digits)s cifre før kommaet.") % {
        "field": name,
        "digits": digits,
    }
    # adjusted() is the exponent of the first digit: 12345 → 4. Checked before rounding, which
    # would itself fail on a number with thousands of digits.
    if value and value.adjusted() >= digits:
        raise NumberError(limit_text)
    places = int(field.decimal_places or 0)
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if rounded and rounded.adjusted() >= digits:  # 99999999999999.9999999 rounds up to 10^14
        raise NumberError(limit_text)
    return rounded + 0  # + 0 turns -0.000000 into 0.000000


def usable(value: Decimal | float | None) -> Decimal | None:
    """A stored decimal, or None when what is stored is not a number (see module docstring).

    A float is accepted for a field's default on an unsaved object (tolerance=0.05)."""
    if value is None:
        return None
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    return value if value.is_finite() else None


def storable_float(value: float | None, field: models.DecimalField) -> bool:
    """Whether a float read from a decimal column is a value the field could hold."""
    if value is None:
        return True
    return math.isfinite(value) and abs(value) < 10.0 ** whole_digits(field)
