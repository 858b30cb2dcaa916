"""Releasing and withdrawing results asks first (issue 10, point 13), in a browser with
JavaScript switched off: the question is a page and a form, and Cancel changes nothing."""

from __future__ import annotations

import pytest

from kerne.surveys.models import Round
from tests.browser import assert_accessible, login, set_language

pytestmark = pytest.mark.browser


@pytest.fixture
def no_script_page(_browser, transactional_db):
    context = _browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="da-DK", java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.mark.parametrize("language", ["da", "en"])
def test_release_and_withdraw_ask_first_without_javascript(no_script_page, live_server, world, language):
    page = no_script_page
    round_ = world.extra["round"]
    set_language(page, live_server.url, language)
    login(page, live_server.url, "hr")
    page.goto(f"{live_server.url}/resultater/{round_.pk}/")
    page.click("form[action$='/frigiv/'] button")
    page.wait_for_load_state("load")
    assert page.url.split("?")[0].endswith(f"/resultater/{round_.pk}/frigiv/")
    assert page.locator("h1").inner_text() == (
        "Frigiv resultaterne af Social kapital 2026?"
        if language == "da"
        else "Release the results of Social kapital 2026?"
    )
    assert not Round.objects.get(pk=round_.pk).released
    # "No" goes back and changes nothing.
    page.click("form.confirm-form a")
    page.wait_for_load_state("load")
    assert page.url.endswith(f"/resultater/{round_.pk}/")
    assert not Round.objects.get(pk=round_.pk).released
    # "Yes" releases.
    page.click("form[action$='/frigiv/'] button")
    page.click("form.confirm-form button[type=submit]")
    page.wait_for_load_state("load")
    assert Round.objects.get(pk=round_.pk).released
    assert page.url.endswith(f"/resultater/{round_.pk}/")
    # Withdrawing asks the same way.
    page.click("form[action$='/frigiv/'] button")
    page.wait_for_load_state("load")
    assert "handling=traek-tilbage" in page.url
    assert Round.objects.get(pk=round_.pk).released
    page.click("form.confirm-form button[type=submit]")
    page.wait_for_load_state("load")
    assert not Round.objects.get(pk=round_.pk).released


def test_the_confirmation_pages_are_accessible(browser_page, live_server, world):
    page = browser_page
    round_ = world.extra["round"]
    login(page, live_server.url, "hr")
    for query in ("", "?handling=traek-tilbage"):
        page.goto(f"{live_server.url}/resultater/{round_.pk}/frigiv/{query}")
        page.wait_for_load_state("networkidle")
        assert page.locator("h1").count() == 1
        assert_accessible(page)
