"""Django's SQLite backend, reading a decimal that does not fit its column as NaN.

SQLite stores whatever it is given: before every number was checked against its field
(kerne/goals/numbers.py) a measurement of 1e999999 was stored as infinity, and
123456789012345678901234567890 in a 20-digit column as 1.2e29. Django's converter then raises
decimal.InvalidOperation on every read of the row, so one bad value made every page that lists
it answer 500. Here such a value reads as Decimal("NaN") instead, as PostgreSQL returns a
stored NaN, and the pages show it as invalid (numbers.usable) so it can be corrected.

Used by settings.DATABASES for the embedded SQLite database (ENGINE "kerne.db.sqlite3").
"""

from __future__ import annotations

import decimal
from collections.abc import Callable
from typing import Any

from django.db.backends.sqlite3 import base, operations

NAN = decimal.Decimal("NaN")


class DatabaseOperations(operations.DatabaseOperations):
    def get_decimalfield_converter(self, expression: Any) -> Callable[..., Any]:
        convert = super().get_decimalfield_converter(expression)

        def converter(value: Any, expression: Any, connection: Any) -> Any:
            try:
                return convert(value, expression, connection)
            except (ArithmeticError, TypeError, ValueError):  # InvalidOperation, OverflowError …
                return NAN

        return converter


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
