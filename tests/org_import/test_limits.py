"""Upload limits checked while the file is read (issue 10, point 5): reading stops at the first
row past the limit, so memory stays bounded whatever the file holds after it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kerne.goals import importers as measurement_importers


def _never_past(limit: int, cells: list[Any]) -> Iterator[tuple[Any, ...]]:
    """A worksheet that fails the test when a row after the first one past `limit` is read."""
    yield ("indikator", "enhed", "periode", "værdi")
    for _index in range(limit + 1):
        yield tuple(cells)
    raise AssertionError("the reader went on past the row limit")


class _Workbook:
    def __init__(self, rows: Iterator[tuple[Any, ...]]) -> None:
        self.worksheets = [type("Sheet", (), {"iter_rows": lambda _self, **kw: rows})()]

    def close(self) -> None:
        return None


def test_measurement_csv_stops_reading_at_the_row_limit(monkeypatch):
    monkeypatch.setattr(measurement_importers, "MAX_ROWS", 3)
    # Row 10 holds a field the csv module refuses: a reader that reads everything first fails on it.
    body = "".join(f"timer;A1;2025-0{i};{i}\n" for i in range(1, 8)) + "x;" + "9" * 200_000 + ";2025;1\n"
    with pytest.raises(measurement_importers.ImportFileError) as caught:
        measurement_importers.read_table(("indikator;enhed;periode;værdi\n" + body).encode(), "m.csv")
    [error] = caught.value.errors
    assert error.row == 5 and "mere end 3 rækker" in error.message


def test_measurement_xlsx_stops_reading_at_the_row_limit(monkeypatch):
    import openpyxl

    monkeypatch.setattr(measurement_importers, "MAX_ROWS", 3)
    rows = _never_past(3, ["timer", "A1", "2025-01", 1])
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *args, **kwargs: _Workbook(rows))
    with pytest.raises(measurement_importers.ImportFileError) as caught:
        measurement_importers.read_table(b"PK\x03\x04", "m.xlsx")
    [error] = caught.value.errors
    assert error.row == 5 and "mere end 3 rækker" in error.message
