"""The pure import rules (kerne.organisation.importers): reading, checking, planning; no database."""

from __future__ import annotations

import datetime as dt

import pytest

from kerne.organisation.importers import (
    CellError,
    EngagementState,
    Impact,
    ParsedOrg,
    PersonState,
    Snapshot,
    SourceFile,
    UnitState,
    compute_paths,
    detect_format,
    parse_bool,
    parse_date,
    parse_kind,
    plan_import,
    read_org,
    sniff_delimiter,
)
from kerne.organisation.models import path_segment
from tests.organisation.import_helpers import LEVELS, UNIT_NAMES, csv_file, csv_rows, fixture, xlsx_bytes

TODAY = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _danish():
    """Messages are checked in Danish, whatever language an earlier test left active."""
    from django.utils import translation

    with translation.override("da"):
        yield


def read(units: SourceFile, people: SourceFile | None = None, fmt: str = "auto") -> ParsedOrg:
    return read_org(units, people, fmt=fmt, levels=LEVELS, today=TODAY)


def messages(parsed: ParsedOrg) -> list[str]:
    return [str(e) for e in parsed.errors]


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01-02-2024", dt.date(2024, 2, 1)),
        ("1.2.2024", dt.date(2024, 2, 1)),
        ("01/02/2024", dt.date(2024, 2, 1)),
        ("2024-02-01", dt.date(2024, 2, 1)),
        ("2024-02-01T00:00:00+01:00", dt.date(2024, 2, 1)),
        (dt.datetime(2024, 2, 1, 0, 0), dt.date(2024, 2, 1)),
        ("", None),
    ],
)
def test_dates_in_danish_and_iso_form(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["2024/31/12", "31-02-2024", "i morgen", "12-2024"])
def test_bad_dates_are_refused(text):
    with pytest.raises(CellError):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ja", True),
        ("Nej", False),
        ("1", True),
        ("0", False),
        ("TRUE", True),
        ("false", False),
        ("x", True),
        ("", False),
        ("SAND", True),
        (True, True),
        (1.0, True),
    ],
)
def test_booleans(text, expected):
    assert parse_bool(text) is expected


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Direktion", "executive"),
        ("center", "centre"),
        ("Centre", "centre"),
        ("stab", "staff"),
        ("Afdeling", "department"),
        ("department", "department"),
        ("institution", "institution"),
        ("TEAM", "team"),
    ],
)
def test_unit_kinds_in_danish_and_english(text, kind):
    assert parse_kind(text) == kind


def test_delimiter_and_format_detection():
    assert sniff_delimiter("a;b;c\n1,5;2;3") == ";"
    assert sniff_delimiter("a,b,c\n") == ","
    assert sniff_delimiter("a\tb\n") == "\t"
    assert detect_format(b"PK\x03\x04rest") == "xlsx"
    assert detect_format(b'\xef\xbb\xbf  {"data": {}}') == "os2mo"
    assert detect_format(b"enhed_id;navn") == "csv"


# --------------------------------------------------------------------------- formats


def assert_demo_tree(parsed: ParsedOrg) -> None:
    assert not parsed.errors, messages(parsed)
    assert {u.key: u.name for u in parsed.units} == UNIT_NAMES
    by_key = {u.key: u for u in parsed.units}
    assert by_key["T1"].parent_key == "I1" and by_key["D1"].parent_key is None
    assert by_key["D1"].kind == "executive" and by_key["S1"].kind == "staff" and by_key["T2"].kind == "team"
    assert by_key["I1"].valid_from == dt.date(2021, 8, 1) and by_key["I1"].valid_to is None


def assert_demo_people(parsed: ParsedOrg) -> None:
    assert parsed.persons is not None and parsed.engagements is not None
    persons = {p.key: p for p in parsed.persons}
    assert persons["P1"].name == "Søren Ærø" and persons["P2"].name == "Åse Øberg"
    assert persons["P1"].email == "soren.aero@demo.dk" and persons["P6"].email == ""
    engagements = {e.key: e for e in parsed.engagements}
    assert len(engagements) == 10
    assert engagements["P1@D1"].level == "executive" and engagements["P1@D1"].is_leader
    assert engagements["P2@C1"].level == "function_head"
    assert engagements["P4@T1"].is_leader and engagements["P4@T1"].level == "leader_of_employees"
    assert not engagements["P4@T1"].is_primary
    assert not engagements["P5@T1"].is_leader and engagements["P5@T1"].level == "employee"
    assert engagements["P6@T1"].level is None and engagements["P6@T1"].is_primary
    assert engagements["P6@T1"].valid_from == dt.date(2022, 9, 15)


def test_danish_excel_csv_utf8_with_bom_and_semicolons():
    parsed = read(fixture("enheder.csv"), fixture("personer.csv"))
    assert_demo_tree(parsed)
    assert_demo_people(parsed)
    assert parsed.formats == ["csv", "csv"]


def test_windows_1252_semicolon_file_keeps_danish_letters():
    units = fixture("enheder_cp1252.csv")
    for letter in "øÆÅØ":
        assert letter.encode("cp1252") in units.data and letter.encode() not in units.data
    parsed = read(units, fixture("personer_cp1252.csv"))
    assert_demo_tree(parsed)
    assert_demo_people(parsed)
    names = {u.name for u in parsed.units}
    assert {"Center for Sundhed og Ældre", "Stab for Økonomi og Personale", "Team Ådalen"} <= names
    assert "Lærke Møller" in {p.name for p in parsed.persons or []}


def test_english_comma_csv_with_iso_dates():
    parsed = read(fixture("units_en.csv"), fixture("people_en.csv"))
    assert_demo_tree(parsed)
    assert_demo_people(parsed)


def test_utf16_tab_separated_text_as_excel_saves_unicode_text():
    text = (fixture("units_en.csv").data.decode()).replace(",", "\t")
    parsed = read(SourceFile("enheder.txt", text.encode("utf-16")))
    assert_demo_tree(parsed)


def test_xlsx_with_danish_sheet_names():
    data = xlsx_bytes({"Enheder": csv_rows("enheder.csv"), "Personer": csv_rows("personer.csv")})
    parsed = read(SourceFile("organisation.xlsx", data))
    assert parsed.formats == ["xlsx"]
    assert_demo_tree(parsed)
    assert_demo_people(parsed)


def test_example_workbook_with_date_and_number_cells():
    parsed = read(fixture("organisation.xlsx"))
    assert_demo_tree(parsed)
    assert_demo_people(parsed)


def test_xlsx_with_english_sheet_names_and_real_cell_types():
    units = csv_rows("units_en.csv")
    for row in units[1:]:
        row[4] = dt.datetime.fromisoformat(row[4])  # Excel date cells
    people = csv_rows("people_en.csv")
    people[0].append("ignored extra column")
    data = xlsx_bytes({"Units": units, "People": people, "Notes": [["free text"]]})
    parsed = read(SourceFile("org.xlsx", data), fmt="xlsx")
    assert_demo_tree(parsed)
    assert_demo_people(parsed)


def test_xlsx_units_only_leaves_people_alone():
    parsed = read(SourceFile("org.xlsx", xlsx_bytes({"Ark1": csv_rows("enheder.csv")})))
    assert_demo_tree(parsed)
    assert parsed.persons is None and parsed.engagements is None


def test_os2mo_graphql_export():
    parsed = read(fixture("os2mo.json"))
    assert not parsed.errors, messages(parsed)
    assert parsed.formats == ["os2mo"]
    units = {u.name: u for u in parsed.units}
    assert len(units) == 6
    root = units["Direktionen"]
    assert root.parent_key is None and root.kind == "executive"
    assert units["Børnehuset Æblehaven"].parent_key == units["Afdeling for Dagtilbud"].key
    assert units["Børnehuset Æblehaven"].valid_from == dt.date(2021, 8, 1)
    assert units["Center for Sundhed og Ældre"].kind == "centre"
    persons = {p.name: p for p in parsed.persons or []}
    assert persons["Søren Ærø"].email == "soren.aero@demo.dk"
    assert persons["Jens Hørlyck"].email == ""
    engagements = parsed.engagements or []
    by_person_unit = {(e.person_key, e.unit_key): e for e in engagements}
    soren = by_person_unit[(persons["Søren Ærø"].key, root.key)]
    # The manager who is also employed in the unit gets one engagement, marked as leader.
    assert soren.is_leader and soren.level == "executive" and soren.title == "Kommunaldirektør"
    assert soren.key == "e0000000-0000-4000-8000-000000000001"
    # A manager without an engagement in the unit gets a leader engagement keyed by the manager uuid.
    karen = by_person_unit[(persons["Karen Strøm"].key, units["Center for Sundhed og Ældre"].key)]
    assert karen.is_leader and karen.level == "function_head" and karen.key.startswith("b0000000")
    jens_home = by_person_unit[(persons["Jens Hørlyck"].key, units["Hjemmeplejen Nord"].key)]
    assert not jens_home.is_leader and not jens_home.is_primary
    # The vacant manager post (person: null) is skipped.
    assert len(engagements) == 7


def test_os2mo_picks_the_validity_in_force_and_accepts_parent_uuid():
    document = {
        "data": {
            "org": {"uuid": "org-1"},
            "org_units": {
                "objects": [
                    {
                        "uuid": "u1",
                        "validities": [
                            {
                                "name": "Gammelt navn",
                                "parent_uuid": "org-1",
                                "unit_type": {"name": "Direktion"},
                                "validity": {"from": "2010-01-01", "to": "2019-12-31"},
                            },
                            {
                                "name": "Direktionen",
                                "parent_uuid": "org-1",
                                "unit_type": {"name": "Direktion"},
                                "validity": {"from": "2020-01-01", "to": None},
                            },
                        ],
                    },
                    {
                        "uuid": "u2",
                        "current": {
                            "uuid": "u2",
                            "name": "Stab",
                            "parent_uuid": "u1",
                            "unit_type": {"user_key": "stab"},
                            "validity": {"from": "2020-01-01"},
                        },
                    },
                ]
            },
        }
    }
    import json

    parsed = read(SourceFile("mo.json", json.dumps(document).encode()))
    assert not parsed.errors, messages(parsed)
    assert [(u.key, u.name, u.parent_key, u.kind) for u in parsed.units] == [
        ("u1", "Direktionen", None, "executive"),
        ("u2", "Stab", "u1", "staff"),
    ]
    assert parsed.persons is None  # no managers/engagements in the export: people are left alone


# --------------------------------------------------------------------------- errors

BAD_UNITS = """enhed_id;overordnet_id;navn;type;gyldig_fra;gyldig_til
D1;;Direktionen;direktion;01-01-2020;
C1;D1;Center;center;01-01-2020;
C1;D1;Center igen;center;01-01-2020;
A1;X9;Afdeling uden far;afdeling;01-01-2020;
R1;R2;Ring et;afdeling;;
R2;R3;Ring to;afdeling;;
R3;R1;Ring tre;afdeling;;
K1;D1;Kontor;kontorgang;01-01-2020;
B1;D1;Dato;afdeling;31-02-2020;
B2;D1;Dato;afdeling;2020-13-01;
B3;D1;Periode;afdeling;01-01-2021;01-01-2020
B4;D1;;afdeling;;
"""


def test_every_unit_error_is_reported_with_row_and_column():
    from django.utils import translation

    parsed = read(csv_file("enheder.csv", BAD_UNITS))
    with translation.override("da"):
        got = messages(parsed)
    expected = [
        "enheder.csv: række 4, kolonne enhed_id: enhed_id 'C1' står der to gange (først i række 3)",
        "enheder.csv: række 5, kolonne overordnet_id: den overordnede enhed 'X9' findes ikke i filen",
        "enheder.csv: række 6, kolonne overordnet_id: enhederne danner en ring: R1 → R2 → R3 → R1",
        "enheder.csv: række 9, kolonne type: ukendt enhedstype 'kontorgang'",
        "enheder.csv: række 10, kolonne gyldig_fra: datoen '31-02-2020' findes ikke",
        "enheder.csv: række 11, kolonne gyldig_fra: datoen '2020-13-01' findes ikke",
        "enheder.csv: række 12, kolonne gyldig_til: slutdatoen ligger før startdatoen",
        "enheder.csv: række 13, kolonne navn: feltet er tomt",
    ]
    assert len(got) == len(expected), got
    for line, want in zip(got, expected, strict=True):
        assert line.startswith(want), (line, want)


def test_messages_in_english_say_row_and_column():
    from django.utils import translation

    parsed = read(csv_file("units.csv", BAD_UNITS))
    with translation.override("en"):
        text = str(parsed.errors[0])
    assert text.startswith("units.csv: row 4, column enhed_id: ")


BAD_PEOPLE = """person_id;navn;email;enhed_id;stilling;leder;niveau;primær;gyldig_fra
P1;Søren;soren@demo.dk;D1;Direktør;ja;5;ja;01-01-2020
P2;Åse;ase@demo.dk;ZZ;Chef;ja;4;ja;01-01-2020
P3;Bo;bo@demo.dk;D1;Chef;måske;4;ja;01-01-2020
P4;Eva;eva@demo.dk;D1;Chef;ja;overdirektør;ja;01-01-2020
P5;Ida;ikke-en-adresse;D1;;nej;;ja;01-01-2020
P1;Søren Anden;soren@demo.dk;C1;Direktør;ja;5;ja;01-01-2020
P1;Søren;soren@demo.dk;D1;Direktør;ja;5;ja;01-01-2020
"""


def test_every_people_error_is_reported():
    units = csv_file(
        "enheder.csv", "enhed_id;overordnet_id;navn;type\nD1;;Direktionen;direktion\nC1;D1;C;center\n"
    )
    parsed = read(units, csv_file("personer.csv", BAD_PEOPLE))
    got = [(e.where.row, e.where.column) for e in parsed.errors]
    assert got == [
        (3, "enhed_id"),  # person in an unknown unit
        (4, "leder"),  # bad boolean
        (5, "niveau"),  # unknown level
        (6, "email"),  # bad e-mail
        (7, "navn"),  # a person with two different names
        (8, "person_id"),  # the same engagement twice
    ] or sorted(got) == sorted(
        [(3, "enhed_id"), (4, "leder"), (5, "niveau"), (6, "email"), (7, "navn"), (8, "person_id")]
    ), messages(parsed)
    assert "overdirektør" in str(next(e for e in parsed.errors if e.where.column == "niveau"))


def test_missing_required_columns_are_named():
    parsed = read(csv_file("enheder.csv", "enhed_id;navn\nD1;Direktionen\n"))
    got = sorted((e.where.row, e.where.column) for e in parsed.errors)
    assert got == [(1, "overordnet_id"), (1, "type")]
    people = read(
        csv_file("enheder.csv", "enhed_id;overordnet_id;navn;type\nD1;;D;direktion\n"),
        csv_file("personer.csv", "navn;enhed_id\nSøren;D1\n"),
    )
    assert [(e.where.row, e.where.column) for e in people.errors] == [(1, "person_id")]


def test_unreadable_files():
    parsed = read(SourceFile("enheder.csv", b"enhed_id;navn\nD1;\x81\x8d\n"))
    assert [(e.where.row, e.where.column) for e in parsed.errors] == [(2, None)]
    assert "Windows-1252" in str(parsed.errors[0])
    assert read(SourceFile("tom.csv", b"  \n")).errors[0].message == "filen er tom"
    broken_xlsx = read(SourceFile("org.xlsx", b"PK\x03\x04 not really a zip"))
    assert "XLSX" in str(broken_xlsx.errors[0])
    old_excel = read(SourceFile("org.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100))
    assert ".xls" in str(old_excel.errors[0])
    bad_json = read(SourceFile("mo.json", b'{"data": {"org_units": [\n  {"uuid": }\n]}}'))
    assert [(e.where.row, e.where.column) for e in bad_json.errors] == [(2, "12")]
    not_mo = read(SourceFile("mo.json", b'{"hello": "world"}'))
    assert "OS2mo" in str(not_mo.errors[0])
    binary = read(SourceFile("billede.csv", b"abc\x00\x01\x02"))
    assert "CSV" in str(binary.errors[0])


def test_a_row_with_more_fields_than_the_header_is_reported():
    parsed = read(csv_file("units.csv", "unit_id,parent_id,name,kind\nD1,,Direktion, Kommune,executive\n"))
    assert any(e.where.row == 2 and "4" in e.message for e in parsed.errors), messages(parsed)


def test_xlsx_errors_name_the_sheet():
    rows = csv_rows("enheder.csv")
    rows[3][3] = "ukendt"
    parsed = read(SourceFile("org.xlsx", xlsx_bytes({"Enheder": rows})))
    assert [(e.where.sheet, e.where.row, e.where.column) for e in parsed.errors] == [("Enheder", 4, "type")]
    from django.utils import translation

    with translation.override("en"):
        assert str(parsed.errors[0]).startswith("org.xlsx: sheet Enheder, row 4, column type: ")
    missing = read(SourceFile("org.xlsx", xlsx_bytes({"Ark1": [["x"]], "Ark2": [["y"]]})))
    assert "enheder" in str(missing.errors[0])


def test_os2mo_errors_point_at_the_object_and_field():
    import json

    document = {
        "data": {
            "org_units": {
                "objects": [
                    {
                        "uuid": "u1",
                        "validities": [
                            {
                                "name": "Direktionen",
                                "unit_type": {"name": "Forvaltningsklynge"},
                                "validity": {"from": "2020-01-01"},
                            }
                        ],
                    },
                    {
                        "uuid": "u2",
                        "validities": [
                            {
                                "name": "Team",
                                "parent": {"uuid": "nope"},
                                "unit_type": {"name": "Team"},
                                "validity": {"from": "2020-13-01"},
                                "managers": [
                                    {
                                        "person": [{"uuid": "p1", "name": "Bo"}],
                                        "manager_level": {"name": "Overchef"},
                                    }
                                ],
                            }
                        ],
                    },
                ]
            }
        }
    }
    parsed = read(SourceFile("mo.json", json.dumps(document).encode()))
    got = sorted((e.where.row or 0, e.where.column or "") for e in parsed.errors)
    assert got == [
        (1, "unit_type.name"),
        (2, "managers[0].manager_level.name"),
        (2, "parent.uuid"),
        (2, "validity.from"),
    ], messages(parsed)


def test_os2mo_export_refuses_a_people_file_beside_it():
    parsed = read(fixture("os2mo.json"), fixture("personer.csv"))
    assert [e.where.file for e in parsed.errors] == ["personer.csv"]


# --------------------------------------------------------------------------- planning


def snapshot_of(parsed: ParsedOrg) -> Snapshot:
    """The database state right after importing `parsed` (ids 1…n in file order)."""
    ids = {u.key: i for i, u in enumerate(parsed.units, start=1)}
    parents = {ids[u.key]: ids[u.parent_key] if u.parent_key else None for u in parsed.units}
    paths = compute_paths(parents)
    units = [
        UnitState(
            ids[u.key],
            u.key,
            parents[ids[u.key]],
            *paths[ids[u.key]],
            u.name,
            u.kind,
            u.valid_from or dt.date(2000, 1, 1),
            u.valid_to,
        )
        for u in parsed.units
    ]
    persons = [PersonState(i, p.key, p.name, p.email) for i, p in enumerate(parsed.persons or [], start=1)]
    person_ids = {p.key: p.id for p in persons}
    level_ids = {lv.key: lv.id for lv in LEVELS}
    engagements = [
        EngagementState(
            i,
            e.key,
            person_ids[e.person_key],
            ids[e.unit_key],
            e.title,
            e.is_leader,
            e.is_primary,
            level_ids[e.level] if e.level else None,
            e.valid_from or dt.date(2000, 1, 1),
            e.valid_to,
        )
        for i, e in enumerate(parsed.engagements or [], start=1)
    ]
    return Snapshot(units, persons, engagements, LEVELS)


def test_plan_into_an_empty_database_adds_everything():
    parsed = read(fixture("enheder.csv"), fixture("personer.csv"))
    plan = plan_import(parsed, Snapshot([], [], [], LEVELS), today=TODAY)
    assert plan.summary.as_dict() == {
        "units_moved": 0,
        "units_added": 9,
        "units_changed": 0,
        "units_closed": 0,
        "persons_added": 9,
        "persons_changed": 0,
        "persons_closed": 0,
        "engagements_added": 10,
        "engagements_changed": 0,
        "engagements_closed": 0,
    }
    changes = list(plan.iter_changes())
    assert changes[0].entity == "unit" and changes[0].action == "added"
    assert changes[0].fields["name"] == [None, "Direktionen"]


def test_the_same_file_again_plans_nothing():
    parsed = read(fixture("enheder.csv"), fixture("personer.csv"))
    plan = plan_import(parsed, snapshot_of(parsed), today=TODAY)
    assert plan.summary.total == 0 and list(plan.iter_changes()) == []
    # …in every format.
    english = read(fixture("units_en.csv"), fixture("people_en.csv"))
    assert plan_import(english, snapshot_of(parsed), today=TODAY).summary.total == 0


def test_plan_updates_moves_and_closes():
    before = read(fixture("enheder.csv"), fixture("personer.csv"))
    snapshot = snapshot_of(before)
    text = fixture("enheder.csv").data.decode("utf-8-sig")
    text = text.replace("T1;I1;Team Sølvpilen", "T1;A1;Team Sølvpilen")  # move
    text = text.replace("Hjemmeplejen Nord", "Hjemmeplejen Nord og Vest")  # rename
    text = "\n".join(line for line in text.splitlines() if not line.startswith("T2;"))  # disappears
    people = fixture("personer.csv").data.decode("utf-8-sig")
    people = "\n".join(line for line in people.splitlines() if not line.startswith("P8;"))
    after = read(csv_file("enheder.csv", text), csv_file("personer.csv", people))
    plan = plan_import(after, snapshot, today=TODAY)
    summary = plan.summary
    assert (summary.units.added, summary.units.changed, summary.moved, summary.units.closed) == (0, 2, 1, 1)
    assert (summary.engagements.closed, summary.persons.closed) == (1, 1)
    changes = {(c.entity, c.action, c.key): c for c in plan.iter_changes()}
    assert changes[("unit", "changed", "T1")].fields == {"parent": ["I1", "A1"]}
    assert changes[("unit", "closed", "T2")].fields == {"valid_to": [None, "2026-05-31"]}
    assert changes[("engagement", "closed", "P8@T2")].fields == {"valid_to": [None, "2026-05-31"]}
    assert plan.fingerprint() != plan_import(before, snapshot, today=TODAY).fingerprint()


def test_without_people_no_engagement_closes_not_even_in_closing_units():
    before = read(fixture("enheder.csv"), fixture("personer.csv"))
    text = fixture("enheder.csv").data.decode("utf-8-sig")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("T2;"))
    plan = plan_import(read(csv_file("enheder.csv", text)), snapshot_of(before), today=TODAY)
    assert [u.key for u in plan.unit_closes] == ["T2"]
    assert plan.engagement_closes == [] and plan.summary.persons.closed == 0
    assert plan.impact == Impact(
        open_units=9, open_engagements=10, leaders_removed=0, kept_in_closing_units=1, people_synced=False
    )


def test_a_blank_start_date_keeps_the_stored_one_but_an_earlier_end_date_is_an_error():
    before = read(fixture("enheder.csv"))
    text = "enhed_id;overordnet_id;navn;type;gyldig_til\n" + "\n".join(
        f"{u.key};{u.parent_key or ''};{u.name};{u.kind};{'01-01-2019' if u.key == 'T2' else ''}"
        for u in before.units
    )
    plan = plan_import(read(csv_file("enheder.csv", text)), snapshot_of(before), today=TODAY)
    assert [(e.where.row, e.where.column) for e in plan.errors] == [(10, "gyldig_til")]


def test_compute_paths_matches_the_tree_services():
    paths = compute_paths({1: None, 2: 1, 3: 2, 40: 1})
    assert paths[3] == (path_segment(1) + path_segment(2) + path_segment(3), 2)
    assert paths[40] == (path_segment(1) + path_segment(40), 1)
    with pytest.raises(ValueError, match="cycle"):
        compute_paths({1: 2, 2: 1})
