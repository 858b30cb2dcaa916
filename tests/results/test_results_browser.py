"""Results in a real browser: who sees what, the heatmap, the PDF, and axe-core on every page."""

from __future__ import annotations

import io
from typing import Any

import pytest

from kerne.results.rollup import clear_memo
from kerne.results.services import round_release
from tests.browser import assert_accessible, login, set_language

pytestmark = pytest.mark.browser


def _goto(page: Any, url: str) -> int:
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    return response.status if response else 0


@pytest.mark.parametrize("language", ["da", "en"])
def test_a_leader_sees_only_their_subtree(browser_page, live_server, world, language):
    page = browser_page
    round_ = world.extra["round"]
    round_release(actor=world.users["hr"], round=round_)
    set_language(page, live_server.url, language)
    login(page, live_server.url, "leader")
    _goto(page, f"{live_server.url}/resultater/")
    assert_accessible(page)
    page.click(f"a[href='/resultater/{round_.pk}/enhed/{world.centre_a.pk}/']")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Center A"
    assert_accessible(page)
    # Down the tree: the sub-unit's report opens.
    page.click(f"a[href='/resultater/{round_.pk}/enhed/{world.dept_a1.pk}/']")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Afdeling A1"
    assert page.locator("text=77,3" if language == "da" else "text=77.3").count() >= 1
    assert_accessible(page)
    # Beside and above: not found.
    for unit in (world.root, world.centre_b, world.dept_b1):
        assert _goto(page, f"{live_server.url}/resultater/{round_.pk}/enhed/{unit.pk}/") == 404
    # Their own heatmap (centre_a and below).
    assert _goto(page, f"{live_server.url}/resultater/{round_.pk}/heatmap/") == 200
    assert page.locator("table.heatmap tbody tr").count() == 3
    assert_accessible(page)


def test_an_employee_sees_their_units_released_result_and_nothing_before(browser_page, live_server, world):
    page = browser_page
    round_ = world.extra["round"]
    login(page, live_server.url, "employee")
    _goto(page, f"{live_server.url}/resultater/")
    assert page.locator(f"a[href^='/resultater/{round_.pk}/']").count() == 0
    assert_accessible(page)
    unit_url = f"{live_server.url}/resultater/{round_.pk}/enhed/{world.dept_a1.pk}/"
    assert _goto(page, unit_url) == 404
    round_release(actor=world.users["hr"], round=round_)
    clear_memo()
    assert _goto(page, unit_url) == 200
    assert page.locator("h1").inner_text() == "Afdeling A1"
    assert page.locator("text=77,3").count() >= 1
    assert_accessible(page)
    assert _goto(page, f"{live_server.url}/resultater/{round_.pk}/enhed/{world.team_a1x.pk}/") == 404


@pytest.mark.parametrize("language", ["da", "en"])
def test_hr_sees_the_heatmap_and_the_round_overview(browser_page, live_server, world, language):
    page = browser_page
    round_ = world.extra["round"]
    set_language(page, live_server.url, language)
    login(page, live_server.url, "hr")
    _goto(page, f"{live_server.url}/resultater/{round_.pk}/")
    assert page.locator("form[action$='/frigiv/'] button").count() == 1
    assert_accessible(page)
    page.click(f"a[href='/resultater/{round_.pk}/heatmap/']")
    page.wait_for_load_state("networkidle")
    rows = page.locator("table.heatmap tbody tr")
    assert rows.count() == 5
    assert page.locator("td.heat-hidden").count() == 2  # Afdeling B1: both dimensions hidden
    assert_accessible(page)
    # Sorting by the first dimension through its column header.
    page.click("table.heatmap thead th:nth-child(3) a")
    page.wait_for_load_state("networkidle")
    assert page.locator("table.heatmap thead th[aria-sort]").count() == 1
    assert_accessible(page)
    with page.expect_download() as download:
        page.click("a[href*='heatmap.xlsx']")
    assert download.value.suggested_filename.endswith(".xlsx")


def test_the_pdf_opens_and_has_the_units_numbers(browser_page, live_server, world):
    from pypdf import PdfReader

    page = browser_page
    round_ = world.extra["round"]
    login(page, live_server.url, "hr")
    _goto(page, f"{live_server.url}/resultater/{round_.pk}/enhed/{world.dept_a1.pk}/")
    href = page.locator("a[href$='rapport.pdf']").get_attribute("href")
    response = page.request.get(f"{live_server.url}{href}")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert "Afdeling A1" in text and "77,3" in text


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_360_report_is_accessible(browser_page, live_server, evaluation_world, language):
    page = browser_page
    w = evaluation_world
    set_language(page, live_server.url, language)
    login(page, live_server.url, "hr")
    assert (
        _goto(page, f"{live_server.url}/resultater/{w.extra['round'].pk}/360/{w.extra['evaluation'].pk}/")
        == 200
    )
    assert page.locator("h1").count() == 1
    assert_accessible(page)


def test_the_drivers_page_is_accessible(browser_page, live_server, world):
    page = browser_page
    login(page, live_server.url, "hr")
    assert (
        _goto(page, f"{live_server.url}/resultater/{world.extra['round'].pk}/enhed/{world.root.pk}/drivere/")
        == 200
    )
    assert_accessible(page)
