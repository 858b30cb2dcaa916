"""Headless Chromium for browser tests (Playwright with Debian's chromium, never a download)
and the axe-core accessibility check.

The fixtures are registered for the whole suite (tests/conftest.py). Use:

    from tests.browser import assert_accessible, login

    @pytest.mark.browser
    def test_x(browser_page, live_server): ...
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = os.environ.get("KERNE_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def _browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium (see .ci/run)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _shipped_data_for_browser_tests(request: pytest.FixtureRequest) -> None:
    """Browser tests are transactional, and a transactional test starts from tables that an
    earlier one flushed: load again what the data migrations ship (foundation, pipeline
    levels, instruments) before anything else in the test needs it."""
    if request.node.get_closest_marker("browser") is None:
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    from kerne.foundation.seed import load_foundation, read_foundation
    from kerne.organisation.seed import load_pipeline_levels
    from kerne.surveys.instruments import load_shipped_instruments

    load_foundation(apps, read_foundation())
    load_pipeline_levels(apps)
    load_shipped_instruments(apps=apps)


@pytest.fixture
def browser_page(_browser: Any, transactional_db: None) -> Iterator[Any]:
    """A fresh page (own cookies) at a desktop size; `page.set_viewport_size` for phones."""
    context = _browser.new_context(viewport={"width": 1280, "height": 900}, locale="da-DK")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def login(page: Any, base_url: str, username: str, password: str = "kerne-test-pw") -> None:
    page.goto(f"{base_url}/konto/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form button[type=submit] >> text=/Log ind|Log in/")
    page.wait_for_load_state("networkidle")


def set_language(page: Any, base_url: str, language: str) -> None:
    """Switch the UI language through the real language form."""
    page.goto(f"{base_url}/")
    button = page.locator(f".language-switch button[value={language}]")
    if button.count():
        button.click()
        page.wait_for_load_state("networkidle")


# Rules checked at any impact, besides every serious or critical violation: two landmarks with
# the same role and name (axe calls it moderate) leave a screen-reader user unable to tell
# them apart (issue 10, point 15: two "Tabel (kan rulles)" regions on the roll-out page).
ANY_IMPACT_RULES = ("landmark-unique",)


def assert_accessible(page: Any) -> None:
    """No serious or critical axe-core violations (WCAG 2.1 AA rules) on the current page, and
    none of ANY_IMPACT_RULES."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
            "rules": {rule: {"enabled": True} for rule in ANY_IMPACT_RULES},
        },
    )
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical") or v["id"] in ANY_IMPACT_RULES
    ]
    assert not bad, f"axe-core on {page.url}:\n" + "\n".join(bad)
