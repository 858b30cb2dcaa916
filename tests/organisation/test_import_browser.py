"""HR uploads organisation files in headless Chromium, sees the errors or the preview, and confirms."""

from __future__ import annotations

import pytest

from kerne.organisation.models import Engagement, Unit
from tests.browser import assert_accessible, login, set_language
from tests.factories import make_hr
from tests.organisation.import_helpers import FILES

pytestmark = pytest.mark.browser

TEXT = {
    "da": {
        "upload": "Importér organisationen",
        "errors": "1 fejl – intet er importeret",
        "preview": "Forhåndsvisning af import",
        "confirm": "Bekræft import",
        "done": "Importen er gennemført.",
    },
    "en": {
        "upload": "Import the organisation",
        "errors": "1 error – nothing was imported",
        "preview": "Import preview",
        "confirm": "Confirm import",
        "done": "The import is done.",
    },
}


@pytest.fixture
def import_dir(settings, tmp_path):
    settings.KERNE_IMPORT_DIR = tmp_path / "imports"


@pytest.mark.parametrize("language", ["da", "en"])
def test_upload_preview_and_confirm(browser_page, live_server, import_dir, tmp_path, language):
    page = browser_page
    text = TEXT[language]
    make_hr("hr")
    set_language(page, live_server.url, language)
    login(page, live_server.url, "hr")
    page.click("header a[href='/organisation/import/']")
    assert page.locator("h1").inner_text() == text["upload"]
    assert_accessible(page)

    # A file with an error: the page lists it with its row and column, and imports nothing.
    broken = tmp_path / "enheder.csv"
    broken.write_bytes((FILES / "enheder.csv").read_bytes().replace(b"T2;A2;", b"T2;A9;"))
    page.set_input_files("#id_units_file", str(broken))
    page.click("form.import-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#import-errors-heading").inner_text() == text["errors"]
    cells = page.locator(".import-errors tbody tr td").all_inner_texts()
    assert cells[:4] == ["enheder.csv", "–", "10", "overordnet_id"] and "'A9'" in cells[4]
    assert_accessible(page)
    assert Unit.objects.count() == 0

    # The right files: a preview of what will change, then the confirm applies it.
    page.set_input_files("#id_units_file", str(FILES / "enheder_cp1252.csv"))
    page.set_input_files("#id_people_file", str(FILES / "personer_cp1252.csv"))
    page.click("form.import-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/organisation/import/forhaandsvisning/"), page.locator("main").inner_text()
    assert page.locator("h1").inner_text() == text["preview"]
    assert page.locator(".import-summary tbody tr").first.locator("td").all_inner_texts() == ["9", "0", "0"]
    assert page.get_by_role("rowheader", name="Team Ådalen", exact=True).count() == 1
    assert_accessible(page)
    assert Unit.objects.count() == 0

    page.get_by_role("button", name=text["confirm"]).click()
    page.wait_for_url("**/organisation/import/")
    assert text["done"] in page.locator(".messages").inner_text()
    assert_accessible(page)
    assert Unit.objects.count() == 9 and Engagement.objects.count() == 10
    assert Unit.objects.get(external_key="C2").name == "Center for Sundhed og Ældre"
