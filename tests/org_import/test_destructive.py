"""The preview warns before an import closes what exists, and a large closure must be typed
(issue 10, point 9). A units-only file into an existing organisation closed 289 units and
5,099 engagements behind a neutral table while the upload page promised that people and
engagements are left alone without a people file."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from kerne.organisation.import_service import org_import_run
from kerne.organisation.importers import SourceFile
from kerne.organisation.models import Engagement, Unit
from kerne.organisation.views_import import SESSION_KEY
from tests.org_import.conftest import post_upload
from tests.organisation.import_helpers import FILES, fixture

pytestmark = pytest.mark.django_db

UNITS = (FILES / "enheder.csv").read_bytes().decode("utf-8-sig")
PEOPLE = (FILES / "personer.csv").read_bytes().decode("utf-8-sig")
EXTRA_UNITS = "X1;D1;Ekstra enhed 1;stab;01-01-2020;\nX2;D1;Ekstra enhed 2;stab;01-01-2020;\n"


def without(text: str, *prefixes: str) -> bytes:
    return "\n".join(line for line in text.splitlines() if not line.startswith(prefixes)).encode()


@pytest.fixture
def organisation() -> None:
    """The demo organisation: 9 units, 10 engagements (7 of them leading a unit), 9 people."""
    result = org_import_run(
        actor=None, units_file=fixture("enheder.csv"), people_file=fixture("personer.csv")
    )
    assert result.applied and Unit.objects.count() == 9 and Engagement.objects.count() == 10


def confirm(client: Any, **data: str) -> Any:
    return client.post(
        reverse("org_import:confirm"), {"fingerprint": client.session[SESSION_KEY]["fingerprint"], **data}
    )


def test_units_only_file_warns_at_the_top_and_needs_the_number_typed(hr_client, organisation):
    response = post_upload(hr_client, "enheder.csv", data=without(UNITS, "C", "S", "A", "I", "T"))
    assert response["Location"] == reverse("org_import:preview")
    html = hr_client.get(reverse("org_import:preview")).content.decode()
    main = html[html.index("<main") :]
    # The warning comes first, before the counts and the list of changes.
    assert main.index('class="import-warning"') < main.index("Det vil ændre sig") < main.index("Ændringerne")
    assert main.index('class="import-warning"') < main.index("Bekræft import") < main.index("Ændringerne")
    warning = main[main.index('class="import-warning"') : main.index("</section>")]
    assert "Advarsel: importen lukker enheder eller ansættelser" in warning
    assert "8 af 9 åbne enheder lukkes (89 %)." in warning
    assert "9 ansættelser ligger i enheder, der lukkes. Uden personfil bliver de ikke ændret" in warning
    assert "ansættelser afsluttes" not in warning and "lederrolle" not in warning
    assert "Der er ingen personfil: personer og ansættelser bliver ikke ændret." in main
    assert '<label for="id_confirm_count">Skriv antallet af enheder, der lukkes</label>' in main
    assert 'name="confirm_count"' in main and "required" in main

    # A click alone, or a wrong number, applies nothing.
    for data in ({}, {"confirm_count": ""}, {"confirm_count": "9"}, {"confirm_count": "ja"}):
        refused = confirm(hr_client, **data)
        page = refused.content.decode()
        assert refused.status_code == 400, data
        assert "Skriv antallet af enheder, der lukkes (8), for at bekræfte importen." in page
        assert 'aria-invalid="true"' in page
        assert Unit.objects.filter(valid_to__isnull=True).count() == 9

    done = confirm(hr_client, confirm_count=" 8 ")
    assert done.status_code == 302 and done["Location"] == reverse("org_import:upload")
    assert Unit.objects.filter(valid_to__isnull=True).count() == 1
    # The upload page's promise holds: no engagement closed, every leader still leads.
    assert Engagement.objects.filter(valid_to__isnull=True).count() == 10
    assert Engagement.objects.filter(valid_to__isnull=True, is_leader=True).count() == 7


def test_a_small_closure_warns_but_a_click_confirms(hr_client, organisation):
    org_import_run(
        actor=None,
        units_file=SourceFile("enheder.csv", (UNITS.rstrip("\n") + "\n" + EXTRA_UNITS).encode()),
        people_file=fixture("personer.csv"),
    )
    assert Unit.objects.filter(valid_to__isnull=True).count() == 11
    units = (UNITS.rstrip("\n") + "\n" + EXTRA_UNITS.splitlines()[0] + "\n").encode()  # X2 closes
    post_upload(hr_client, "enheder.csv", "personer.csv", data=units)
    html = hr_client.get(reverse("org_import:preview")).content.decode()
    assert "1 af 11 åbne enheder lukkes (9 %)." in html
    assert 'name="confirm_count"' not in html
    assert confirm(hr_client)["Location"] == reverse("org_import:upload")
    assert Unit.objects.get(external_key="X2").valid_to is not None


def test_closing_many_engagements_asks_for_their_number_and_counts_lost_leaders(hr_client, organisation):
    post_upload(hr_client, "enheder.csv", "personer.csv", people_data=without(PEOPLE, "P1;", "P8;"))
    html = hr_client.get(reverse("org_import:preview")).content.decode()
    assert "2 af 10 åbne ansættelser afsluttes (20 %)." in html
    assert "1 leder mister sin lederrolle." in html
    assert "2 personer står uden ansættelse bagefter." in html
    assert "enheder lukkes" not in html
    assert '<label for="id_confirm_count">Skriv antallet af ansættelser, der afsluttes</label>' in html
    assert confirm(hr_client, confirm_count="1").status_code == 400
    assert Engagement.objects.filter(valid_to__isnull=True).count() == 10
    assert confirm(hr_client, confirm_count="2")["Location"] == reverse("org_import:upload")
    assert Engagement.objects.filter(valid_to__isnull=True).count() == 8


def test_an_import_that_closes_nothing_shows_no_warning(hr_client, organisation):
    post_upload(hr_client, "enheder.csv", "personer.csv")
    html = hr_client.get(reverse("org_import:preview")).content.decode()
    assert "import-warning" not in html and "confirm_count" not in html


def test_a_typed_confirmation_also_guards_a_background_import(hr_client, organisation, settings):
    settings.KERNE_IMPORT_BACKGROUND_BYTES = 0
    post_upload(hr_client, "enheder.csv", data=without(UNITS, "C", "S", "A", "I", "T"))
    assert hr_client.get(reverse("org_import:progress"))["Location"] == reverse("org_import:preview")
    assert confirm(hr_client).status_code == 400
    assert Unit.objects.filter(valid_to__isnull=True).count() == 9
    assert confirm(hr_client, confirm_count="8")["Location"] == reverse("org_import:progress")
    assert hr_client.get(reverse("org_import:progress"))["Location"] == reverse("org_import:upload")
    assert Unit.objects.filter(valid_to__isnull=True).count() == 1


def test_when_the_organisation_changed_the_new_preview_needs_the_new_number(hr_client, organisation):
    post_upload(hr_client, "enheder.csv", data=without(UNITS, "C", "S", "A", "I", "T"))
    Unit.objects.filter(external_key="T2").update(valid_to="2020-12-31")  # closed elsewhere meanwhile
    stale = confirm(hr_client, confirm_count="8")
    assert stale["Location"] == reverse("org_import:preview")
    assert Unit.objects.filter(valid_to__isnull=True).count() == 8  # nothing applied
    assert "7 af 8 åbne enheder lukkes" in hr_client.get(reverse("org_import:preview")).content.decode()
    assert confirm(hr_client, confirm_count="8").status_code == 400
    assert confirm(hr_client, confirm_count="7")["Location"] == reverse("org_import:upload")
    assert Unit.objects.filter(valid_to__isnull=True).count() == 1
