"""A respondent on a phone: opens the link, answers (one item by keyboard), submits, sees the receipt."""

from __future__ import annotations

import pytest

from kerne.surveys.models import Response
from tests.browser import assert_accessible
from tests.surveys.factories import make_evaluation, make_invitation, make_round

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("language", ["da", "en"])
def test_respondent_answers_on_a_phone(browser_page, live_server, language):
    page = browser_page
    page.set_viewport_size(PHONE)
    round = make_round()
    _, token = make_invitation(round)
    keys = list(round.instrument.items.order_by("position").values_list("key", flat=True))
    address = f"{live_server.url}/svar/{token}/?sprog={language}"
    page.goto(address)
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("fieldset").count() == len(keys)
    assert_accessible(page)

    # The first half by touch; then leave and come back: progress lives in the browser only.
    half = len(keys) // 2
    for n, key in enumerate(keys[:half]):
        page.locator(f"#fs-q-{key} label").nth(n % 5).click()
    progress = page.locator("[data-progress-text]").inner_text()
    assert progress.startswith(f"{half} ")
    page.goto(address)
    assert page.locator("input[type=radio]:checked").count() == half
    assert Response.objects.count() == 0

    # One item by keyboard: focus its first option, select with Space, move with the arrow key.
    key = keys[half]
    page.focus(f"#q-{key}")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    assert page.locator(f"input[name='q-{key}']:checked").get_attribute("value") == "4"

    # Submitting with one answer missing: a clear message, the page keeps the answers.
    for key in keys[half + 1 : -1]:
        page.locator(f"#fs-q-{key} label").first.click()
    page.fill("#c-works-well", "Vi hjælper hinanden." if language == "da" else "We help each other.")
    page.click("[data-submit]")
    page.wait_for_load_state("load")
    summary = page.locator("[data-error-summary]")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert page.locator(f"#{'q-' + keys[-1]}-error").is_visible()
    assert page.locator("input[type=radio]:checked").count() == len(keys) - 1
    assert_accessible(page)
    assert Response.objects.count() == 0

    page.locator(f"#fs-q-{keys[-1]} label").last.click()  # "don't know" counts as an answer
    assert page.locator("[data-progress-text]").inner_text().startswith(f"{len(keys)} ")
    page.click("[data-submit]")
    page.wait_for_load_state("load")
    heading = page.locator("h1").inner_text()
    assert heading == ("Tak for dit svar" if language == "da" else "Thank you for your answer")
    assert Response.objects.count() == 1
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('kerne-svar')).length") == 0
    assert_accessible(page)

    page.goto(address)  # opening the link again: it is used, and said kindly

    assert page.locator("h1").inner_text() in ("Du har allerede svaret", "You have already answered")
    assert Response.objects.count() == 1


@pytest.mark.parametrize("language", ["da", "en"])
def test_360_manager_page_and_code_page_are_accessible(browser_page, live_server, language):
    page = browser_page
    page.set_viewport_size(PHONE)
    round = make_round(instrument="leadership_360")
    _, token = make_invitation(round, rater_group="manager", evaluation=make_evaluation(round))
    page.goto(f"{live_server.url}/svar/{token}/?sprog={language}")
    assert page.locator(".notice-important h2").is_visible()
    assert_accessible(page)
    page.goto(f"{live_server.url}/svar/kode/?sprog={language}")
    page.fill("#id_kode", "abc")
    page.click("form button[type=submit]")
    page.wait_for_load_state("load")
    assert page.locator("#kode-error").is_visible()
    assert_accessible(page)
