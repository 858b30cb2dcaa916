"""The heatmap on a laptop and a phone (issue 10, point 10): at 1366 px all nine dimensions of
the social-capital instrument are in view, under their values (trust, justice, cooperation);
the header rows and the unit column stay in view while the table scrolls; a compact mode packs
more rows on the screen; on a phone the page itself never scrolls sideways."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kerne.surveys.models import Instrument
from tests.access import build_world
from tests.browser import assert_accessible, login, set_language
from tests.factories import make_unit
from tests.results.factories import add_invitations, add_uniform, make_round

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def _heatmap_world() -> tuple[Any, Any]:
    world = build_world()
    units = [world.root, world.centre_a, world.dept_a1, world.team_a1x, world.centre_b, world.dept_b1]
    for parent in (world.dept_a1, world.dept_b1):
        for n in range(6):
            units.append(make_unit(f"{parent.name} – Børnehuset Regnbuens Aftenteam {n}", parent=parent))
    instrument = Instrument.objects.get(key="social-capital")
    round_ = make_round(
        instrument,
        world.root,
        k=5,
        name="Social kapital 2026",
        opens_at=timezone.now() - dt.timedelta(days=30),
    )
    for n, unit in enumerate(units):
        add_uniform(round_, unit, 6, option=1 + n % 5)
        add_invitations(round_, unit, 8)
    return world, round_


def _box(page: Any) -> dict[str, float]:
    return page.locator(".heatmap-scroll").bounding_box()


@pytest.mark.parametrize("language", ["da", "en"])
def test_all_nine_dimensions_fit_a_laptop_grouped_by_value(browser_page, live_server, language):
    world, round_ = _heatmap_world()
    page = browser_page
    page.set_viewport_size(LAPTOP)
    set_language(page, live_server.url, language)
    login(page, live_server.url, "hr")
    page.goto(f"{live_server.url}/resultater/{round_.pk}/heatmap/?enhed={world.root.pk}&niveauer=3")
    page.wait_for_load_state("networkidle")
    groups = page.locator("thead .heat-groups th[scope=colgroup]")
    expected = (
        ["Tillid", "Retfærdighed", "Samarbejde"] if language == "da" else ["Trust", "Justice", "Cooperation"]
    )
    assert groups.all_inner_texts() == expected
    assert [groups.nth(i).get_attribute("colspan") for i in range(3)] == ["3", "3", "3"]
    columns = page.locator("thead .heat-columns th.heat-col")
    assert columns.count() == 9
    box = _box(page)
    for i in range(9):
        right = columns.nth(i).bounding_box()
        assert right["x"] + right["width"] <= box["x"] + box["width"] + 1, f"column {i + 1} is out of view"
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
    assert_accessible(page)


def test_the_header_and_the_unit_column_stay_in_view(browser_page, live_server):
    world, round_ = _heatmap_world()
    page = browser_page
    page.set_viewport_size(PHONE)
    login(page, live_server.url, "hr")
    page.goto(f"{live_server.url}/resultater/{round_.pk}/heatmap/?enhed={world.root.pk}&niveauer=3")
    page.wait_for_load_state("networkidle")
    # On a phone the page does not scroll sideways: the table scrolls inside its box.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    scroller = page.locator(".heatmap-scroll")
    scroller.scroll_into_view_if_needed()
    assert scroller.evaluate("el => el.scrollWidth > el.clientWidth && el.scrollHeight > el.clientHeight")
    scroller.evaluate("el => { el.scrollLeft = 400; el.scrollTop = 300; }")
    box = _box(page)
    first_unit = page.locator("tbody tr").nth(8).locator("th.unit-name")
    first_unit.evaluate("el => el.closest('.heatmap-scroll').scrollTop = el.offsetTop - 80")
    unit_cell = first_unit.bounding_box()
    assert abs(unit_cell["x"] - box["x"]) <= 2, "the unit column scrolled away"
    header = page.locator("thead .heat-columns th.unit-name").bounding_box()
    assert header["y"] <= box["y"] + 60, "the header rows scrolled away"
    assert abs(header["x"] - box["x"]) <= 2
    assert_accessible(page)


def test_compact_mode_packs_more_rows_and_keeps_its_links(browser_page, live_server):
    world, round_ = _heatmap_world()
    page = browser_page
    page.set_viewport_size(LAPTOP)
    login(page, live_server.url, "hr")
    page.goto(f"{live_server.url}/resultater/{round_.pk}/heatmap/?enhed={world.root.pk}&niveauer=3")
    page.wait_for_load_state("networkidle")
    normal = page.locator("tbody tr").nth(1).bounding_box()["height"]
    page.click("a[data-view=compact]")
    page.wait_for_load_state("networkidle")
    assert "kompakt=1" in page.url
    expect(page.locator(".heatmap-scroll.heatmap-compact")).to_have_count(1)
    assert page.locator("tbody tr").nth(1).bounding_box()["height"] < normal
    # Sorting and the level form keep compact mode.
    page.click("thead .heat-columns th.heat-col >> nth=0 >> a")
    page.wait_for_load_state("networkidle")
    assert "kompakt=1" in page.url and "sorter=trust-bonding" in page.url
    assert page.locator("thead th[aria-sort]").count() == 1
    page.select_option("#id_niveauer", "2")
    page.click("form.inline-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "kompakt=1" in page.url and "niveauer=2" in page.url and "sorter=trust-bonding" in page.url
    assert_accessible(page)
    page.click("a[data-view=normal]")
    page.wait_for_load_state("networkidle")
    assert "kompakt" not in page.url
