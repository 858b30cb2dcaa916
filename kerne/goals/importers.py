"""Import of measurements from CSV or XLSX.

Same rules as every import in Kerne (DESIGN §3): the file is validated whole first; a file with
any error imports nothing and every error names its row (as the spreadsheet numbers them, the
header being row 1) and column. A valid file is recorded in one transaction
(services.measurements_import), corrections keeping the old values in history.

Columns (Danish or English header names, any order, case-insensitive):

    indikator / indicator   the indicator's code, or its number (id)
    enhed / unit            the unit's external key (as in the organisation import)
    periode / period        a date in the period (2025-03-01, 01-03-2025, 1.3.2025), or 2025-03,
                            2025-Q1 / 2025-K1, or 2025; stored as the period's first day
    værdi / value           the number; decimal comma or point (12,5 or 12.5; 1.234,5); at most
                            14 digits before the mark, rounded to 6 decimals (goals/numbers.py)
    vægt / weight           optional; for weighted averages (e.g. number of citizens); same bounds
    kommentar / comment     optional

CSV files are read with the organisation import's reader (`kerne.organisation.importers.read_csv`:
delimiter sniffed among ; , and tab; UTF-8 with or without BOM, UTF-16, or Windows-1252) and
dates with its `parse_date` (dd-mm-yyyy with - . or /, or ISO), so every import in Kerne reads
files the same way. XLSX: the first worksheet.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import models
from django.utils.translation import gettext as _

from kerne.goals import numbers
from kerne.goals.models import Indicator, Measurement
from kerne.goals.periods import period_start
from kerne.goals.services import MeasurementInput
from kerne.organisation import importers as org_importers
from kerne.organisation.models import Unit

MAX_ROWS = 100_000
COLUMNS = {
    "indicator": ("indikator", "indicator"),
    "unit": ("enhed", "unit"),
    "period": ("periode", "period"),
    "value": ("værdi", "vaerdi", "value"),
    "weight": ("vægt", "vaegt", "weight"),
    "comment": ("kommentar", "comment"),
}
REQUIRED = ("indicator", "unit", "period", "value")
VALUE_FIELD = numbers.decimal_field(Measurement, "value")
WEIGHT_FIELD = numbers.decimal_field(Measurement, "weight")


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("Række %(row)s, kolonne %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column or "–",
            "message": self.message,
        }


class ImportFileError(ValueError):
    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = list(errors)


# --- reading files ---------------------------------------------------------------------------------

Rows = list[tuple[int, list[str]]]


def read_csv(data: bytes, filename: str) -> tuple[list[str], Rows]:
    issues: list[org_importers.ImportIssue] = []
    table = org_importers.read_csv(org_importers.SourceFile(filename, data), issues, max_rows=MAX_ROWS)
    if issues or table is None:
        raise ImportFileError([RowError(i.where.row or 0, i.where.column or "", i.message) for i in issues])
    rows = [(number, [org_importers.text_of(c) for c in cells]) for number, cells in table.rows]
    return [h.lstrip("\ufeff") for h in table.header], rows


def read_xlsx(data: bytes) -> tuple[list[str], Rows]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        header: list[str] | None = None
        rows: Rows = []
        for number, values in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
            cells = [org_importers.text_of(v) for v in values]
            if not any(cells):
                continue
            if header is None:
                header = cells
            elif len(rows) >= MAX_ROWS:  # stop reading here: the rest is never held in memory
                raise ImportFileError(
                    [RowError(number, "", _("Filen har mere end %(n)s rækker.") % {"n": MAX_ROWS})]
                )
            else:
                rows.append((number, cells))
    finally:
        workbook.close()
    if header is None:
        raise ImportFileError([RowError(1, "", _("Filen er tom eller mangler en overskrift."))])
    return header, rows


def read_table(
    data: bytes, filename: str, *, max_unpacked_bytes: int | None = None
) -> tuple[list[str], Rows]:
    """The header and the numbered, non-blank rows of a CSV or XLSX file; with
    `max_unpacked_bytes`, an XLSX that unpacks to more is refused before it is opened."""
    if filename.lower().endswith((".xlsx", ".xlsm")) or data[:2] == b"PK":
        if max_unpacked_bytes is not None:
            issue = org_importers.unpacked_too_large(
                org_importers.SourceFile(filename, data), max_unpacked_bytes
            )
            if issue is not None:
                raise ImportFileError([RowError(0, "", issue.message)])
        try:
            return read_xlsx(data)
        except ImportFileError:
            raise
        except Exception as exc:  # a broken workbook is the user's error, reported plainly
            raise ImportFileError([RowError(0, "", _("Filen kan ikke læses som XLSX (%s).") % exc)]) from exc
    return read_csv(data, filename)


# --- parsing cells ---------------------------------------------------------------------------------

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})\s*[-\s]?\s*[QqKk]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


def parse_date(text: str) -> dt.date:
    """ISO (2025-03-01) or Danish (01-03-2025, 1.3.2025, 1/3/2025) dates, as the organisation import."""
    try:
        day = org_importers.parse_date(text)
    except org_importers.CellError as exc:
        raise ValueError(str(exc)) from exc
    if day is None:
        raise ValueError(text)
    return day


def parse_period(text: str) -> dt.date:
    """A date, a month (2025-03), a quarter (2025-Q1, 2025-K1) or a year (2025): the first day."""
    text = text.strip()
    if match := _MONTH.match(text):
        return dt.date(int(match.group(1)), int(match.group(2)), 1)
    if match := _QUARTER.match(text):
        return dt.date(int(match.group(1)), 3 * (int(match.group(2)) - 1) + 1, 1)
    if match := _YEAR.match(text):
        return dt.date(int(match.group(1)), 1, 1)
    return parse_date(text)


def parse_decimal(text: str) -> Decimal:
    """12,5 and 12.5 and 1.234,5 and 1,234.5; no thousands separators guessed from a lone mark."""
    value = _decimal(text)
    if not value.is_finite():
        raise InvalidOperation(text[:20])
    return value


def _decimal(text: str) -> Decimal:
    text = text.strip().replace(" ", "").replace("\u00a0", "")
    if not text or len(text) > numbers.MAX_TEXT_LENGTH:
        raise InvalidOperation(text[:20])
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        text = text.replace(",", ".")
    return Decimal(text)


def parse_number(text: str, field: models.DecimalField, label: str = "") -> Decimal:
    """A number for `field`: parse_decimal, then checked against the field (goals/numbers.py).

    InvalidOperation when the text is no number; numbers.NumberError when it does not fit."""
    return numbers.bounded(_decimal(text), field, label)


# --- validating rows ---------------------------------------------------------------------------------


def _header_map(header: list[str]) -> tuple[dict[str, int], list[RowError]]:
    positions: dict[str, int] = {}
    errors: list[RowError] = []
    normalised = [h.strip().lower() for h in header]
    for key, names in COLUMNS.items():
        found = [i for i, h in enumerate(normalised) if h in names]
        if found:
            positions[key] = found[0]
        elif key in REQUIRED:
            errors.append(RowError(1, names[0], _("Kolonnen mangler i overskriften.")))
    return positions, errors


def validate(
    header: list[str],
    rows: Rows,
    *,
    may_edit: Callable[[Unit], bool],
    may_use: Callable[[Indicator], bool],
) -> tuple[list[MeasurementInput], list[RowError]]:
    """Check every row; return the inputs and every error (an empty error list means all is well)."""
    if not any(c.strip() for c in header):
        return [], [RowError(1, "", _("Filen er tom eller mangler en overskrift."))]
    if len(rows) > MAX_ROWS:
        return [], [RowError(MAX_ROWS + 2, "", _("Filen har mere end %(n)s rækker.") % {"n": MAX_ROWS})]
    positions, errors = _header_map(header)
    if errors:
        return [], errors
    body = [(n, r) for n, r in rows if any(c.strip() for c in r)]

    def cell(row: list[str], key: str) -> str:
        i = positions.get(key)
        return row[i].strip() if i is not None and i < len(row) else ""

    def _shown(row: list[str], key: str) -> str:
        """A cell quoted in a message, shortened so a huge cell cannot flood the error list."""
        text = cell(row, key)
        return text if len(text) <= 40 else f"{text[:40]}…"

    codes = {cell(r, "indicator") for _n, r in body}
    by_code = {i.code: i for i in Indicator.objects.filter(code__in=codes).exclude(code=None)}
    ids = [int(c) for c in codes if c.isdigit()]
    by_id = {str(i.pk): i for i in Indicator.objects.filter(pk__in=ids)}
    keys = {cell(r, "unit") for _n, r in body}
    units = {u.external_key: u for u in Unit.objects.filter(external_key__in=keys)}
    name = {k: COLUMNS[k][0] for k in COLUMNS}

    inputs: list[MeasurementInput] = []
    seen: dict[tuple[int, int, dt.date], int] = {}
    for number, row in body:
        row_errors: list[RowError] = []
        code = cell(row, "indicator")
        indicator = by_code.get(code) or by_id.get(code)
        if not code:
            row_errors.append(RowError(number, name["indicator"], _("Indikator mangler.")))
        elif indicator is None or not may_use(indicator):
            row_errors.append(RowError(number, name["indicator"], _("Ukendt indikator: %s") % code))
            indicator = None
        elif indicator.source in (Indicator.Source.COMPUTED, Indicator.Source.SURVEY):
            row_errors.append(
                RowError(
                    number, name["indicator"], _("Indikatoren beregnes og kan ikke importeres: %s") % code
                )
            )
            indicator = None
        key = cell(row, "unit")
        unit = units.get(key)
        if not key:
            row_errors.append(RowError(number, name["unit"], _("Enhed mangler.")))
        elif unit is None:
            row_errors.append(RowError(number, name["unit"], _("Ukendt enhed: %s") % key))
        elif not may_edit(unit):
            row_errors.append(
                RowError(number, name["unit"], _("Du kan ikke registrere målinger for %s.") % unit.name)
            )
            unit = None
        period: dt.date | None = None
        try:
            period = parse_period(cell(row, "period"))
        except ValueError:
            row_errors.append(
                RowError(number, name["period"], _("Ugyldig periode: '%s'") % cell(row, "period"))
            )
        value: Decimal | None = None
        try:
            value = parse_number(cell(row, "value"), VALUE_FIELD)
        except numbers.NumberError as exc:
            row_errors.append(RowError(number, name["value"], exc.message))
        except (InvalidOperation, ValueError):
            row_errors.append(RowError(number, name["value"], _("Ugyldigt tal: '%s'") % _shown(row, "value")))
        weight: Decimal | None = None
        if cell(row, "weight"):
            try:
                weight = parse_number(cell(row, "weight"), WEIGHT_FIELD)
            except numbers.NumberError as exc:
                row_errors.append(RowError(number, name["weight"], exc.message))
            except (InvalidOperation, ValueError):
                row_errors.append(
                    RowError(number, name["weight"], _("Ugyldigt tal: '%s'") % _shown(row, "weight"))
                )
        if not row_errors and indicator and unit and period and value is not None:
            period = period_start(period, indicator.frequency)
            duplicate = seen.get((indicator.pk, unit.pk, period))
            if duplicate:
                row_errors.append(
                    RowError(
                        number,
                        name["period"],
                        _("Samme indikator, enhed og periode som række %s.") % duplicate,
                    )
                )
            else:
                seen[(indicator.pk, unit.pk, period)] = number
                inputs.append(
                    MeasurementInput(indicator, unit, period, value, weight, cell(row, "comment")[:2000])
                )
        errors.extend(row_errors)
    if not body and not errors:
        errors.append(RowError(2, "", _("Filen har ingen rækker med målinger.")))
    return inputs, errors


def parse_file(
    data: bytes,
    filename: str,
    *,
    may_edit: Callable[[Unit], bool],
    may_use: Callable[[Indicator], bool],
    max_unpacked_bytes: int | None = None,
) -> list[MeasurementInput]:
    """Read and validate a file; raises ImportFileError with every error."""
    header, rows = read_table(data, filename, max_unpacked_bytes=max_unpacked_bytes)
    inputs, errors = validate(header, rows, may_edit=may_edit, may_use=may_use)
    if errors:
        raise ImportFileError(errors)
    return inputs
