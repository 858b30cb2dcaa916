"""Open-link nonces are issued by the server (issue 10, point 4): signed for the round and
expiring. A form the server did not issue, one for another round or one left open too long is
refused with the respondent's answers kept on the page and a fresh nonce: nothing is lost."""

from __future__ import annotations

import re
import time
from urllib.parse import urlencode

import pytest
from django.core.signing import TimestampSigner
from django.test import Client
from django.urls import reverse

from kerne.surveys import submission
from kerne.surveys.models import Comment, OpenSubmission, Response, Round
from kerne.surveys.views_answer import FORM_URLENCODED
from tests.surveys.factories import full_answers, make_open_link, make_round

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _answer_stack(settings):
    settings.MIDDLEWARE = settings.ANSWER_MIDDLEWARE  # as kerne/wsgi.py serves /svar/


def open_page() -> tuple[str, Round]:
    round = make_round(instrument="citizen", mode=Round.Mode.OPEN_LINK)
    return reverse("answer:open", kwargs={"slug": make_open_link(round).slug}), round


def form_nonce(html: str) -> str:
    return re.search(r'name="nonce" value="([^"]+)"', html).group(1)


def post(client: Client, path: str, round: Round, nonce: str, value: str = "2", **extra: str):
    data = {f"q-{key}": v for key, v in full_answers(round.instrument, value).items()}
    data.update({"nonce": nonce, "c-anything-else": "Venteværelset er for lille", **extra})
    return client.post(path, urlencode(data), content_type=FORM_URLENCODED)


def issued_hours_ago(hours: float, round: Round) -> str:
    """A nonce as the server issued it `hours` ago."""
    real = time.time
    try:
        time.time = lambda: real() - hours * 3600  # type: ignore[assignment]
        return submission.new_nonce(round.pk)
    finally:
        time.time = real  # type: ignore[assignment]


def assert_answers_kept(html: str, round: Round) -> None:
    """The form is back with every answer checked and the comment in its box."""
    items = round.instrument.items.count()
    assert len(re.findall(r'value="2"[^>]*checked', html)) == items
    assert "Venteværelset er for lille" in html


@pytest.mark.parametrize("forged", ["a" * 32, "0" * 16, "x" * 22 + ":1abcde:" + "y" * 43])
def test_a_nonce_the_server_did_not_issue_is_refused_and_nothing_is_lost(forged):
    path, round = open_page()
    client = Client()
    response = post(client, path, round, forged)
    html = response.content.decode()
    assert response.status_code == 400 and "Formularen kunne ikke genkendes" in html
    assert Response.objects.count() == Comment.objects.count() == OpenSubmission.objects.count() == 0
    assert not response.cookies  # no "answered" cookie: nothing was stored
    assert_answers_kept(html, round)
    fresh = form_nonce(html)
    assert fresh != forged and submission.nonce_state(fresh, round.pk) == submission.NONCE_OK
    again = post(client, path, round, fresh)
    assert again.status_code == 303
    assert Response.objects.count() == Comment.objects.count() == 1


def test_a_nonce_issued_for_another_round_is_refused():
    path, round = open_page()
    other_path, other = open_page()
    nonce = form_nonce(Client().get(other_path).content.decode())
    response = post(Client(), path, round, nonce)
    assert response.status_code == 400 and "Formularen kunne ikke genkendes" in response.content.decode()
    assert Response.objects.count() == 0
    assert post(Client(), other_path, other, nonce).status_code == 303


def test_a_form_left_open_too_long_keeps_the_answers_and_gets_a_fresh_nonce():
    path, round = open_page()
    assert submission.nonce_state(issued_hours_ago(11, round), round.pk) == submission.NONCE_OK
    old = issued_hours_ago(13, round)
    assert submission.nonce_state(old, round.pk) == submission.NONCE_EXPIRED
    client = Client()
    response = post(client, path, round, old)
    html = response.content.decode()
    assert response.status_code == 400 and "åben i mere end 12 timer" in html
    assert Response.objects.count() == 0
    assert_answers_kept(html, round)
    fresh = form_nonce(html)
    assert submission.nonce_state(fresh, round.pk) == submission.NONCE_OK
    assert post(client, path, round, fresh).status_code == 303
    assert Response.objects.count() == 1


def test_the_refusal_is_in_english_for_an_english_form():
    path, round = open_page()
    response = post(Client(), path, round, issued_hours_ago(13, round), sprog="en")
    html = response.content.decode()
    assert response.status_code == 400 and "open for more than 12 hours" in html
    response = post(Client(), path, round, "a" * 32, sprog="en")
    assert "The form was not recognised" in response.content.decode()


def test_a_refused_nonce_and_a_missing_answer_are_both_reported():
    path, round = open_page()
    data = {f"q-{key}": v for key, v in full_answers(round.instrument, "2").items()}
    first = next(iter(data))
    del data[first]
    response = Client().post(path, urlencode({**data, "nonce": "a" * 32}), content_type=FORM_URLENCODED)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Formularen kunne ikke genkendes" in html and "mangler et svar" in html


def test_a_valid_nonce_is_kept_when_the_answers_need_fixing_and_counts_once():
    path, round = open_page()
    client = Client()
    nonce = form_nonce(client.get(path).content.decode())
    response = post(client, path, round, nonce, **{"q-quality-respect": "9"})
    assert response.status_code == 400 and form_nonce(response.content.decode()) == nonce
    assert post(client, path, round, nonce).status_code == 303
    # the same issued form once more (a retry from another browser): not a second answer
    assert "Du har allerede svaret" in post(Client(), path, round, nonce).content.decode()
    assert Response.objects.count() == OpenSubmission.objects.count() == 1


def test_the_service_checks_the_nonce_itself():
    _, round = open_page()
    link = round.open_links.get()
    answers = full_answers(round.instrument)

    def submit(nonce: str) -> submission.SubmitResult:
        return submission.open_response_submit(
            slug=link.slug, nonce=nonce, answers=answers, comments={}, language="da"
        )

    forged = submit("n" * 32)
    assert forged.invalid and forged.renew_nonce and forged.errors[submission.GENERAL]
    # signed with the secret key but not for this purpose: refused too
    assert submit(TimestampSigner().sign("n" * 22)).renew_nonce
    assert submit(submission.new_nonce(round.pk)).stored
    assert Response.objects.count() == 1


def test_the_answer_pages_still_set_no_cookie():
    path, round = open_page()
    response = Client().get(path)
    assert response.status_code == 200 and not response.cookies
    assert not post(Client(), path, round, "a" * 32).cookies
