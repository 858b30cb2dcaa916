"""No dead links (issue 10, point 12): every link a role is shown on the results, round and home
pages opens for that role, and a closed round's page leads to its results and their release."""

from __future__ import annotations

import re
from collections import deque
from html import unescape

import pytest
from django.test import Client

from kerne.surveys.models import InstrumentKind, RaterGroup, Round
from tests.results.factories import add_responses, make_evaluation, make_instrument, make_round

HREF = re.compile(r'href="(/[^"#]*)')
# Not pages to follow: log-out and language forms, the admin, static files and the API.
SKIP = ("/konto/log", "/i18n/", "/admin/", "/static/", "/api/", "/svar/")
DOWNLOADS = (".pdf", ".csv", ".xlsx")


def _evaluation_round(world):
    instrument = make_instrument(dimensions=(2, 1), kind=InstrumentKind.LEADERSHIP_360)
    round_ = make_round(instrument, world.root, k=5, released=True, name="Ledelsesevaluering 2026")
    leader = world.users["leader"]
    evaluation = make_evaluation(round_, leader.person, world.centre_a)
    add_responses(round_, world.centre_a, [[5, 5, 5]], rater_group=RaterGroup.SELF, evaluation=evaluation)
    add_responses(
        round_, world.dept_a1, [[4, 3, 4]] * 5, rater_group=RaterGroup.EMPLOYEE, evaluation=evaluation
    )
    return round_


def _crawl(client: Client, starts: list[str], limit: int = 400) -> dict[str, tuple[int, str]]:
    """Every page reachable from `starts` through links (GET), with the status and the page it
    was linked from."""
    seen: dict[str, tuple[int, str]] = {}
    queue = deque((url, "start") for url in starts)
    while queue and len(seen) < limit:
        url, source = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = (response.status_code, source)
        if response.status_code != 200 or url.endswith(DOWNLOADS):
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        for href in HREF.findall(response.content.decode()):
            target = unescape(href)
            if target.startswith(SKIP) or target in seen:
                continue
            queue.append((target, url))
    return seen


@pytest.mark.parametrize("role", ["executive", "hr", "leader", "other_leader", "employee"])
def test_every_link_on_the_results_pages_opens(world, role):
    round_ = world.extra["round"]
    round_.released = True
    round_.save(update_fields=["released"])
    _evaluation_round(world)
    client = Client()
    client.force_login(world.users[role])
    pages = _crawl(client, ["/", "/resultater/"])
    dead = {url: found for url, found in pages.items() if found[0] not in (200, 302)}
    assert not dead, f"{role}: dead links (url: (status, linked from)): {dead}"
    assert any(url.startswith("/resultater/") for url in pages)


def test_the_executive_board_is_not_offered_a_360_round_it_cannot_open(world):
    evaluation_round = _evaluation_round(world)
    client = Client()
    client.force_login(world.users["executive"])
    index = client.get("/resultater/").content.decode()
    assert f'href="/resultater/{evaluation_round.pk}/"' not in index
    assert client.get(f"/resultater/{evaluation_round.pk}/").status_code == 404
    # HR, who see every evaluation, are offered it and can open it.
    client.force_login(world.users["hr"])
    assert f'href="/resultater/{evaluation_round.pk}/"' in client.get("/resultater/").content.decode()
    assert client.get(f"/resultater/{evaluation_round.pk}/").status_code == 200


@pytest.mark.parametrize("released", [False, True])
def test_a_closed_rounds_page_links_to_its_results_and_their_release(world, released):
    round_ = world.extra["round"]
    round_.released = released
    round_.save(update_fields=["released"])
    client = Client()
    client.force_login(world.users["hr"])
    html = client.get(f"/maalinger/{round_.pk}/").content.decode()
    assert f'href="/resultater/{round_.pk}/"' in html
    # To the confirmation of the release, or of its withdrawal.
    release = f"/resultater/{round_.pk}/frigiv/" + ("?handling=traek-tilbage" if released else "")
    assert f'href="{release}"' in html
    assert client.get(release).status_code == 200


def test_an_open_rounds_page_links_to_its_response_counts_not_to_a_release(world):
    round_ = world.extra["round"]
    round_.status = Round.Status.OPEN
    round_.save(update_fields=["status"])
    client = Client()
    client.force_login(world.users["hr"])
    html = client.get(f"/maalinger/{round_.pk}/").content.decode()
    assert "/frigiv/" not in html
