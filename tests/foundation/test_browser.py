"""The foundation's public pages in headless Chromium, in Danish and English, with axe-core checks."""

from __future__ import annotations

import pytest

from tests.browser import assert_accessible, set_language

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _shipped_data(transactional_db):
    """A transactional test starts from flushed tables: load the shipped foundation and levels again."""
    from django.apps import apps

    from kerne.foundation.seed import load_foundation, read_foundation
    from kerne.organisation.seed import load_pipeline_levels

    load_pipeline_levels(apps)
    load_foundation(apps, read_foundation())


TEXT = {
    "da": {"definition": "Definitionen af god ledelse", "principle": "Vores stabile drift er fundamentet"},
    "en": {
        "definition": "The definition of good leadership",
        "principle": "Our stable operations are the foundation",
    },
}


@pytest.mark.parametrize("language", ["da", "en"])
def test_foundation_definition_behaviour_and_principle(browser_page, live_server, language):
    page = browser_page
    set_language(page, live_server.url, language)

    page.goto(f"{live_server.url}/ledelsesgrundlag/")
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page)

    page.goto(f"{live_server.url}/ledelsesgrundlag/god-ledelse/")
    assert page.locator("h1").inner_text() == TEXT[language]["definition"]
    assert page.locator("table tbody tr").count() == 11
    assert_accessible(page)

    page.locator("table tbody tr").first.locator("a").click()
    page.wait_for_load_state("networkidle")
    assert "/ledelsesgrundlag/adfaerd/" in page.url
    assert_accessible(page)

    page.goto(f"{live_server.url}/ledelsesgrundlag/principper/stable_operations/")
    assert page.locator("h1").inner_text() == TEXT[language]["principle"]
    assert page.locator("h2").count() >= 4
    assert_accessible(page)

    page.goto(f"{live_server.url}/ledelsesgrundlag/vaerdier/trust/")
    assert_accessible(page)
