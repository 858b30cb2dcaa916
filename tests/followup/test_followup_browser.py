"""The leader's follow-up case in a real browser, Danish and English, axe-core on every page:
release → the case on the follow-up page → guide → projector → record the meeting → two actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from kerne.followup.models import Action, Meeting
from kerne.results.rollup import clear_memo
from kerne.results.services import round_release
from tests.browser import assert_accessible, login, set_language

pytestmark = pytest.mark.browser


def _goto(page: Any, url: str) -> int:
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    return response.status if response else 0


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_leader_holds_the_meeting_from_release_to_two_actions(
    browser_page, live_server, sc_world, language
):
    page = browser_page
    w = sc_world
    round_release(actor=w.users["hr"], round=w.extra["round"])
    clear_memo()
    set_language(page, live_server.url, language)
    login(page, live_server.url, "deptleader")
    _goto(page, f"{live_server.url}/opfoelgning/")
    assert_accessible(page)
    page.click("table a >> text=Afdeling A1")
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    case_url = page.url

    page.click("a[href$='/guide/']")
    page.wait_for_load_state("networkidle")
    strong = "Det går godt" if language == "da" else "What goes well"
    assert page.locator(f"h2 >> text={strong}").count() == 1
    assert page.locator(".guide-section").count() == 7
    assert page.locator("text=Kommentar 2 fra A1").count() == 1
    assert_accessible(page)

    page.click("a[href$='/projektor/']")
    page.wait_for_load_state("networkidle")
    sections = page.locator(".guide-section")
    height = page.viewport_size["height"]
    assert all(sections.nth(i).bounding_box()["height"] >= height - 1 for i in range(sections.count()))
    assert_accessible(page)

    _goto(page, case_url)
    page.click("a[href$='/registrer/']")
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    page.fill("#id_held_on", timezone.localdate().isoformat())
    page.fill("#id_participants", "8")
    page.fill("#id_agreed", "Vi holder tavlemøder hver mandag")
    page.click("form.followup-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("text=Vi holder tavlemøder hver mandag").count() == 1
    assert Meeting.objects.get().participants == 8

    deadline = (timezone.localdate() + dt.timedelta(days=60)).isoformat()
    for title in ("Tavlemøder hver mandag", "Fælles frokost med Center B"):
        page.click("a[href*='/handlinger/ny/?case=']")
        page.wait_for_load_state("networkidle")
        assert_accessible(page)
        page.fill("#id_title", title)
        page.select_option("#id_owner", label=w.users["deptleader"].person.name)
        page.fill("#id_deadline", deadline)
        page.select_option("#id_links", index=0)
        page.click("form.followup-form button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert page.url == case_url, page.locator(".field-errors").all_inner_texts()
    assert page.locator("table a >> text=Tavlemøder hver mandag").count() == 1
    assert_accessible(page)
    assert Action.objects.filter(case__unit=w.dept_a1).count() == 2
    assert all(a.links.count() == 1 for a in Action.objects.all())
