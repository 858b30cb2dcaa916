"""Bidi controls and invisible characters are stripped from names (issue 10, point 8): on
import (CSV, XLSX, OS2mo) and in the admin forms that edit unit, person and engagement names.
"Team Nord" + U+202E + "neslA" renders as "Team NordAlsen"; a zero-width space makes two
names that look the same compare different."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from kerne.organisation.import_service import org_import_run
from kerne.organisation.importers import SourceFile, read_org
from kerne.organisation.models import Engagement, Person, PipelineLevel, Unit
from kerne.organisation.names import clean_name, strip_invisible
from tests.factories import make_admin, make_engagement, make_person, make_unit
from tests.org_import.conftest import post_upload
from tests.organisation.import_helpers import LEVELS, csv_file, fixture, xlsx_bytes

RLO, PDF, ZWSP, ZWJ, LRI, PDI, BOM, SHY = (
    "\u202e",
    "\u202c",
    "\u200b",
    "\u200d",
    "\u2066",
    "\u2069",
    "\ufeff",
    "\xad",
)
SPOOFED_UNIT = f"Team Nord{RLO}neslA{PDF}"
SPOOFED_PERSON = f"Mette{ZWSP} B{ZWJ}æk{LRI}{PDI}"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (SPOOFED_UNIT, "Team NordneslA"),
        (SPOOFED_PERSON, "Mette Bæk"),
        (f"{BOM}Ole{SHY} Dahl\u200e\u200f\u061c", "Ole Dahl"),
        ("Jens\tHørlyck\n", "Jens Hørlyck"),
        ("Bo\x00\x1b  Hansen", "Bo Hansen"),
        ("A\u030arhus", "Århus"),  # composed (NFC): looks the same, compares the same
        ("Søren Ærø", "Søren Ærø"),
        (f"{ZWSP}{RLO}", ""),
    ],
)
def test_clean_name(raw, clean):
    assert clean_name(raw) == clean


def test_strip_invisible_leaves_keys_otherwise_alone():
    assert strip_invisible(f"D1{ZWSP}") == "D1" and strip_invisible("A  1") == "A  1"


UNITS = f"enhed_id;overordnet_id;navn;type\nD1{ZWSP};;Direktionen;direktion\nT1;D1;{SPOOFED_UNIT};team\n"
PEOPLE = (
    f"person_id;navn;enhed_id;stilling\nP1;{SPOOFED_PERSON};T1{ZWSP};Pædagog{RLO}goga\nP2;{ZWSP}{RLO};T1;\n"
)


def test_csv_import_strips_bidi_and_invisible_characters():
    parsed = read_org(csv_file("enheder.csv", UNITS), csv_file("personer.csv", PEOPLE), levels=LEVELS)
    # A name of invisible characters only is empty, and says so.
    assert [(e.where.row, e.where.column, e.message) for e in parsed.errors] == [
        (3, "navn", "feltet er tomt")
    ]
    assert [(u.key, u.parent_key, u.name) for u in parsed.units] == [
        ("D1", None, "Direktionen"),
        ("T1", "D1", "Team NordneslA"),
    ]
    assert parsed.persons is not None and parsed.engagements is not None
    assert parsed.persons[0].name == "Mette Bæk"
    assert (parsed.engagements[0].unit_key, parsed.engagements[0].title) == ("T1", "Pædagoggoga")


def test_xlsx_import_strips_them_too():
    rows = [["enhed_id", "overordnet_id", "navn", "type"], ["D1", "", SPOOFED_UNIT, "direktion"]]
    parsed = read_org(SourceFile("org.xlsx", xlsx_bytes({"Enheder": rows})))
    assert [u.name for u in parsed.units] == ["Team NordneslA"]


def test_os2mo_import_strips_them_too():
    export = json.loads(fixture("os2mo.json").data)
    unit = export["data"]["org_units"]["objects"][0]["validities"][0]
    unit["name"] = SPOOFED_UNIT
    # The same person as an employee and as the manager, with different invisible characters.
    unit["engagements"][0]["person"][0]["name"] = f"Søren{ZWSP} Ærø{RLO}"
    unit["managers"][0]["person"][0]["name"] = f"Søren Ærø{ZWJ}"
    unit["engagements"][0]["job_function"]["name"] = f"Kommunal{ZWSP}direktør{RLO}"
    parsed = read_org(SourceFile("os2mo.json", json.dumps(export).encode()), levels=LEVELS)
    assert not parsed.errors
    assert parsed.units[0].name == "Team NordneslA"
    assert parsed.persons is not None and parsed.engagements is not None
    assert "Søren Ærø" in {p.name for p in parsed.persons}
    assert "Kommunaldirektør" in {e.title for e in parsed.engagements}


@pytest.mark.django_db
def test_imported_names_are_stored_clean_and_a_reimport_changes_nothing():
    units = csv_file("enheder.csv", UNITS)
    people = csv_file(
        "personer.csv", PEOPLE.splitlines(keepends=True)[0] + PEOPLE.splitlines(keepends=True)[1]
    )
    assert org_import_run(actor=None, units_file=units, people_file=people).applied
    assert Unit.objects.get(external_key="T1").name == "Team NordneslA"
    assert Person.objects.get(external_key="P1").name == "Mette Bæk"
    assert Engagement.objects.get().title == "Pædagoggoga"
    again = org_import_run(actor=None, units_file=units, people_file=people)
    assert again.summary is not None and again.summary.total == 0


@pytest.mark.django_db
def test_the_preview_shows_no_bidi_control(hr_client):
    post_upload(hr_client, "enheder.csv", data=UNITS.encode())
    html = hr_client.get(reverse("org_import:preview")).content.decode()
    assert "Team NordneslA" in html and RLO not in html and ZWSP not in html


# --------------------------------------------------------------------------- the admin


@pytest.fixture
def admin_client(db: None) -> Client:
    client = Client()
    client.force_login(make_admin("root"))
    return client


def test_admin_unit_names_are_cleaned(admin_client):
    response = admin_client.post(
        "/admin/organisation/unit/add/",
        {"name": SPOOFED_UNIT, "kind": "team", "external_key": f"X1{ZWSP}", "valid_from": "2024-01-01"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    unit = Unit.objects.get(external_key="X1")
    assert unit.name == "Team NordneslA"
    response = admin_client.post(
        f"/admin/organisation/unit/{unit.pk}/change/", {"name": f"Ny{RLO}", "kind": "team", "valid_to": ""}
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.name == "Ny"
    refused = admin_client.post(
        f"/admin/organisation/unit/{unit.pk}/change/",
        {"name": f"{ZWSP}{RLO}", "kind": "team", "valid_to": ""},
    )
    assert refused.status_code == 200 and "Navnet må ikke være tomt." in refused.content.decode()


def test_admin_person_names_and_engagement_titles_are_cleaned(admin_client):
    response = admin_client.post(
        "/admin/organisation/person/add/",
        {
            "name": SPOOFED_PERSON,
            "email": "mette@example.org",
            "external_key": f"P9{ZWSP}",
            "engagements-TOTAL_FORMS": "0",
            "engagements-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    person = Person.objects.get(external_key="P9")
    assert person.name == "Mette Bæk"

    unit = make_unit("Skolen")
    response = admin_client.post(
        "/admin/organisation/engagement/add/",
        {
            "person": person.pk,
            "unit": unit.pk,
            "title": f"Lærer{RLO}reræl",
            "pipeline_level": PipelineLevel.objects.get(key="employee").pk,
            "is_primary": "on",
            "valid_from": "2023-01-01",
            "valid_to": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Engagement.objects.get(person=person).title == "Lærerreræl"


def test_admin_person_change_cleans_the_name(admin_client):
    person = make_person("Anne Jensen")
    engagement = make_engagement(person, make_unit("Skolen"))
    response = admin_client.post(
        f"/admin/organisation/person/{person.pk}/change/",
        {
            "name": f"Anne{ZWSP} Jensen{RLO}",
            "email": person.email,
            "engagements-TOTAL_FORMS": "1",
            "engagements-INITIAL_FORMS": "1",
            "engagements-0-id": engagement.pk,
            "engagements-0-person": person.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    person.refresh_from_db()
    assert person.name == "Anne Jensen"
