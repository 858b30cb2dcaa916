"""The organisation pages in headless Chromium, in Danish and English, with axe-core checks."""

from __future__ import annotations

import re

import pytest

from kerne.organisation import demo
from kerne.organisation.models import Unit
from tests.browser import assert_accessible, login, set_language

pytestmark = pytest.mark.browser


TEXT = {
    "da": {
        "tree": "Organisationen",
        "search": "Søg efter en enhed",
        "matches": "matcher",
        "tasks": "Opgaveregister",
    },
    "en": {
        "tree": "The organisation",
        "search": "Search for a unit",
        "matches": "match",
        "tasks": "Task register",
    },
}


@pytest.mark.parametrize("language", ["da", "en"])
def test_tree_search_expand_and_unit_page(browser_page, live_server, language):
    demo.build(people=300, seed=1)
    page = browser_page
    set_language(page, live_server.url, language)
    login(page, live_server.url, "hr", password=demo.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/organisation/")
    assert page.locator("h1").inner_text() == TEXT[language]["tree"]
    assert page.locator("html").get_attribute("lang") == language
    # HR sees the whole tree, the executive board opened.
    assert page.get_by_role("link", name="Center for Skole", exact=True).is_visible()
    assert_accessible(page)

    # Open a centre: its sub-units come by htmx, then close it again.
    centre = Unit.objects.get(name="Center for Skole")
    toggle = page.locator(f"button[aria-controls='children-{centre.pk}']")
    assert toggle.get_attribute("aria-expanded") == "false"
    with page.expect_response(re.compile(rf"/organisation/enheder/{centre.pk}/underenheder/")):
        toggle.click()
    children = page.locator(f"#children-{centre.pk}")
    children.get_by_role("link", name="Skoler", exact=True).wait_for()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert_accessible(page)
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert children.is_hidden()
    toggle.click()
    assert children.is_visible()  # fetched once, shown again without a new request

    # Search by name: the results replace the tree, the status line says how many.
    page.get_by_label(TEXT[language]["search"]).fill("Plejecenter")
    page.locator("#tree-status").filter(has_text=TEXT[language]["matches"]).wait_for()
    hits = page.locator(".search-hits li")
    assert hits.count() >= 1
    assert all("Plejecenter" in text for text in hits.locator("a").all_inner_texts())
    assert "q=Plejecenter" in page.url  # the search is a URL one can share
    assert_accessible(page)

    # A unit page: breadcrumbs, leaders and their levels, sub-units, tasks.
    hits.locator("a").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text().startswith("Plejecenter")
    assert page.locator("nav.breadcrumbs li").count() >= 3
    assert page.locator("#leaders + .table-scroll tbody tr").count() >= 1
    assert_accessible(page)


@pytest.mark.parametrize("language", ["da", "en"])
def test_pipeline_and_task_register(browser_page, live_server, language):
    demo.build(people=300, seed=1)
    page = browser_page
    set_language(page, live_server.url, language)
    page.goto(f"{live_server.url}/organisation/pipeline/")  # public
    assert page.locator("section.level").count() == 5
    assert_accessible(page)

    login(page, live_server.url, "hr", password=demo.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/organisation/opgaver/")
    assert page.locator("h1").inner_text() == TEXT[language]["tasks"]
    assert_accessible(page)
    page.locator("#id_kind").select_option("team")
    page.locator("form.task-filter button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "kind=team" in page.url
    assert_accessible(page)

    page.goto(f"{live_server.url}/organisation/opgaver/ny/")
    assert_accessible(page)
    page.locator("#id_name_da").fill("Godkende ferieplan")
    page.locator("#id_unit_kind").select_option("team")
    page.locator("form.task-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".message-success").count() == 1
    assert "Godkende ferieplan" in page.content()
    assert_accessible(page)

    page.goto(f"{live_server.url}/organisation/opgaver/niveau/leader_of_employees/")
    assert_accessible(page)
