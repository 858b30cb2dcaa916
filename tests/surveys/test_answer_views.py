"""The public answer pages over HTTP: rendering, submitting, every bad input, open links, codes."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kerne.surveys.models import Comment, OpenSubmission, Response, Round
from kerne.surveys.submission import OPEN_RATE_LIMIT, new_nonce
from kerne.surveys.tokens import format_paper_code, new_paper_code
from kerne.surveys.views_answer import FORM_URLENCODED
from tests.surveys.factories import full_answers, make_evaluation, make_invitation, make_open_link, make_round

pytestmark = pytest.mark.django_db


class BrowserClient(Client):
    """Posts a form url-encoded, as a browser submits the answer form (Django's test client
    sends multipart/form-data unless told otherwise)."""

    def post(self, path, data=None, content_type=FORM_URLENCODED, **extra):  # type: ignore[override]
        if isinstance(data, dict) and content_type == FORM_URLENCODED:
            data = urlencode(data, doseq=True)
        return super().post(path, data, content_type=content_type, **extra)


@pytest.fixture
def client(settings) -> Client:
    # The answer pages' own middleware stack, as kerne/wsgi.py serves them (tests/test_wsgi.py).
    settings.MIDDLEWARE = settings.ANSWER_MIDDLEWARE
    return BrowserClient(enforce_csrf_checks=True)  # the answer forms work without a CSRF cookie


def form_data(instrument, value="4", **extra):
    data = {f"q-{key}": v for key, v in full_answers(instrument, value).items()}
    data.update(extra)
    return data


def url(token: str, **query) -> str:
    base = reverse("answer:token", kwargs={"token": token})
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_answer_page_shows_every_item_as_an_accessible_group(client):
    round = make_round()
    _, token = make_invitation(round)
    response = client.get(url(token))
    assert response.status_code == 200
    html = response.content.decode()
    items = list(round.instrument.items.all())
    assert html.count("<fieldset") == len(items) == html.count("<legend>")
    assert html.count('type="radio"') == 6 * len(items)
    assert "Helt enig" in html and "Ved ikke / ikke relevant" in html
    assert items[0].text_da in html
    # the anonymity intro: k, no date or time, progress kept in the browser
    assert "Sådan er du anonym" in html and f"mindst {round.k} har svaret" in html
    assert "hverken dato eller klokkeslæt" in html and "kun i denne browser" in html
    assert f"0 af {len(items)} besvaret" in html
    for label in re.findall(r'<label for="(c-[^"]+)"', html):
        assert f'id="{label}"' in html
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert '<html lang="da">' in html


def test_language_follows_the_request_within_the_rounds_languages(client):
    round = make_round()
    _, token = make_invitation(round)
    html = client.get(url(token, sprog="en")).content.decode()
    assert '<html lang="en">' in html and "How you stay anonymous" in html and "Strongly agree" in html
    assert round.instrument.items.first().text_en in html
    assert 'hreflang="da"' in html  # the switch back
    danish_only = make_round(languages=["da"])
    _, token = make_invitation(danish_only)
    html = client.get(url(token, sprog="en"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="da">' in html and "hreflang" not in html


def test_360_manager_is_told_before_answering_that_the_group_is_not_anonymous(client):
    round = make_round(instrument="leadership_360")
    evaluation = make_evaluation(round)
    _, manager = make_invitation(round, rater_group="manager", evaluation=evaluation)
    _, employee = make_invitation(round, rater_group="employee", evaluation=evaluation)
    item = round.instrument.items.get(key="direction-clear-goals")
    html = client.get(url(manager)).content.decode()
    assert "Lene Leder" in html
    notice = html.index("Dine svar er ikke anonyme")
    assert notice < html.index("<fieldset") and notice < html.index("<form")
    assert item.wordings["manager"]["da"] in html and item.wordings["employee"]["da"] not in html
    html = client.get(url(employee)).content.decode()
    assert "ikke anonyme" not in html and item.wordings["employee"]["da"] in html
    html = client.get(url(employee, sprog="en")).content.decode()
    assert item.wordings["employee"]["en"] in html


def test_submit_stores_then_redirects_to_the_receipt_and_a_resubmit_is_kind(client):
    round = make_round()
    invitation, token = make_invitation(round)
    data = form_data(round.instrument, "5", **{"c-works-well": "Godt samarbejde", "sprog": "en"})
    response = client.post(url(token), data)
    assert response.status_code == 303 and response["Location"] == reverse("answer:receipt") + "?sprog=en"
    assert Response.objects.count() == 1 and Comment.objects.count() == 1
    invitation.refresh_from_db()
    assert invitation.answered
    receipt = client.get(response["Location"]).content.decode()
    assert "Thank you for your answer" in receipt and "stored on" in receipt
    again = client.post(url(token), data)  # double click, retry, back button
    assert again.status_code == 200 and "You have already answered" in again.content.decode()
    assert "already been used" in again.content.decode()
    assert client.get(url(token)).status_code == 200
    assert Response.objects.count() == 1 and Comment.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "anchor", "message"),
    [
        ({"q-trust-bonding-rely": "7"}, "q-trust-bonding-rely", "en af svarmulighederne"),
        ({"q-trust-bonding-rely": ""}, "q-trust-bonding-rely", "Vælg et svar"),
        ({"c-works-well": "x" * 2001}, "c-works-well", "højst 2.000 tegn"),
        ({"q-not-an-item": "3"}, None, "not-an-item"),
    ],
)
def test_bad_input_is_shown_per_field_and_nothing_is_stored(client, change, anchor, message):
    round = make_round()
    invitation, token = make_invitation(round)
    data = form_data(round.instrument, "2", **change)
    response = client.post(url(token), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Dine svar er ikke sendt endnu" in html and message in html
    if anchor:
        assert f'href="#{anchor}"' in html and f'id="{anchor}-error"' in html
        assert f'aria-describedby="{anchor}-error"' in html or f'{anchor}-error"' in html
    # what was answered is kept on the page
    assert html.count("checked") >= round.instrument.items.count() - 1
    assert Response.objects.count() == 0 and Comment.objects.count() == 0
    invitation.refresh_from_db()
    assert not invitation.answered
    assert client.post(url(token), form_data(round.instrument)).status_code == 303


def test_optional_items_may_be_left_out(client):
    round = make_round(instrument="citizen", mode=Round.Mode.OPEN_LINK)
    link = make_open_link(round)
    data = form_data(round.instrument, nonce=new_nonce(round.pk))
    del data["q-quality-result"]
    response = client.post(reverse("answer:open", kwargs={"slug": link.slug}), data)
    assert response.status_code == 303


def test_unknown_token(client):
    response = client.get(url("no-such-token"))
    assert response.status_code == 404 and "Linket virker ikke" in response.content.decode()
    assert client.post(url("no-such-token"), {"q-x": "1"}).status_code == 404


@pytest.mark.parametrize(
    ("status", "opens", "closes", "code", "text"),
    [
        (Round.Status.OPEN, 2, 5, 403, "Målingen åbner"),
        (Round.Status.DRAFT, -1, 5, 403, "ikke åbnet endnu"),
        (Round.Status.OPEN, -5, -1, 410, "Målingen er lukket"),
        (Round.Status.CLOSED, -5, 5, 410, "Målingen er lukket"),
    ],
)
def test_round_not_open(client, status, opens, closes, code, text):
    now = timezone.now()
    round = make_round(
        status=status, opens_at=now + dt.timedelta(days=opens), closes_at=now + dt.timedelta(days=closes)
    )
    invitation, token = make_invitation(round)
    for response in (client.get(url(token)), client.post(url(token), form_data(round.instrument))):
        assert response.status_code == code and text in response.content.decode()
    assert Response.objects.count() == 0
    invitation.refresh_from_db()
    assert not invitation.answered


def test_paper_code_page_accepts_any_form_of_the_code(client):
    round = make_round()
    code = new_paper_code()
    make_invitation(round, token=code)
    page = reverse("answer:code")
    assert client.get(page).status_code == 200
    typed = "  " + format_paper_code(code).lower().replace("-", " - ") + " "
    response = client.post(page, {"kode": typed})
    assert response.status_code == 303
    assert response["Location"] == url(code) + "?sprog=da"
    assert client.get(response["Location"]).status_code == 200
    assert client.post(response["Location"], form_data(round.instrument)).status_code == 303


@pytest.mark.parametrize(
    ("typed", "message"),
    [("", "Skriv koden"), ("ABC-123", "26 tegn"), (new_paper_code(), "kan ikke finde koden")],
)
def test_paper_code_page_errors(client, typed, message):
    response = client.post(reverse("answer:code"), {"kode": typed})
    assert response.status_code == 400 and message in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()


def test_open_survey_once_per_browser(client):
    round = make_round(instrument="citizen", mode=Round.Mode.OPEN_LINK, k=5)
    link = make_open_link(round)
    page = reverse("answer:open", kwargs={"slug": link.slug})
    html = client.get(page).content.decode()
    nonce = re.search(r'name="nonce" value="([^"]+)"', html).group(1)
    assert "vi gemmer ikke din IP-adresse" in html and link.unit.name in html
    data = form_data(round.instrument, nonce=nonce)
    response = client.post(page, data)
    assert response.status_code == 303
    cookie = response.cookies[f"kerne_svaret_{round.pk}"]
    assert cookie.value == "1" and cookie["httponly"] and cookie["path"] == page
    stored = Response.objects.get()
    assert (stored.unit, stored.rater_group) == (link.unit, "citizen")
    # this browser again: told kindly, no form
    again = client.get(page)
    assert "Du har allerede svaret" in again.content.decode() and "<form" not in again.content.decode()
    # the same form resubmitted from a browser without the cookie (retry): nothing new
    other = Client()
    resubmit = other.post(page, data)
    assert "Du har allerede svaret" in resubmit.content.decode()
    assert Response.objects.count() == 1 and OpenSubmission.objects.count() == 1


def test_open_survey_is_rate_limited_per_address(client):
    round = make_round(instrument="citizen", mode=Round.Mode.OPEN_LINK)
    link = make_open_link(round)
    page = reverse("answer:open", kwargs={"slug": link.slug})
    for _ in range(OPEN_RATE_LIMIT):
        assert Client().post(page, form_data(round.instrument, nonce=new_nonce(round.pk))).status_code == 303
    limited = Client().post(page, form_data(round.instrument, nonce=new_nonce(round.pk)))
    assert limited.status_code == 429 and "Vent lidt" in limited.content.decode()
    assert Response.objects.count() == OPEN_RATE_LIMIT
    other_address = Client(REMOTE_ADDR="192.0.2.9").post(
        page, form_data(round.instrument, nonce=new_nonce(round.pk))
    )
    assert other_address.status_code == 303


def test_open_survey_bad_input_keeps_the_nonce_and_stores_nothing(client):
    round = make_round(instrument="citizen", mode=Round.Mode.OPEN_LINK)
    link = make_open_link(round)
    page = reverse("answer:open", kwargs={"slug": link.slug})
    nonce = new_nonce(round.pk)
    data = form_data(round.instrument, nonce=nonce, **{"q-quality-respect": "9"})
    response = client.post(page, data)
    assert response.status_code == 400 and f'value="{nonce}"' in response.content.decode()
    assert Response.objects.count() == 0 and OpenSubmission.objects.count() == 0
    assert client.get(reverse("answer:open", kwargs={"slug": "nope"})).status_code == 404
    invited = make_round()
    assert (
        client.get(reverse("answer:open", kwargs={"slug": make_open_link(invited).slug})).status_code == 404
    )


def test_a_multipart_post_is_read_like_a_urlencoded_one(client):
    round = make_round()
    invitation, token = make_invitation(round)
    data = form_data(round.instrument, "3", **{"c-works-well": "Æble og øl", "sprog": "en"})
    response = Client().post(url(token), data)  # multipart/form-data
    assert response.status_code == 303 and response["Location"].endswith("?sprog=en")
    assert Comment.objects.get().text == "Æble og øl"
    invitation.refresh_from_db()
    assert invitation.answered


def test_a_repeated_field_counts_with_its_last_value_as_in_django_forms(client):
    round = make_round()
    _, token = make_invitation(round)
    first_item = round.instrument.items.order_by("position").first()
    fields = [*form_data(round.instrument, "4").items(), (f"q-{first_item.key}", "9")]
    response = client.post(url(token), urlencode(fields), content_type=FORM_URLENCODED)
    assert response.status_code == 400 and "en af svarmulighederne" in response.content.decode()
    assert Response.objects.count() == 0


def test_a_post_with_too_many_fields_is_refused_and_stores_nothing(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 20
    round = make_round()
    invitation, token = make_invitation(round)
    response = client.post(url(token), form_data(round.instrument))  # 27 items > 20 fields
    assert response.status_code == 400
    invitation.refresh_from_db()
    assert not invitation.answered and Response.objects.count() == 0
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
    assert client.post(url(token), form_data(round.instrument)).status_code == 303


def test_comments_in_any_encoding_of_the_form_are_stored_as_written(client):
    round = make_round()
    _, token = make_invitation(round)
    text = 'Tillid & retfærdighed = 100 % + lidt; "citat" <b>ikke html</b>'
    assert client.post(url(token), form_data(round.instrument, **{"c-works-well": text})).status_code == 303
    assert Comment.objects.get().text == text
