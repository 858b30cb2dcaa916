"""`kerne import-org`: exit codes, every error printed as `row R, column C: message`, the summary."""

from __future__ import annotations

import pytest

from kerne.cli import main
from kerne.organisation.models import Engagement, Person, Unit
from tests.organisation.import_helpers import FILES, csv_rows, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    """`run_from_argv` closes every connection when a command ends, as it should in a shell;
    in-process that would end the test's transaction (on PostgreSQL), so keep it open here."""
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)


def kerne(*args: str) -> int:
    """Run the console script in-process; the exit code it would give the shell."""
    try:
        main(list(args))
    except SystemExit as exit:
        return int(exit.code or 0)
    return 0


def test_import_prints_a_summary_and_exits_zero(capsys):
    code = kerne("import-org", str(FILES / "enheder.csv"), str(FILES / "personer.csv"))
    out = capsys.readouterr().out
    assert code == 0
    assert "Units: 9 added, 0 changed (0 of them moved), 0 closed." in out
    assert "People: 9 added, 0 changed, 0 left without an engagement." in out
    assert "Engagements: 10 added, 0 changed, 0 closed." in out
    assert "The import is done." in out
    assert Unit.objects.count() == 9 and Person.objects.count() == 9 and Engagement.objects.count() == 10

    assert kerne("import-org", str(FILES / "enheder_cp1252.csv"), str(FILES / "personer_cp1252.csv")) == 0
    assert "Nothing to change" in capsys.readouterr().out


def test_every_error_is_printed_and_the_exit_code_is_one(capsys, tmp_path):
    units = tmp_path / "enheder.csv"
    units.write_bytes(
        "enhed_id;overordnet_id;navn;type;gyldig_fra\n"
        "D1;;Direktionen;direktion;01-01-2020\n"
        "C1;D1;Center;center;31-02-2020\n"
        "C1;D9;Igen;kontor;01-01-2020\n".encode("cp1252")
    )
    people = tmp_path / "personer.csv"
    people.write_text("person_id;navn;enhed_id;leder;niveau\nP1;Søren;D1;måske;overchef\nP2;Åse;ZZ;ja;4\n")
    code = kerne("import-org", str(units), str(people))
    err = capsys.readouterr().err
    assert code == 1
    lines = err.strip().splitlines()
    assert lines == [
        "enheder.csv: row 3, column gyldig_fra: the date '31-02-2020' does not exist",
        "enheder.csv: row 4, column type: unknown unit kind 'kontor': use executive, centre, staff, "
        "department, institution or team (or the Danish names)",
        "enheder.csv: row 4, column enhed_id: unit id 'C1' appears twice (first in row 3)",
        "enheder.csv: row 4, column overordnet_id: the parent unit 'D9' is not in the file",
        "personer.csv: row 2, column leder: invalid yes/no value 'måske': "
        "write ja or nej, 1 or 0, true or false, or x",
        "personer.csv: row 2, column niveau: unknown pipeline level 'overchef': "
        "use 1–5, the level's key or its name",
        "personer.csv: row 3, column enhed_id: unit 'ZZ' is not in the units file",
        "CommandError: 7 errors: nothing was imported.",
    ]
    assert Unit.objects.count() == 0 and Person.objects.count() == 0


def test_output_in_danish_and_usage_errors(capsys):
    assert kerne("import-org", "--format", "pdf", str(FILES / "os2mo.json")) == 2  # argparse: usage error
    capsys.readouterr()
    assert kerne("import-org", "--language", "da", str(FILES / "os2mo.json")) == 0
    out = capsys.readouterr().out
    assert "Enheder: 6 tilføjet" in out and "Importen er gennemført." in out


def test_dry_run_saves_nothing(capsys):
    assert kerne("import-org", "--dry-run", str(FILES / "units_en.csv"), str(FILES / "people_en.csv")) == 0
    out = capsys.readouterr().out
    assert "Units: 9 added" in out and "Dry run: nothing was saved." in out
    assert Unit.objects.count() == 0


def test_unreadable_and_missing_files_exit_one(capsys, tmp_path):
    assert kerne("import-org", str(tmp_path / "findes-ikke.csv")) == 1
    assert "findes-ikke.csv: the file cannot be read (No such file or directory); nothing was imported" in (
        capsys.readouterr().err
    )
    broken = tmp_path / "enheder.csv"
    broken.write_bytes(b"enhed_id;overordnet_id;navn;type\nD1;;\x81\x8d;direktion\n")
    assert kerne("import-org", str(broken)) == 1
    err = capsys.readouterr().err
    assert (
        "enheder.csv: row 2: unreadable character encoding (neither UTF-8 nor Windows-1252, byte 0x81)" in err
    )


def test_xlsx_errors_name_the_sheet(capsys, tmp_path):
    rows = csv_rows("enheder.csv")
    rows[5][1] = "INGEN"
    workbook = tmp_path / "organisation.xlsx"
    workbook.write_bytes(xlsx_bytes({"Enheder": rows, "Personer": csv_rows("personer.csv")}))
    assert kerne("import-org", str(workbook)) == 1
    assert (
        "organisation.xlsx: sheet Enheder, row 6, column overordnet_id: "
        "the parent unit 'INGEN' is not in the file" in (capsys.readouterr().err)
    )


def test_format_option(capsys):
    assert kerne("import-org", "--format", "xlsx", str(FILES / "enheder.csv")) == 1
    assert "cannot be read as an XLSX workbook" in capsys.readouterr().err
    assert kerne("import-org", "--format", "csv", str(FILES / "enheder.csv")) == 0


def test_progress_bars_go_to_stderr_when_asked(capsys):
    assert kerne("import-org", "--progress", str(FILES / "enheder.csv"), str(FILES / "personer.csv")) == 0
    captured = capsys.readouterr()
    assert "Creating units" in captured.err and "Writing the audit log" in captured.err
    assert "Creating units" not in captured.out
    assert kerne("import-org", str(FILES / "enheder.csv")) == 0
    assert "Creating units" not in capsys.readouterr().err  # not a terminal: no bars
