"""Danish conventions (issue 10, point 13): one date format on every page and in every e-mail,
languages named in words, the auto-detect import option worded plainly, refused and missing
pages in Danish and English with the site's navigation, and results released or withdrawn only
after a confirmation."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation

from kerne.i18n import language_names, long_date, long_datetime
from kerne.surveys.models import Round
from tests.access import build_world
from tests.factories import make_hr, make_person, make_unit

KERNE = Path(__file__).resolve().parents[1] / "kerne"
CPH = zoneinfo.ZoneInfo("Europe/Copenhagen")
MOMENT = dt.datetime(2026, 12, 1, 9, 5, tzinfo=dt.UTC)  # 10:05 in Copenhagen


# --------------------------------------------------------------------------- dates


def test_the_long_date_in_danish_and_english():
    with translation.override("da"):
        assert long_date(dt.date(2026, 12, 1)) == "1. december 2026"
        assert long_datetime(MOMENT) == "1. december 2026 kl. 10:05"
        assert long_date(MOMENT) == "1. december 2026"
    with translation.override("en"):
        assert long_date(dt.date(2026, 12, 1)) == "1 December 2026"
        assert long_datetime(MOMENT) == "1 December 2026, 10:05"
    assert long_date(None) == "" and long_datetime(None) == ""


DATE_FIELDS = (
    "answered_on|at|baseline_date|closes_at|created|created_on|cut_off_date|date|deadline|ends|"
    "entered_at|held_on|last_used|on|opens_at|parked_until|period|recorded_at|released_on|"
    "replaced_at|sent|starts|target_date|today|updated|updated_at|valid_from|valid_to"
)


def test_every_template_writes_dates_one_way():
    """Dates go through |longdate or |longdatetime; `|date:"Y-m"` names a month (a period)."""
    other_format = re.compile(r'\|date(?!:"Y-m")')
    bare_date = re.compile(r"\{\{ *[a-z_.]*\.(" + DATE_FIELDS + r") *(\}\}|\|default)")
    bad = []
    for path in KERNE.rglob("templates/**/*"):
        if path.suffix not in (".html", ".txt"):
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            bare = [m for m in bare_date.finditer(line) if "form." not in m.group(0)]  # form fields
            if other_format.search(line) or bare:
                bad.append(f"{path.relative_to(KERNE)}:{number}: {line.strip()[:120]}")
    assert not bad, "\n".join(bad)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [("da", "Målingen lukker 15. december 2026 kl. 10:05."), ("en", "1 December 2026")],
)
def test_the_invitation_e_mail_uses_the_long_date(language, expected):
    from kerne.surveys.tasks import _message
    from tests.surveys.factories import make_invitation, make_round

    closes = MOMENT + dt.timedelta(days=14) if language == "da" else MOMENT
    round_ = make_round(closes_at=closes, languages=[language])
    invitation, token = make_invitation(round_, person=make_person("Ane", email="ane@example.dk"))
    body = _message(round_, invitation, token, "invitation").body
    assert expected in body


@pytest.mark.django_db
def test_the_rollout_reminder_e_mail_uses_the_long_date():
    from kerne.goals.tasks import send_rollout_reminders
    from tests.factories import make_leader
    from tests.goals.helpers import make_rollout

    root = make_unit("Direktion")
    leader = make_leader(root, "chef")
    leader.person.email = "chef@example.dk"
    leader.person.save()
    rollout = make_rollout(root, deadline=dt.date(2026, 12, 1))
    send_rollout_reminders.call(rollout.pk)
    assert "har frist 1. december 2026." in mail.outbox[-1].body


@pytest.mark.django_db
def test_a_rounds_page_writes_its_dates_and_languages_in_words():
    from tests.surveys.factories import make_round

    round_ = make_round(opens_at=MOMENT, closes_at=MOMENT + dt.timedelta(days=14), cut_off_date=MOMENT.date())
    client = Client()
    client.force_login(make_hr("hr-dates"))
    html = client.get(f"/maalinger/{round_.pk}/").content.decode()
    assert "1. december 2026 kl. 10:05 – 15. december 2026 kl. 10:05" in html
    assert "<dd>Dansk, engelsk</dd>" in html
    assert "da, en" not in html
    listing = client.get("/maalinger/").content.decode()
    assert "1. december 2026 – 15. december 2026" in listing
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(f"/maalinger/{round_.pk}/").content.decode()
    assert "1 December 2026, 10:05 – 15 December 2026, 10:05" in html
    assert "<dd>Danish, English</dd>" in html


@pytest.mark.django_db
def test_the_round_form_names_the_languages_alike():
    client = Client()
    client.force_login(make_hr("hr-form"))
    html = client.get("/maalinger/ny/").content.decode()
    labels = re.findall(r'name="languages" value="(da|en)"[^>]*>\s*([^<]+)</label>', html)
    assert labels == [("da", "Dansk"), ("en", "Engelsk")]
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/maalinger/ny/").content.decode()
    labels = re.findall(r'name="languages" value="(da|en)"[^>]*>\s*([^<]+)</label>', html)
    assert labels == [("da", "Danish"), ("en", "English")]


def test_language_names_in_a_sentence():
    with translation.override("da"):
        assert language_names(["da", "en"]) == "Dansk, engelsk"
        assert language_names(["en"]) == "Engelsk"
    with translation.override("en"):
        assert language_names(["da", "en"]) == "Danish, English"


# --------------------------------------------------------------------------- the import's format option


@pytest.mark.django_db
def test_the_auto_detect_import_option_says_what_it_does():
    client = Client()
    client.force_login(make_hr("hr-import"))
    html = client.get("/organisation/import/").content.decode()
    assert "Genkend formatet ud fra filen (anbefalet)" in html
    assert "Find selv ud af det" not in html


# --------------------------------------------------------------------------- 403, 404 and CSRF pages


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading", "nav"),
    [
        ("da", "Du har ikke adgang til siden", "Hovedmenu"),
        ("en", "You do not have access to this page", "Main menu"),
    ],
)
def test_the_403_page_speaks_the_users_language_with_the_sites_navigation(language, heading, nav):
    world = build_world()
    client = Client()
    client.force_login(world.users["leader"])
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    response = client.get("/maalinger/")  # HR only
    assert response.status_code == 403
    html = response.content.decode()
    assert f"<h1>{heading}</h1>" in html
    assert f'<html lang="{language}">' in html
    assert f'aria-label="{nav}"' in html and 'href="/resultater/"' in html  # the site's navigation


@pytest.mark.django_db
def test_the_404_page_in_danish_with_the_sites_navigation(settings):
    settings.DEBUG = False
    world = build_world()
    client = Client()
    client.force_login(world.users["employee"])
    response = client.get("/resultater/999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Siden findes ikke</h1>" in html and 'aria-label="Hovedmenu"' in html


@pytest.mark.django_db
def test_a_refused_form_says_so_in_danish():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/konto/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>Formularen blev ikke sendt</h1>" in html and "Intet er gemt" in html


# --------------------------------------------------------------------------- release and withdraw


@pytest.mark.django_db
def test_release_and_withdraw_ask_first():
    from tests.results.factories import make_instrument, make_round

    world = build_world()
    round_ = make_round(make_instrument(dimensions=(1,)), world.root, name="Social kapital 2026")
    client = Client()
    client.force_login(world.users["hr"])
    url = f"/resultater/{round_.pk}/frigiv/"
    # The round page's button asks; the question says what follows; nothing has happened yet.
    page = client.get(f"/resultater/{round_.pk}/").content.decode()
    assert f'<form method="get" action="{url}">' in page
    question = client.get(url).content.decode()
    assert "Frigiv resultaterne af Social kapital 2026?" in question
    assert 'name="bekraeft" value="ja"' in question
    # A POST that was not confirmed is sent to the question.
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == url
    assert not Round.objects.get(pk=round_.pk).released
    client.post(url, {"bekraeft": "ja"})
    assert Round.objects.get(pk=round_.pk).released
    # Withdrawing asks too.
    question = client.get(url + "?handling=traek-tilbage").content.decode()
    assert "Træk frigivelsen af Social kapital 2026 tilbage?" in question
    assert client.post(url, {"action": "withdraw"})["Location"] == url + "?handling=traek-tilbage"
    assert Round.objects.get(pk=round_.pk).released
    client.post(url, {"action": "withdraw", "bekraeft": "ja"})
    assert not Round.objects.get(pk=round_.pk).released
