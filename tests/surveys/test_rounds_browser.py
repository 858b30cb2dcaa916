"""HR in a real browser: create a round, launch it, follow the response rates (Danish and English);
an employee answering from "Mine målinger"."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.apps import apps
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from kerne.organisation.models import Person
from kerne.organisation.seed import load_pipeline_levels
from kerne.surveys.instruments import shipped_instrument
from kerne.surveys.models import Invitation, Round, hash_secret
from tests.browser import assert_accessible, login, set_language
from tests.factories import make_employee, make_hr, make_unit
from tests.surveys.factories import answer, make_invitation, make_round
from tests.surveys.small_org import build_small_org

pytestmark = pytest.mark.browser

TEXT = {
    "da": {
        "create": "Opret måling",
        "draft": "Opret kladde",
        "launch": "Sæt målingen i gang",
        "go": "Sæt i gang nu",
    },
    "en": {
        "create": "Create survey",
        "draft": "Create draft",
        "launch": "Launch the survey",
        "go": "Launch now",
    },
}


@pytest.mark.parametrize("language", ["da", "en"])
def test_create_launch_and_follow_rates(browser_page, live_server, language, settings):
    settings.KERNE_BASE_URL = live_server.url
    settings.KERNE_LIVE_REFRESH_SECONDS = 2  # live counts change once per bucket of 2 s
    page = browser_page
    load_pipeline_levels(apps)  # a transactional test starts from flushed tables
    org = build_small_org()
    make_hr("hr")
    shipped_instrument("social_capital")
    set_language(page, live_server.url, language)
    login(page, live_server.url, "hr")
    text = TEXT[language]

    page.goto(f"{live_server.url}/maalinger/")
    assert_accessible(page)
    page.get_by_role("button", name=text["create"]).or_(
        page.get_by_role("link", name=text["create"])
    ).first.click()
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    now = timezone.localtime()
    page.fill("#id_name", "Trivsel i Sundhed")
    page.select_option("#id_instrument", str(shipped_instrument("social_capital").pk))
    page.select_option("#id_target_unit", str(org.health.pk))
    page.fill("#id_opens_at", (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_closes_at", (now + dt.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_k", "2")
    page.get_by_role("button", name=text["draft"]).click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".errorlist").count() >= 1  # k = 2 refused
    assert not Round.objects.exists()
    assert_accessible(page)
    page.fill("#id_k", "5")
    page.fill("#id_comment_k", "5")
    page.get_by_role("button", name=text["draft"]).click()
    page.wait_for_load_state("networkidle")
    round_ = Round.objects.get()
    assert page.url.endswith(f"/maalinger/{round_.pk}/")
    assert_accessible(page)

    page.get_by_role("link", name=text["launch"]).click()
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    page.get_by_role("button", name=text["go"]).click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/maalinger/{round_.pk}/svarprocenter/")
    assert Invitation.objects.filter(round=round_).count() == 21
    assert len(mail.outbox) == 19  # two in home care have no e-mail
    assert page.locator("#rates[hx-trigger='every 2s']").count() == 1
    assert page.locator("#rates .hidden-number").count() > 0
    assert_accessible(page)

    # The table updates itself: answers arrive, and once the next live bucket has begun
    # (2 s here, 30 minutes by default) the next poll shows them in the total.
    for invitation in Invitation.objects.filter(round=round_, unit=org.north):
        answer(invitation)
    # Waited for without evaluating a script string (the Content-Security-Policy forbids eval).
    expect(page.locator(".rates-total")).to_contain_text(re.compile(r"\b6\b"), timeout=15_000)
    assert_accessible(page)

    page.goto(f"{live_server.url}/maalinger/{round_.pk}/forhaandsvisning/?sprog={language}")
    assert_accessible(page)
    page.goto(f"{live_server.url}/maalinger/{round_.pk}/papirkoder/")
    assert_accessible(page)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".slip").count() == 2
    assert_accessible(page)


def test_employee_answers_from_mine_maalinger(browser_page, live_server):
    """A logged-in employee with one open invitation: "Mine målinger" is accessible, and
    "Svar nu" lands on the answer form with a fresh token."""
    page = browser_page
    unit = make_unit("Dagteam 1")
    user = make_employee(unit, "ansat")
    round_ = make_round(target=unit, name="Trivsel i Dagteam 1")
    invitation, emailed_token = make_invitation(round_, person=Person.objects.get(user=user), unit=unit)
    login(page, live_server.url, "ansat")
    assert page.get_by_text("Du har 1 måling, der venter på dit svar.").is_visible()
    page.locator(".utility-bar").get_by_role("link", name="Mine målinger").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/maalinger/mine/")
    assert page.locator("h1").inner_text() == "Mine målinger"
    assert page.get_by_role("article", name="Trivsel i Dagteam 1").is_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Svar nu").click()
    page.wait_for_load_state("networkidle")
    assert "/svar/" in page.url and emailed_token not in page.url
    assert page.locator("fieldset").count() == round_.instrument.items.count()
    assert page.locator("[data-submit]").count() == 1
    invitation.refresh_from_db()
    assert invitation.token_hash == hash_secret(page.url.split("/svar/")[1].split("/")[0])
