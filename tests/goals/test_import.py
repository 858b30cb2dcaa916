"""Import of measurements: every error with row and column, nothing imported on error."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from kerne.goals import importers, selectors
from kerne.goals.models import Measurement, MeasurementHistory
from tests.goals.helpers import make_indicator

pytestmark = pytest.mark.django_db


def _parse(data: bytes, name: str, user=None):
    return importers.parse_file(
        data,
        name,
        may_edit=(lambda unit: True) if user is None else (lambda unit: selectors.can_edit_unit(user, unit)),
        may_use=lambda indicator: True,
    )


def test_danish_csv_with_semicolons_commas_and_danish_dates(world):
    make_indicator(world.dept_a1, code="sprog", frequency="monthly")
    csv = (
        "indikator;enhed;periode;værdi;kommentar\n"
        f"sprog;{world.dept_a1.external_key};15-03-2025;12,5;første\n"
        f"sprog;{world.team_a1x.external_key};2025-04;1.234,5;\n"
    ).encode("cp1252")
    rows = _parse(csv, "maalinger.csv")
    assert [(r.period, r.value) for r in rows] == [
        (dt.date(2025, 3, 1), Decimal("12.5")),
        (dt.date(2025, 4, 1), Decimal("1234.5")),
    ]


def test_every_error_has_row_and_column_and_nothing_is_imported(world, tmp_path):
    make_indicator(world.dept_a1, code="sprog", frequency="quarterly")
    make_indicator(world.dept_a1, code="andel", source="computed")
    a1, b1 = world.dept_a1.external_key, world.dept_b1.external_key
    csv = (
        "indikator,enhed,periode,værdi\n"
        f"sprog,{a1},2025-Q1,40\n"  # row 2: fine
        f"ukendt,{a1},2025-Q1,40\n"  # row 3: unknown indicator
        "sprog,NOPE,2025-Q1,40\n"  # row 4: unknown unit
        f"sprog,{a1},marts,40\n"  # row 5: bad period
        f"sprog,{a1},2025-Q2,fyrre\n"  # row 6: bad number
        f"sprog,{a1},15-02-2025,41\n"  # row 7: same quarter as row 2
        f"andel,{a1},2025-Q1,1\n"  # row 8: computed indicator
        f"sprog,{b1},2025-Q1,40\n"  # row 9: not the leader's unit
    ).encode()
    with pytest.raises(importers.ImportFileError) as caught:
        _parse(csv, "m.csv", user=world.users["leader"])
    found = {(e.row, e.column) for e in caught.value.errors}
    assert found == {
        (3, "indikator"),
        (4, "enhed"),
        (5, "periode"),
        (6, "værdi"),
        (7, "periode"),
        (8, "indikator"),
        (9, "enhed"),
    }
    path = tmp_path / "m.csv"
    path.write_bytes(csv)
    with pytest.raises(CommandError):
        call_command("import_measurements", str(path), "--user", "leader", stderr=io.StringIO())
    assert Measurement.objects.count() == 0


def test_missing_columns_are_reported_on_the_header_row(world):
    with pytest.raises(importers.ImportFileError) as caught:
        _parse(b"indikator;enhed\nx;y\n", "m.csv")
    assert {(e.row, e.column) for e in caught.value.errors} == {(1, "periode"), (1, "værdi")}


def test_xlsx_import_through_the_command_with_corrections(world, tmp_path):
    make_indicator(world.dept_a1, code="timer", frequency="monthly")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Indicator", "Unit", "Period", "Value", "Weight"])
    sheet.append(["timer", world.dept_a1.external_key, dt.date(2025, 1, 31), 7.5, 20])
    path = tmp_path / "m.xlsx"
    workbook.save(path)
    out = io.StringIO()
    call_command("import_measurements", str(path), stdout=out)
    assert "1 new" in out.getvalue()
    m = Measurement.objects.get()
    assert (m.period, m.value, m.weight, m.origin) == (dt.date(2025, 1, 1), Decimal("7.5"), 20, "import")
    sheet["D2"] = 8
    workbook.save(path)
    call_command("import_measurements", str(path), stdout=out)
    assert Measurement.objects.get().value == 8
    assert MeasurementHistory.objects.get().value == Decimal("7.5")


def test_upload_page_shows_errors_and_imports_valid_files(world, client):
    make_indicator(world.dept_a1, code="sprog", frequency="monthly")
    client.force_login(world.users["leader"])
    bad = io.BytesIO(b"indikator;enhed;periode;v\xe6rdi\nsprog;NOPE;2025-01;1\n")
    bad.name = "m.csv"
    response = client.post("/maal/import/", {"file": bad})
    assert response.status_code == 200
    assert b"NOPE" in response.content and Measurement.objects.count() == 0
    good = io.BytesIO(
        f"indikator;enhed;periode;værdi\nsprog;{world.dept_a1.external_key};2025-01;1\n".encode()
    )
    good.name = "m.csv"
    response = client.post("/maal/import/", {"file": good})
    assert response.status_code == 302 and Measurement.objects.count() == 1
