"""Upload limits checked while the file is read (issue 10, point 5): reading stops at the first
row past the limit, so memory stays bounded whatever the file holds after it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kerne.goals import importers as measurement_importers
from kerne.organisation.importers import Limits, SourceFile, read_org
from kerne.organisation.models import Unit
from tests.org_import.conftest import post_upload
from tests.organisation.import_helpers import FILES, LEVELS, csv_rows, fixture, xlsx_bytes


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


# --------------------------------------------------------------------------- the organisation import


def _nested(depth: int) -> bytes:
    return (
        b'{"data": {"org_units": {"objects": [{"uuid": "u1", "name": '
        + b"[" * depth
        + b"]" * depth
        + b', "unit_type": {"name": "Direktion"}}]}}}'
    )


@pytest.mark.parametrize("depth", [900, 100_000])
def test_deeply_nested_json_is_refused_with_a_clear_message(depth):
    # 100,000 levels made Python's JSON parser raise RecursionError (a 500 on the upload page);
    # 900 levels parse, and then printing the name recursed.
    parsed = read_org(SourceFile("os2mo.json", _nested(depth)), fmt="os2mo")
    assert [str(e) for e in parsed.errors] == [
        f"os2mo.json: JSON-filen er indlejret {depth + 5} niveauer dybt; højst 64 niveauer kan læses"
    ]
    assert parsed.units == []


def test_the_shipped_os2mo_export_is_within_the_depth_limit():
    assert not read_org(fixture("os2mo.json"), levels=LEVELS).errors


def test_deeply_nested_json_on_the_upload_page_is_an_error_not_a_500(hr_client):
    response = post_upload(hr_client, "os2mo.json", data=_nested(100_000))
    assert response.status_code == 400
    assert "højst 64 niveauer" in response.content.decode()


def test_csv_row_limit_names_the_limit_and_the_row():
    parsed = read_org(fixture("enheder.csv"), limits=Limits(max_rows=3))
    assert [(e.where.row, e.message) for e in parsed.errors] == [
        (5, "filen har mere end 3 rækker; en import kan højst have 3 rækker")
    ]


def test_people_file_row_limit():
    parsed = read_org(fixture("enheder.csv"), fixture("personer.csv"), limits=Limits(max_rows=9))
    assert [(e.where.file, e.where.row) for e in parsed.errors] == [("personer.csv", 11)]


def test_xlsx_stops_reading_at_the_row_limit(monkeypatch):
    import openpyxl

    class Workbook:
        sheetnames = ["Enheder"]

        def __getitem__(self, name: str) -> Any:
            return type("Sheet", (), {"iter_rows": lambda _self, **kw: rows})()

        def close(self) -> None:
            return None

    def rows_never_past_the_limit() -> Iterator[tuple[Any, ...]]:
        yield ("enhed_id", "overordnet_id", "navn", "type")
        for n in range(4):
            yield (f"U{n}", "", f"Enhed {n}", "team")
        raise AssertionError("the reader went on past the row limit")

    rows = rows_never_past_the_limit()
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *args, **kwargs: Workbook())
    parsed = read_org(SourceFile("org.xlsx", b"PK\x03\x04"), fmt="xlsx", limits=Limits(max_rows=3))
    assert [(e.where.sheet, e.where.row) for e in parsed.errors] == [("Enheder", 5)]
    assert "mere end 3 rækker" in parsed.errors[0].message


def test_xlsx_that_unpacks_past_the_limit_is_refused_before_it_is_read():
    data = xlsx_bytes({"Enheder": csv_rows("enheder.csv")})
    parsed = read_org(SourceFile("org.xlsx", data), limits=Limits(max_unpacked_bytes=2000))
    [error] = parsed.errors
    assert "når den pakkes ud; grænsen er 2,0" in error.message
    assert not read_org(SourceFile("org.xlsx", data), limits=Limits(max_unpacked_bytes=10**7)).errors


def test_os2mo_row_limit_counts_org_units():
    parsed = read_org(fixture("os2mo.json"), limits=Limits(max_rows=2))
    assert [e.message for e in parsed.errors] == [
        "filen har mere end 2 rækker; en import kan højst have 2 rækker"
    ]


def test_upload_page_applies_the_configured_row_limit(hr_client, settings):
    settings.KERNE_IMPORT_MAX_ROWS = 3
    response = post_upload(hr_client, "enheder.csv")
    html = response.content.decode()
    assert response.status_code == 400
    assert "filen har mere end 3 rækker; en import kan højst have 3 rækker" in html
    assert "<td>5</td>" in html
    assert Unit.objects.count() == 0


def test_upload_page_stops_an_upload_past_the_size_limit_while_it_streams(hr_client, settings):
    settings.KERNE_IMPORT_MAX_BYTES = 1000
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # larger uploads would go to a temporary file
    big = (FILES / "enheder.csv").read_bytes() + b"".join(
        f"X{n};D1;Enhed {n};team\n".encode() for n in range(200)
    )
    assert len(big) > 1000
    response = post_upload(hr_client, "enheder.csv", data=big)
    html = response.content.decode()
    assert response.status_code == 413
    assert "enheder.csv er større end 1000\xa0bytes" in html and "Intet er importeret" in html
    assert not list(Path(settings.KERNE_IMPORT_DIR).glob("*/*.bin"))  # nothing was kept
    # A file within the limit goes through.
    assert post_upload(hr_client, "enheder.csv").status_code == 302


def test_size_limit_handler_stores_nothing_past_the_limit(rf, settings):
    from django.core.files.uploadhandler import StopUpload

    from kerne.uploads import LimitedUpload, too_large

    request = rf.post("/")
    handler = LimitedUpload(request, 10)
    handler.new_file("units_file", "a.csv", "text/csv", None)
    assert handler.receive_data_chunk(b"x" * 10, 0) == b"x" * 10
    with pytest.raises(StopUpload):
        handler.receive_data_chunk(b"y", 10)
    assert too_large(request) == ["a.csv"]


def test_the_upload_still_checks_csrf(db):
    from django.test import Client

    from tests.factories import make_hr

    client = Client(enforce_csrf_checks=True)
    client.force_login(make_hr("hr-csrf"))
    assert post_upload(client, "enheder.csv").status_code == 403
    assert Unit.objects.count() == 0
