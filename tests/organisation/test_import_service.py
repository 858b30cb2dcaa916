"""Applying imports to the database: one transaction, idempotent, closing, moving, audited, bulk."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kerne.accounts.models import AuditEntry
from kerne.organisation import import_service
from kerne.organisation.import_service import org_import_run
from kerne.organisation.importers import SourceFile
from kerne.organisation.models import Engagement, Person, Unit, path_segment
from tests.factories import make_engagement, make_hr, make_person, make_unit
from tests.organisation.import_helpers import UNIT_NAMES, csv_file, csv_rows, fixture, xlsx_bytes

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)
YESTERDAY = dt.date(2026, 5, 31)


def run(units: SourceFile, people: SourceFile | None = None, **kwargs: Any) -> import_service.ImportResult:
    kwargs.setdefault("today", TODAY)
    return org_import_run(actor=kwargs.pop("actor", None), units_file=units, people_file=people, **kwargs)


def database_state() -> dict[str, list[tuple[Any, ...]]]:
    return {
        "units": list(Unit.objects.order_by("pk").values_list()),
        "persons": list(Person.objects.order_by("pk").values_list()),
        "engagements": list(Engagement.objects.order_by("pk").values_list()),
        "audit": list(AuditEntry.objects.order_by("pk").values_list()),
    }


def assert_paths_consistent() -> None:
    units = {u.pk: u for u in Unit.objects.all()}
    for unit in units.values():
        parent = units.get(unit.parent_id) if unit.parent_id else None
        expected = (parent.path if parent else "") + path_segment(unit.pk)
        assert unit.path == expected, unit
        assert unit.depth == (parent.depth + 1 if parent else 0), unit


def unit(key: str) -> Unit:
    return Unit.objects.get(external_key=key)


FORMATS = {
    "csv (UTF-8 with BOM, ;)": lambda: (fixture("enheder.csv"), fixture("personer.csv")),
    "csv (Windows-1252, ;)": lambda: (fixture("enheder_cp1252.csv"), fixture("personer_cp1252.csv")),
    "csv (English, ,)": lambda: (fixture("units_en.csv"), fixture("people_en.csv")),
    "xlsx (example workbook)": lambda: (fixture("organisation.xlsx"), None),
    "xlsx (built here)": lambda: (
        SourceFile(
            "organisation.xlsx",
            xlsx_bytes({"Enheder": csv_rows("enheder.csv"), "Personer": csv_rows("personer.csv")}),
        ),
        None,
    ),
}


@pytest.mark.parametrize("files", FORMATS.values(), ids=FORMATS.keys())
def test_each_table_format_imports_the_tree_people_and_engagements(files):
    result = run(*files())
    assert result.applied and not result.errors, [str(e) for e in result.errors]
    assert dict(Unit.objects.values_list("external_key", "name")) == UNIT_NAMES
    assert_paths_consistent()
    assert set(unit("C1").subtree().values_list("external_key", flat=True)) == {"C1", "A1", "I1", "T1"}
    assert unit("T1").depth == 4
    assert Person.objects.count() == 9 and Engagement.objects.count() == 10
    soren = Engagement.objects.select_related("person", "pipeline_level").get(external_key="P1@D1")
    assert soren.person.name == "Søren Ærø" and soren.is_leader and soren.pipeline_level.key == "executive"
    assert Person.objects.get(external_key="P9").name == "Lærke Møller"
    mette = Engagement.objects.filter(person__external_key="P4").order_by("unit__path")
    assert [(e.unit.external_key, e.is_leader, e.is_primary) for e in mette] == [
        ("I1", True, True),
        ("T1", True, False),
    ]
    assert result.summary is not None
    assert (result.summary.units.added, result.summary.persons.added, result.summary.engagements.added) == (
        9,
        9,
        10,
    )


def test_windows_1252_names_come_out_right_in_the_database():
    run(fixture("enheder_cp1252.csv"), fixture("personer_cp1252.csv"))
    assert unit("C2").name == "Center for Sundhed og Ældre"
    assert unit("T2").name == "Team Ådalen"
    assert set(Person.objects.values_list("name", flat=True)) >= {"Søren Ærø", "Åse Øberg", "Bjørn Kjærgaard"}


def test_os2mo_export_imports_units_managers_and_engagements():
    result = run(fixture("os2mo.json"))
    assert result.applied, [str(e) for e in result.errors]
    assert Unit.objects.count() == 6
    assert_paths_consistent()
    root = Unit.objects.get(name="Direktionen")
    assert root.external_key == "9f6a1d0e-0c6f-4b8e-9a57-1b0c2f7e6d01" and root.parent is None
    assert Unit.objects.get(name="Børnehuset Æblehaven").is_within(root)
    leaders = Engagement.objects.filter(is_leader=True).select_related("person", "pipeline_level", "unit")
    assert {(e.person.name, e.unit.name, e.pipeline_level.key) for e in leaders} == {
        ("Søren Ærø", "Direktionen", "executive"),
        ("Åse Øberg", "Center for Børn og Familie", "function_head"),
        ("Karen Strøm", "Center for Sundhed og Ældre", "function_head"),
        ("Bjørn Kjærgaard", "Afdeling for Dagtilbud", "leader_of_leaders"),
        ("Mette Bæk", "Børnehuset Æblehaven", "leader_of_employees"),
    }
    assert Person.objects.get(name="Søren Ærø").email == "soren.aero@demo.dk"
    assert run(fixture("os2mo.json")).summary.total == 0  # idempotent


def test_reimport_of_the_same_file_changes_nothing():
    run(fixture("enheder.csv"), fixture("personer.csv"))
    before = database_state()
    result = run(fixture("enheder_cp1252.csv"), fixture("personer_cp1252.csv"))
    assert result.summary is not None and result.summary.total == 0
    after = database_state()
    assert after["units"] == before["units"]
    assert after["persons"] == before["persons"]
    assert after["engagements"] == before["engagements"]
    # Only the import's own summary row is added to the audit log.
    assert [a[4] for a in after["audit"][len(before["audit"]) :]] == ["org.import"]


def edited(name: str, edit: Any) -> SourceFile:
    text = fixture(name).data.decode("utf-8-sig")
    return csv_file(name, edit(text))


def without(prefix: str) -> Any:
    return lambda text: "\n".join(line for line in text.splitlines() if not line.startswith(prefix))


def test_reimport_updates_adds_and_closes_what_disappeared():
    run(fixture("enheder.csv"), fixture("personer.csv"))

    def units_edit(text: str) -> str:
        text = without("T2;")(text)  # Team Ådalen disappears
        text = text.replace("Hjemmeplejen Nord", "Hjemmeplejen Nord og Vest")
        return text + "\nT3;A2;Team Vest;team;01-06-2026;\n"

    def people_edit(text: str) -> str:
        text = without("P8;")(text)
        text = text.replace("Pædagog;nej;1", "Souschef;nej;1")
        return text + "\nP10;Nanna Kær;nanna@demo.dk;T3;Social- og sundhedsassistent;nej;1;ja;01-06-2026;\n"

    result = run(edited("enheder.csv", units_edit), edited("personer.csv", people_edit))
    assert result.applied
    s = result.summary
    assert s is not None
    assert (s.units.added, s.units.changed, s.units.closed) == (1, 1, 1)
    assert (s.persons.added, s.persons.changed, s.persons.closed) == (1, 0, 1)
    assert (s.engagements.added, s.engagements.changed, s.engagements.closed) == (1, 1, 1)

    closed = unit("T2")
    assert closed.valid_to == YESTERDAY and not closed.is_active(TODAY)  # closed, never deleted
    assert Engagement.objects.get(external_key="P8@T2").valid_to == YESTERDAY
    assert Person.objects.filter(external_key="P8").exists()
    assert unit("A2").name == "Hjemmeplejen Nord og Vest"
    assert unit("T3").parent == unit("A2") and unit("T3").valid_from == TODAY
    assert Engagement.objects.get(external_key="P5@T1").title == "Souschef"
    assert_paths_consistent()

    actions = list(
        AuditEntry.objects.filter(action__in=["unit.close", "unit.update", "unit.create"]).values_list(
            "action", "object_repr", "changes"
        )
    )
    assert ("unit.close", "Team Ådalen", {"valid_to": [None, "2026-05-31"]}) in actions
    assert (
        "unit.update",
        "Hjemmeplejen Nord og Vest",
        {"name": ["Hjemmeplejen Nord", "Hjemmeplejen Nord og Vest"]},
    ) in actions

    # The same edited files again: nothing more to do, and the closed unit stays closed.
    again = run(edited("enheder.csv", units_edit), edited("personer.csv", people_edit))
    assert again.summary is not None and again.summary.total == 0


def test_a_unit_coming_back_is_reopened():
    run(fixture("enheder.csv"))
    run(edited("enheder.csv", without("T2;")))
    assert unit("T2").valid_to == YESTERDAY
    result = run(fixture("enheder.csv"))
    assert result.summary is not None and result.summary.units.changed == 1
    assert unit("T2").valid_to is None


def test_a_move_carries_the_subtree():
    run(fixture("enheder.csv"), fixture("personer.csv"))
    # Børnehuset Æblehaven (with Team Sølvpilen below) moves from Dagtilbud to Sundhed og Ældre.
    result = run(edited("enheder.csv", lambda t: t.replace("I1;A1;", "I1;C2;")), fixture("personer.csv"))
    assert result.summary is not None and result.summary.moved == 1 and result.summary.units.changed == 1
    assert_paths_consistent()
    assert unit("T1").is_within(unit("C2")) and not unit("T1").is_within(unit("C1"))
    assert set(unit("C2").subtree().values_list("external_key", flat=True)) == {"C2", "A2", "T2", "I1", "T1"}
    assert unit("T1").depth == 3
    move = AuditEntry.objects.get(action="unit.move")
    assert move.object_id == str(unit("I1").pk) and move.changes == {"parent": ["A1", "C2"]}


def test_units_only_import_leaves_people_and_engagements_alone_also_in_closed_units():
    # The upload page says "Uden personfil bliver personer og ansættelser ikke ændret" (issue 10,
    # point 9: a units-only file closed 5,099 engagements and every leader's role).
    run(fixture("enheder.csv"), fixture("personer.csv"))
    result = run(edited("enheder.csv", without("T2;")))
    assert result.summary is not None
    assert (result.summary.units.closed, result.summary.engagements.closed) == (1, 0)
    assert result.summary.persons.closed == 0 and result.impact.kept_in_closing_units == 1
    assert unit("T2").valid_to == YESTERDAY
    assert Engagement.objects.get(external_key="P8@T2").valid_to is None
    assert Engagement.objects.filter(valid_to__isnull=True).count() == 10
    assert not AuditEntry.objects.filter(action="engagement.close").exists()


def test_units_made_elsewhere_close_when_the_file_is_the_whole_tree():
    old = make_unit("Gammel enhed", external_key="OLD-1")
    person = make_person("Gammel medarbejder")
    make_engagement(person, old)
    result = run(fixture("enheder.csv"))
    assert result.summary is not None and result.summary.units.closed == 1
    old.refresh_from_db()
    assert old.valid_to == YESTERDAY
    assert person.engagements.get().valid_to is None  # no people file: engagements are left alone
    assert result.impact.kept_in_closing_units == 1


@pytest.mark.parametrize(
    ("units", "people"),
    [
        ("enhed_id;overordnet_id;navn;type\nD1;;Direktionen;direktion\nC1;D9;Center;center\n", None),
        ("enhed_id;overordnet_id;navn;type\nD1;C1;Direktionen;direktion\nC1;D1;Center;center\n", None),
        ("enhed_id;overordnet_id;navn;type\nD1;;Direktionen;direktion\nD1;;Igen;direktion\n", None),
        ("enhed_id;overordnet_id;navn;type\nD1;;Direktionen;forvaltningsklynge\n", None),
        ("enhed_id;overordnet_id;navn;type;gyldig_fra\nD1;;Direktionen;direktion;32-01-2020\n", None),
        ("enhed_id;navn;type\nD1;Direktionen;direktion\n", None),
        (
            "enhed_id;overordnet_id;navn;type\nD1;;Direktionen;direktion\n",
            "person_id;navn;enhed_id;niveau\nP1;Bo;D1;9\n",
        ),
        (
            "enhed_id;overordnet_id;navn;type\nD1;;Direktionen;direktion\n",
            "person_id;navn;enhed_id\nP1;Bo;X1\n",
        ),
        (
            "enhed_id;overordnet_id;navn;type\nD1;;Direktionen;direktion\n",
            "person_id;navn;enhed_id;leder\nP1;Bo;D1;tja\n",
        ),
    ],
    ids=[
        "missing parent",
        "cycle",
        "duplicate key",
        "unknown kind",
        "bad date",
        "missing column",
        "unknown level",
        "person in unknown unit",
        "bad boolean",
    ],
)
def test_a_failed_import_leaves_the_database_unchanged(units, people):
    run(fixture("enheder.csv"), fixture("personer.csv"))
    before = database_state()
    counts = (
        Unit.objects.count(),
        Person.objects.count(),
        Engagement.objects.count(),
        AuditEntry.objects.count(),
    )
    result = run(csv_file("enheder.csv", units), csv_file("personer.csv", people) if people else None)
    assert result.errors and not result.applied
    assert (
        Unit.objects.count(),
        Person.objects.count(),
        Engagement.objects.count(),
        AuditEntry.objects.count(),
    ) == counts
    assert database_state() == before


def test_unreadable_file_leaves_the_database_unchanged():
    run(fixture("enheder.csv"))
    before = database_state()
    result = run(SourceFile("enheder.csv", b"enhed_id;navn\n\x81\x8d\x8f\n"))
    assert result.errors and database_state() == before


def test_a_failure_while_writing_rolls_everything_back(monkeypatch):
    run(fixture("enheder.csv"))
    before = database_state()

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(import_service, "_write_audit", broken)
    with pytest.raises(RuntimeError):
        run(fixture("enheder.csv"), fixture("personer.csv"))
    assert database_state() == before


def test_dry_run_plans_but_saves_nothing():
    before = database_state()
    result = run(fixture("enheder.csv"), fixture("personer.csv"), dry_run=True)
    assert result.summary is not None and result.summary.units.added == 9 and not result.applied
    assert len(result.preview) == 9 + 9 + 10
    assert database_state() == before


def test_confirm_applies_only_the_previewed_plan():
    preview = run(fixture("enheder.csv"), dry_run=True)
    make_unit("Ny enhed i mellemtiden", external_key="LATE")  # the database changes before the confirm
    stale = run(fixture("enheder.csv"), expected_fingerprint=preview.fingerprint)
    assert stale.stale and not stale.applied
    assert not Unit.objects.filter(external_key="D1").exists()
    assert stale.summary is not None and stale.summary.units.closed == 1  # the new plan, to preview again
    applied = run(fixture("enheder.csv"), expected_fingerprint=stale.fingerprint)
    assert applied.applied and Unit.objects.filter(external_key="D1").exists()


def test_audit_rows_name_the_actor_and_summarise_the_import():
    hr = make_hr("hr-import")
    run(fixture("enheder.csv"), fixture("personer.csv"), actor=hr)
    entries = AuditEntry.objects.filter(actor=hr)
    assert entries.filter(action="unit.create").count() == 9
    assert entries.filter(action="person.create").count() == 9
    assert entries.filter(action="engagement.create").count() == 10
    summary = entries.get(action="org.import")
    assert summary.object_repr == "enheder.csv + personer.csv"
    assert summary.changes["units_added"] == [None, 9] and summary.changes["engagements_added"] == [None, 10]
    created = entries.get(action="unit.create", object_repr="Team Sølvpilen")
    assert created.object_id == str(unit("T1").pk) and created.changes["parent"] == [None, "I1"]


def big_files(units: int, people: int) -> tuple[SourceFile, SourceFile]:
    lines = ["enhed_id;overordnet_id;navn;type", "R;;Direktionen;direktion"]
    for i in range(1, units):
        parent = "R" if i < 10 else f"U{i // 10}"
        lines.append(f"U{i};{parent};Enhed {i};afdeling")
    people_lines = ["person_id;navn;enhed_id;stilling;leder;niveau"]
    for i in range(people):
        people_lines.append(
            f"P{i};Person {i};U{1 + i % (units - 1)};Medarbejder;{'ja' if i % 50 == 0 else 'nej'};"
        )
    return csv_file("enheder.csv", "\n".join(lines)), csv_file("personer.csv", "\n".join(people_lines))


def test_a_large_import_does_a_bounded_number_of_queries(django_assert_max_num_queries):
    units, people = big_files(5_000, 5_000)
    # 5,000 units, 5,000 people, 5,000 engagements and 15,001 audit rows: the queries grow with
    # rows ÷ batch size (SQLite allows about 100 rows per INSERT), never one per row.
    with django_assert_max_num_queries(200):
        result = run(units, people)
    assert result.applied and result.summary is not None
    assert result.summary.units.added == 5_000 and result.summary.engagements.added == 5_000
    assert_paths_consistent()
    # Moving a centre with a few hundred units below it is bounded too.
    moved = units.data.decode().replace("U3;R;", "U3;U4;")
    with django_assert_max_num_queries(40):
        result = run(csv_file("enheder.csv", moved), people)
    assert result.summary is not None and result.summary.moved == 1
    assert_paths_consistent()
    assert unit("U39").is_within(unit("U4"))
