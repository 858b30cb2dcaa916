"""The upload page: upload → preview (or every error) → confirm applies exactly what was previewed."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kerne.accounts.models import AuditEntry
from kerne.organisation.models import Engagement, Person, Unit
from kerne.organisation.views_import import SESSION_KEY
from tests.factories import make_hr, make_unit
from tests.organisation.import_helpers import FILES

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.KERNE_IMPORT_DIR = tmp_path / "imports"


@pytest.fixture
def hr_client() -> Client:
    client = Client()
    client.force_login(make_hr("hr-import"))
    return client


def upload_file(name: str, data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data if data is not None else (FILES / name).read_bytes())


def post_upload(
    client: Client, units: str, people: str | None = None, fmt: str = "auto", data: bytes | None = None
):
    payload = {"units_file": upload_file(units, data), "format": fmt}
    if people:
        payload["people_file"] = upload_file(people)
    return client.post(reverse("org_import:upload"), payload)


def test_upload_page_has_an_accessible_form(hr_client):
    response = hr_client.get(reverse("org_import:upload"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in html
    assert '<label for="id_units_file"' in html and '<label for="id_people_file"' in html
    assert "<legend" in html and 'type="radio"' in html  # the format choice is a fieldset
    assert 'aria-describedby="id_units_file_helptext"' in html


def test_preview_shows_counts_and_changes_then_confirm_applies_them(hr_client):
    response = post_upload(hr_client, "enheder_cp1252.csv", "personer_cp1252.csv")
    assert response.status_code == 302 and response["Location"] == reverse("org_import:preview")
    assert Unit.objects.count() == 0  # nothing saved before the confirm

    page = hr_client.get(reverse("org_import:preview"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Center for Sundhed og Ældre" in html and "Team Ådalen" in html  # Windows-1252 decoded right
    assert '<th scope="row">Enheder</th><td>9</td><td>0</td><td>0</td>' in html
    assert '<th scope="row">Ansættelser</th><td>10</td>' in html
    assert "Bekræft import" in html
    fingerprint = hr_client.session[SESSION_KEY]["fingerprint"]

    done = hr_client.post(reverse("org_import:confirm"), {"fingerprint": fingerprint})
    assert done.status_code == 302 and done["Location"] == reverse("org_import:upload")
    assert Unit.objects.count() == 9 and Person.objects.count() == 9 and Engagement.objects.count() == 10
    assert Unit.objects.get(external_key="T2").name == "Team Ådalen"
    assert AuditEntry.objects.filter(action="org.import", actor_name="hr-import").count() == 1
    assert SESSION_KEY not in hr_client.session
    message = hr_client.get(reverse("org_import:upload")).content.decode()
    assert "Importen er gennemført" in message and "Enheder: 9 tilføjet" in message


def test_preview_shows_old_and_new_values_of_a_change(hr_client):
    root = make_unit("Direktionen", kind="executive", external_key="D1")
    make_unit("Gammelt center", parent=root, kind="centre", external_key="C9")
    units = "enhed_id;overordnet_id;navn;type\nD1;;Direktionen i Demo Kommune;direktion\n"
    post_upload(hr_client, "enheder.csv", data=units.encode())
    html = hr_client.get(reverse("org_import:preview")).content.decode()
    assert '<span class="old-value">Direktionen</span>' in html
    assert '<span class="new-value">Direktionen i Demo Kommune</span>' in html
    assert "Lukkes" in html and "Gammelt center" in html


def test_errors_are_all_shown_with_row_and_column_and_nothing_is_kept(hr_client):
    response = post_upload(
        hr_client,
        "enheder.csv",
        data=(FILES / "enheder.csv")
        .read_bytes()
        .replace(b"T1;I1;", b"T1;XX;")
        .replace(b"Team;01-08-2021", b"Hold;01-08-2021"),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "2 fejl – intet er importeret" in html
    assert "<td>8</td>\n        <td>overordnet_id</td>" in html
    assert "<td>8</td>\n        <td>type</td>" in html
    assert SESSION_KEY not in hr_client.session
    assert Unit.objects.count() == 0


def test_xlsx_errors_name_the_sheet_on_the_page(hr_client):
    from tests.organisation.import_helpers import csv_rows, xlsx_bytes

    rows = csv_rows("enheder.csv")
    rows[2][4] = "32-01-2020"
    response = post_upload(hr_client, "org.xlsx", data=xlsx_bytes({"Enheder": rows}))
    html = response.content.decode()
    assert "<td>Enheder</td>" in html and "<td>gyldig_fra</td>" in html


def test_confirm_applies_the_previewed_bytes_and_revalidates_when_the_database_changed(hr_client):
    post_upload(hr_client, "enheder.csv")
    fingerprint = hr_client.session[SESSION_KEY]["fingerprint"]
    make_unit("Oprettet i mellemtiden", external_key="LATE")
    response = hr_client.post(reverse("org_import:confirm"), {"fingerprint": fingerprint})
    assert response.status_code == 302 and response["Location"] == reverse("org_import:preview")
    assert not Unit.objects.filter(external_key="D1").exists()  # nothing applied
    page = hr_client.get(reverse("org_import:preview")).content.decode()
    assert "Organisationen er ændret" in page and "Oprettet i mellemtiden" in page
    new_fingerprint = hr_client.session[SESSION_KEY]["fingerprint"]
    assert new_fingerprint != fingerprint
    # The old fingerprint no longer confirms anything; the new one does.
    hr_client.post(reverse("org_import:confirm"), {"fingerprint": fingerprint})
    assert not Unit.objects.filter(external_key="D1").exists()
    post_upload(hr_client, "enheder.csv")
    hr_client.post(
        reverse("org_import:confirm"),
        # Closing LATE closes every open unit: the number must be typed (issue 10, point 9).
        {"fingerprint": hr_client.session[SESSION_KEY]["fingerprint"], "confirm_count": "1"},
    )
    assert Unit.objects.filter(external_key="D1").exists()
    assert Unit.objects.get(external_key="LATE").valid_to is not None


def test_altered_stored_files_are_refused(hr_client, settings):
    post_upload(hr_client, "enheder.csv")
    pending = hr_client.session[SESSION_KEY]
    stored = Path(settings.KERNE_IMPORT_DIR) / pending["token"] / "0.bin"
    stored.write_bytes(stored.read_bytes().replace(b"Direktionen", b"Direktoratet"))
    response = hr_client.post(reverse("org_import:confirm"), {"fingerprint": pending["fingerprint"]})
    assert response.status_code == 302 and response["Location"] == reverse("org_import:upload")
    assert Unit.objects.count() == 0
    assert not stored.parent.exists()


def test_cancel_discards_the_upload(hr_client, settings):
    post_upload(hr_client, "os2mo.json", fmt="os2mo")
    token = hr_client.session[SESSION_KEY]["token"]
    assert (Path(settings.KERNE_IMPORT_DIR) / token).is_dir()
    hr_client.post(reverse("org_import:cancel"))
    assert SESSION_KEY not in hr_client.session
    assert not (Path(settings.KERNE_IMPORT_DIR) / token).exists()
    assert "Der er ingen import" in hr_client.get(reverse("org_import:preview")).content.decode()
    assert Unit.objects.count() == 0


def test_format_choice_is_used(hr_client):
    response = post_upload(hr_client, "enheder.csv", fmt="xlsx")
    assert response.status_code == 400 and "XLSX" in response.content.decode()
    assert post_upload(hr_client, "os2mo.json", fmt="auto").status_code == 302


def test_english_page(hr_client):
    hr_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = post_upload(hr_client, "enheder.csv", data=b"enhed_id;navn\nD1;Direktionen\n")
    html = response.content.decode()
    assert "Import the organisation" in html
    assert "nothing was imported" in html and "the required column" in html
