from __future__ import annotations

import pytest

from tests.browser import assert_accessible, login, set_language
from tests.factories import make_hr

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["da", "en"])
def test_home_login_and_accessibility_statement(browser_page, live_server, language):
    page = browser_page
    make_hr("hr")
    set_language(page, live_server.url, language)
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page)
    login(page, live_server.url, "hr")
    assert page.locator("form[action$='/konto/logout/']").count() == 1
    assert_accessible(page)
    page.click("footer a[href$='/tilgaengelighed/']")
    expected = {"da": "Tilgængelighedserklæring", "en": "Accessibility statement"}[language]
    assert page.locator("h1").inner_text() == expected
    assert_accessible(page)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
