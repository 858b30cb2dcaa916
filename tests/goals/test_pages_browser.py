"""Browser tests: goal tree, effect chain, indicator and roll-out pages in Danish and English,
with no serious or critical axe-core violations."""

from __future__ import annotations

import io
import os

import pytest
from playwright.sync_api import expect

from kerne.goals import demo
from kerne.goals.models import Indicator, Intervention, Rollout
from tests.access import build_world
from tests.browser import assert_accessible, login, set_language
from tests.factories import make_unit

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("KERNE_SCREENSHOTS", "")


def _world_with_demo():
    world = build_world()
    for centre in (world.centre_a, world.centre_b):
        for n in range(2):
            make_unit(f"{centre.name} afd {n}", parent=centre)
    demo.build(seed=3, stdout=io.StringIO())
    return world


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.mark.parametrize("language", ["da", "en"])
def test_goal_tree_chain_indicator_and_rollout_pages(browser_page, live_server, language):
    _world_with_demo()
    page = browser_page
    set_language(page, live_server.url, language)
    login(page, live_server.url, "executive")
    set_language(page, live_server.url, language)

    page.goto(f"{live_server.url}/maal/")
    assert page.locator("h1").inner_text() == ("Måltræ" if language == "da" else "Goal tree")
    assert page.locator(".effect-goal").count() == 5
    assert page.locator(".badge-off_track").count() >= 1
    assert_accessible(page)
    _shot(page, f"tree-{language}")

    intervention = Intervention.objects.get(title_da="Tidlig sprogindsats i dagtilbud")
    page.goto(f"{live_server.url}/maal/indsatser/{intervention.pk}/")
    assert page.locator("svg.chain-diagram").count() == 1
    assert page.locator("ol.chain-links > li").count() == 5
    assert_accessible(page)
    _shot(page, f"chain-{language}")

    page.goto(f"{live_server.url}/maal/indsatser/{intervention.pk}/kaede/")
    before = page.locator("form.chain-row").count()
    new_node = page.locator("form.chain-row-new").first
    new_node.locator("select[name$='-kind']").select_option("effect")
    new_node.locator("input[name$='-text_da']").fill("Flere unge gennemfører en uddannelse")
    new_node.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    # Waited for with a locator: the Content-Security-Policy forbids the eval a script string needs.
    expect(page.locator("form.chain-row")).to_have_count(before + 1)
    assert page.locator("input[value='Flere unge gennemfører en uddannelse']").count() == 1
    assert_accessible(page)

    indicator = Indicator.objects.get(code="forsoergelse-fuldtid")
    page.goto(f"{live_server.url}/maal/indikatorer/{indicator.pk}/")
    assert page.locator(".indicator-chart svg").count() == 1
    assert page.locator("#data-table tbody tr").count() >= 24
    assert_accessible(page)
    _shot(page, f"indicator-{language}")

    rollout = Rollout.objects.get(title_da="Ledelsesgrundlaget drøftet i alle enheder")
    page.goto(f"{live_server.url}/maal/udrulninger/{rollout.pk}/")
    assert page.locator("table").count() >= 2
    assert_accessible(page)
    _shot(page, f"rollout-{language}")


def test_leader_reports_rollout_state_and_sees_my_goals(browser_page, live_server):
    world = _world_with_demo()
    page = browser_page
    login(page, live_server.url, "leader")
    page.goto(f"{live_server.url}/maal/mine/")
    assert page.locator("h2", has_text="Center A").count() == 1
    assert_accessible(page)
    rollout = Rollout.objects.get(title_da="Ledelsesgrundlaget drøftet i alle enheder")
    page.goto(f"{live_server.url}/maal/udrulninger/{rollout.pk}/enhed/{world.team_a1x.pk}/")
    page.check("input[value=not_relevant]")
    page.click("form button[type=submit] >> text=Gem status")
    assert page.locator(".field-errors").count() == 1
    assert_accessible(page)
    page.check("input[value=implemented]")
    page.fill("textarea[name=reason]", "")
    page.fill("input[name=note]", "Drøftet 3. marts")
    page.click("form button[type=submit] >> text=Gem status")
    page.wait_for_load_state("networkidle")
    assert "Status for Team A1x er gemt" in page.content()
