"""HR uploads organisation files in headless Chromium, sees the errors or the preview, and confirms."""

from __future__ import annotations

from typing import Any

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


def test_a_units_only_file_into_an_organisation_warns_at_the_top_and_needs_the_number_typed(
    browser_page, live_server, import_dir, tmp_path
):
    """Issue 10, point 9: the warning is the first thing on the preview, in warning style, and
    the confirm needs the number of units that close."""
    from kerne.organisation.import_service import org_import_run
    from tests.organisation.import_helpers import fixture

    assert org_import_run(
        actor=None, units_file=fixture("enheder.csv"), people_file=fixture("personer.csv")
    ).applied
    page = browser_page
    make_hr("hr")
    login(page, live_server.url, "hr")
    page.goto(f"{live_server.url}/organisation/import/")
    units_only = tmp_path / "enheder.csv"
    units_only.write_text("enhed_id;overordnet_id;navn;type\nD1;;Direktionen;direktion\n", "utf-8")
    page.set_input_files("#id_units_file", str(units_only))
    page.click("form.import-form button[type=submit]")
    page.wait_for_url("**/organisation/import/forhaandsvisning/")

    warning = page.locator("section.import-warning")
    assert page.evaluate("document.querySelector('main h1').nextElementSibling.className") == "import-warning"
    box = warning.bounding_box()
    assert box is not None and box["y"] < 400  # on screen without scrolling
    assert box["y"] < page.locator(".import-summary").bounding_box()["y"]
    assert warning.evaluate("e => getComputedStyle(e).borderLeftColor") == "rgb(138, 90, 0)"
    items = warning.locator("li").all_inner_texts()
    assert items[0] == "8 af 9 åbne enheder lukkes (89 %)." and "9 ansættelser ligger i enheder" in items[1]
    assert_accessible(page)

    # A click alone does not confirm: the number is required.
    field = page.get_by_label("Skriv antallet af enheder, der lukkes")
    page.get_by_role("button", name="Bekræft import").click()
    assert field.evaluate("e => e.validity.valueMissing")
    assert page.url.endswith("/forhaandsvisning/") and Unit.objects.filter(valid_to__isnull=True).count() == 9

    # The wrong number is refused by the server, which says which number it asks for.
    field.fill("9")
    page.get_by_role("button", name="Bekræft import").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("alert").inner_text() == (
        "Skriv antallet af enheder, der lukkes (8), for at bekræfte importen."
    )
    assert Unit.objects.filter(valid_to__isnull=True).count() == 9
    assert_accessible(page)

    page.get_by_label("Skriv antallet af enheder, der lukkes").fill("8")
    page.get_by_role("button", name="Bekræft import").click()
    page.wait_for_url("**/organisation/import/")
    assert "Importen er gennemført." in page.locator(".messages").inner_text()
    assert Unit.objects.filter(valid_to__isnull=True).count() == 1
    assert Engagement.objects.filter(valid_to__isnull=True).count() == 10  # no people file: untouched


def test_a_large_import_shows_its_progress_and_moves_on_by_itself(
    browser_page, live_server, import_dir, settings, monkeypatch
):
    """Issue 10, point 5: above KERNE_IMPORT_BACKGROUND_BYTES the preview runs as a task and the
    page polls its progress with htmx, then shows the preview when the task is done."""
    from kerne.organisation import import_jobs, views_import

    settings.KERNE_IMPORT_BACKGROUND_BYTES = 0
    queued: list[tuple[Any, ...]] = []

    class SlowWorker:
        def enqueue(self, *args: Any) -> None:
            queued.append(args)

    monkeypatch.setattr(views_import, "org_import_job", SlowWorker())
    page = browser_page
    make_hr("hr")
    login(page, live_server.url, "hr")
    page.goto(f"{live_server.url}/organisation/import/")
    page.set_input_files("#id_units_file", str(FILES / "enheder.csv"))
    page.click("form.import-form button[type=submit]")
    page.wait_for_url("**/organisation/import/arbejder/")
    assert page.locator("h1").inner_text() == "Filerne læses"
    assert page.locator("#import-stage").inner_text() == "Venter på at gå i gang …"
    assert_accessible(page)

    [(kind, token, _user_id, job, _language)] = queued
    import_jobs.write_status(
        token, {"kind": kind, "state": "running", "stage": "Læser enheder", "done": 3, "total": 9}
    )
    page.locator("#import-stage", has_text="Læser enheder").wait_for()  # swapped in by the htmx poll
    assert page.locator("#import-progress-bar").evaluate("e => [e.value, e.max]") == [3, 9]

    import_jobs.run_job(kind=kind, token=token, actor=None, job=job)
    page.wait_for_url("**/organisation/import/forhaandsvisning/")
    assert page.locator(".import-summary tbody tr").first.locator("td").all_inner_texts() == ["9", "0", "0"]
