"""Shared helpers for the organisation import tests: fixture files, XLSX built on the fly."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from kerne.organisation.importers import LevelInfo, SourceFile

FILES = Path(__file__).parent / "files"

LEVELS = [
    LevelInfo(1, "employee", 1, "Medarbejder (leder sig selv)", "Employee (leads self)"),
    LevelInfo(2, "leader_of_employees", 2, "Leder af medarbejdere", "Leader of employees"),
    LevelInfo(3, "leader_of_leaders", 3, "Leder af ledere", "Leader of leaders"),
    LevelInfo(4, "function_head", 4, "Funktionsleder (center- og stabschef)", "Head of function"),
    LevelInfo(5, "executive", 5, "Direktør", "Executive"),
]


def fixture(name: str) -> SourceFile:
    return SourceFile(name, (FILES / name).read_bytes())


def csv_file(name: str, text: str, encoding: str = "utf-8") -> SourceFile:
    return SourceFile(name, text.encode(encoding))


def xlsx_bytes(sheets: dict[str, list[list[Any]]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_rows(name: str) -> list[list[str]]:
    """A fixture CSV (UTF-8) as rows, for building XLSX workbooks with the same content."""
    text = (FILES / name).read_bytes().decode("utf-8-sig")
    delimiter = ";" if ";" in text.splitlines()[0] else ","
    return [line.split(delimiter) for line in text.splitlines() if line]


UNIT_NAMES = {
    "D1": "Direktionen",
    "C1": "Center for Børn og Familie",
    "C2": "Center for Sundhed og Ældre",
    "S1": "Stab for Økonomi og Personale",
    "A1": "Afdeling for Dagtilbud",
    "I1": "Børnehuset Æblehaven",
    "T1": "Team Sølvpilen",
    "A2": "Hjemmeplejen Nord",
    "T2": "Team Ådalen",
}
