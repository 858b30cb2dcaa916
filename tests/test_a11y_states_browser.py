"""Page states axe-core found faults in (issue 10, point 15), in a real browser:

- the unit report's trend table (and the question tables) scroll sideways on a laptop or a
  phone: each scrolling table is a focusable region named by its caption, so a keyboard can
  scroll it (axe: scrollable-region-focusable, serious);
- the roll-out page's tables were three regions all named "Tabel (kan rulles)" (axe:
  landmark-unique; tests.browser.assert_accessible now checks it at any impact);
- the answer page kept the red "Vælg et svar …" on a question after it was answered.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kerne.results.services import round_release
from kerne.surveys.models import Instrument, Round
from tests.access import build_world
from tests.browser import assert_accessible, login
from tests.goals.helpers import make_rollout
from tests.results.factories import add_invitations, add_uniform, make_round
from tests.surveys.factories import make_invitation
from tests.surveys.factories import make_round as make_answer_round

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def _goto(page: Any, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    page.wait_for_load_state("networkidle")


def _two_rounds(world: Any) -> None:
    """Two closed, released rounds of the shipped social-capital instrument (nine dimensions)."""
    instrument = Instrument.objects.get(key="social-capital")
    for n, (year, option) in enumerate(((2025, 3), (2026, 4))):
        round_ = make_round(
            instrument,
            world.root,
            k=5,
            name=f"Social kapital {year}",
            opens_at=timezone.now() - dt.timedelta(days=400 - 365 * n),
        )
        add_uniform(round_, world.dept_a1, 6, option=option)
        add_uniform(round_, world.team_a1x, 6, option=option + 1)
        add_invitations(round_, world.dept_a1, 8)
        add_invitations(round_, world.team_a1x, 8)
        round_release(actor=world.users["hr"], round=round_)


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366px", "phone"])
def test_the_unit_reports_scrolling_tables_are_focusable_regions(browser_page, live_server, viewport):
    world = build_world()
    _two_rounds(world)
    page = browser_page
    page.set_viewport_size(viewport)
    login(page, live_server.url, "leader")
    latest = Round.objects.order_by("-opens_at").first()
    _goto(page, f"{live_server.url}/resultater/{latest.pk}/enhed/{world.dept_a1.pk}/")
    trend = page.locator("section[aria-labelledby=trend-heading] .table-scroll")
    expect(trend).to_have_count(1)
    # The trend table is wider than the page and has nothing focusable in it: the region is.
    assert page.evaluate("(el) => el.scrollWidth > el.clientWidth", trend.element_handle())
    assert trend.get_attribute("tabindex") == "0" and trend.get_attribute("role") == "region"
    expect(trend).to_have_accessible_name("Score pr. dimension i hver måling")
    trend.focus()
    page.keyboard.press("ArrowRight")
    expect(trend).to_be_focused()
    assert_accessible(page)


def test_the_rollout_pages_tables_are_named_apart(browser_page, live_server):
    world = build_world()
    rollout = make_rollout(world.root, title_da="Ledelsesgrundlaget drøftet i alle enheder")
    page = browser_page
    login(page, live_server.url, "leader")  # leads Center A: their units, coverage per level and branch
    _goto(page, f"{live_server.url}/maal/udrulninger/{rollout.pk}/")
    regions = page.locator(".table-scroll[role=region]")
    assert regions.count() == 3
    names = {regions.nth(i).get_attribute("aria-labelledby") for i in range(3)}
    assert len(names) == 3
    assert_accessible(page)  # landmark-unique at any impact


@pytest.mark.parametrize("language", ["da", "en"])
def test_an_answered_question_loses_its_error(browser_page, live_server, language):
    page = browser_page
    page.set_viewport_size(PHONE)
    round_ = make_answer_round()
    _, token = make_invitation(round_)
    keys = list(round_.instrument.items.order_by("position").values_list("key", flat=True))
    page.goto(f"{live_server.url}/svar/{token}/?sprog={language}")
    for key in keys[:-2]:
        page.locator(f"#fs-q-{key} label").first.click()
    page.click("[data-submit]")
    page.wait_for_load_state("load")
    first, last = (page.locator(f"#fs-q-{key}") for key in keys[-2:])
    for fieldset, key in ((first, keys[-2]), (last, keys[-1])):
        expect(fieldset).to_have_class("answer-item has-error")
        expect(page.locator(f"#q-{key}-error")).to_be_visible()
    assert_accessible(page)

    first.locator("label").nth(2).click()
    expect(page.locator(f"#q-{keys[-2]}-error")).to_be_hidden()
    expect(first).to_have_class("answer-item")
    assert first.get_attribute("aria-describedby") is None
    assert first.locator("[aria-invalid]").count() == 0
    # The other question is still marked until it is answered too.
    expect(page.locator(f"#q-{keys[-1]}-error")).to_be_visible()
    expect(last).to_have_class("answer-item has-error")
    assert_accessible(page)
    last.locator("label").last.click()  # "don't know" is an answer
    expect(page.locator(f"#q-{keys[-1]}-error")).to_be_hidden()
    assert page.locator(".has-error").count() == 0
