"""Every CSV and XLSX file Kerne writes goes through here (issue 10, points 2 and 13).

Text and numbers are kept apart, so a spreadsheet never runs what a user typed and reads
numbers as numbers:

- **Text** (any `str`: unit and round names, instrument texts, headings) is written as text and
  neutralised as the OWASP guidance on CSV injection says: a cell that starts with ``=``, ``+``,
  ``-``, ``@``, a tab or a carriage return gets a single quote in front (``'=HYPERLINK(…)``), so
  Excel and LibreOffice show it instead of evaluating it. In CSV every text cell is also
  wrapped in double quotes (inner quotes doubled), so a separator inside a name cannot start a
  new cell; in XLSX it is a string cell, never a formula, and characters XML cannot hold
  (control characters) are dropped.
- **Numbers** (`int`, `float`, `Decimal`, or `Number` to fix the decimals) are numbers: in XLSX
  numeric cells with a number format; in CSV written the way Danish Excel reads them, with a
  decimal comma and no thousands separator (``53,3``), in a file separated by semicolons.
  A non-finite number (which no export should hold) is written as an empty cell.
- `None` is an empty cell.

CSV files are for Danish Excel whatever the page language, as municipal PCs read them; callers
send them with a UTF-8 byte order mark (`CSV_BOM`) so Excel picks the right encoding.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

# OWASP, "CSV Injection": cells beginning with these are read as formulas by spreadsheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_SEPARATOR = ";"
CSV_BOM = "\ufeff"
# Characters an XLSX (XML) cell cannot hold; openpyxl refuses a string containing them.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class Number:
    """A number written with a fixed number of decimals (`digits`; None: as it is)."""

    value: int | float | Decimal | None
    digits: int | None = None


Cell = str | int | float | Decimal | Number | None


def neutralise(text: str) -> str:
    """Text a spreadsheet shows and never evaluates: a leading formula character gets a quote."""
    return f"'{text}" if text.startswith(FORMULA_START) else text


def _number(cell: int | float | Decimal | Number) -> tuple[int | float | Decimal | None, int | None]:
    value, digits = (cell.value, cell.digits) if isinstance(cell, Number) else (cell, None)
    if value is None:
        return None, digits
    finite = value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
    return (value if finite else None), digits


# --- CSV -------------------------------------------------------------------------------------------


def csv_number(cell: int | float | Decimal | Number) -> str:
    """A number as Danish Excel reads it: decimal comma, no thousands separator."""
    value, digits = _number(cell)
    if value is None:
        return ""
    exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if digits is not None:
        # Half up, as the pages round (Django's floatformat): 53.25 is 53,3 everywhere.
        text = format(exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP), "f")
    elif isinstance(value, int):
        text = str(value)
    else:
        text = format(exact.normalize(), "f")
    if text.startswith("-") and not text.strip("-0.,"):
        text = text[1:]  # -0,0 is 0,0
    return text.replace(".", ",")


def csv_cell(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, str):
        return '"' + neutralise(cell).replace('"', '""') + '"'
    if isinstance(cell, bool):  # a bool is an int to Python, not a number to a reader
        return csv_cell(str(cell))
    return csv_number(cell)


def csv_text(rows: Iterable[Sequence[Cell]]) -> str:
    """The rows as CSV text (semicolons, CRLF line ends), without the byte order mark."""
    return "".join(CSV_SEPARATOR.join(csv_cell(c) for c in row) + "\r\n" for row in rows)


# --- XLSX ------------------------------------------------------------------------------------------


def xlsx_number_format(digits: int | None) -> str:
    return "General" if digits is None else ("0" if digits == 0 else "0." + "0" * digits)


def xlsx_append(sheet: Any, row: Sequence[Cell]) -> None:
    """Append `row` to an openpyxl worksheet: text as neutralised string cells (a string that no
    longer starts with "=" is never a formula to openpyxl or Excel), numbers as numeric cells
    with their number format."""
    values: list[object] = []
    formats: list[str | None] = []
    for cell in row:
        if cell is None:
            values.append(None)
            formats.append(None)
        elif isinstance(cell, str | bool):
            values.append(_XML_ILLEGAL.sub("", neutralise(str(cell))))
            formats.append(None)
        else:
            value, digits = _number(cell)
            values.append(float(value) if isinstance(value, Decimal) else value)
            formats.append(None if value is None else xlsx_number_format(digits))
    sheet.append(values)
    for column, number_format in enumerate(formats, start=1):
        target = sheet.cell(row=sheet.max_row, column=column)
        if isinstance(target.value, str):
            target.data_type = "s"
        if number_format is not None:
            target.number_format = number_format
