"""Keys and names longer than their columns are refused with their row, not by the database
(a sibling of issue 10, point 5: PostgreSQL raised DataError, a 500, on the confirm; SQLite
stored them). A default engagement key is PERSON_ID@UNIT_ID, which can pass 100 characters
when each key is within it."""

from __future__ import annotations

import json

import pytest

from kerne.organisation.import_service import org_import_run
from kerne.organisation.importers import SourceFile, read_org
from kerne.organisation.models import Unit
from tests.organisation.import_helpers import LEVELS, csv_file, fixture

LONG_PERSON = "P" * 60
LONG_UNIT = "U" * 60


def test_a_default_engagement_key_past_100_characters_is_an_error_at_its_row():
    units = csv_file("enheder.csv", f"enhed_id;overordnet_id;navn;type\n{LONG_UNIT};;Direktionen;direktion\n")
    people = csv_file("personer.csv", f"person_id;navn;enhed_id\n{LONG_PERSON};Bo;{LONG_UNIT}\n")
    parsed = read_org(units, people, levels=LEVELS)
    assert [(e.where.file, e.where.row, e.where.column) for e in parsed.errors] == [
        ("personer.csv", 2, "ansættelse_id")
    ]
    assert "121 tegn" in parsed.errors[0].message and "ansættelse_id" in parsed.errors[0].message


@pytest.mark.django_db
def test_nothing_reaches_the_database_with_a_too_long_key():
    units = csv_file("enheder.csv", f"enhed_id;overordnet_id;navn;type\n{LONG_UNIT};;Direktionen;direktion\n")
    people = csv_file("personer.csv", f"person_id;navn;enhed_id\n{LONG_PERSON};Bo;{LONG_UNIT}\n")
    result = org_import_run(actor=None, units_file=units, people_file=people)
    assert result.errors and not result.applied and Unit.objects.count() == 0


def test_os2mo_keys_and_names_past_their_columns_are_errors():
    export = json.loads(fixture("os2mo.json").data)
    unit = export["data"]["org_units"]["objects"][0]["validities"][0]
    unit["engagements"][0]["uuid"] = "e" * 101
    unit["engagements"][0]["person"][0]["name"] = "N" * 201
    export["data"]["org_units"]["objects"][1]["validities"][0]["uuid"] = "u" * 101
    parsed = read_org(SourceFile("os2mo.json", json.dumps(export).encode()), levels=LEVELS)
    found = {(e.where.row, e.where.column) for e in parsed.errors}
    assert (1, "engagements[0]") in found
    assert (1, "engagements[0].person[0].name") in found
    assert (2, "uuid") in found
