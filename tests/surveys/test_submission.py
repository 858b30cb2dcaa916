"""Submitting answers: the pure rules, every bad input, and the double submit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from kerne.surveys.models import Comment, Invitation, OpenSubmission, Response, Round
from kerne.surveys.packing import unpack_answers
from kerne.surveys.submission import (
    ALREADY_ANSWERED,
    CLOSED,
    COMMENT_LIMIT,
    GENERAL,
    INVALID,
    NOT_OPEN_YET,
    STORED,
    UNAVAILABLE,
    UNKNOWN,
    ItemRule,
    QuestionRule,
    new_nonce,
    open_rate_limited,
    open_response_submit,
    response_submit,
    round_availability,
    validate_submission,
)
from kerne.surveys.tokens import format_paper_code, new_paper_code
from tests.surveys.factories import full_answers, make_invitation, make_open_link, make_round

ITEMS = [ItemRule("a", 0), ItemRule("b", 1), ItemRule("c", 2, optional=True)]
QUESTIONS = [QuestionRule("free", 7)]


# --- pure rules --------------------------------------------------------------------------


def test_valid_answers_pack_by_position_and_dont_know_is_missing():
    checked = validate_submission(ITEMS, QUESTIONS, {"a": "5", "b": "0"}, {"free": "  Godt  "})
    assert checked.errors == {}
    assert checked.answers == {0: 5}
    assert checked.comments == {7: "Godt"}


def test_missing_required_answer_but_optional_may_be_left_out():
    checked = validate_submission(ITEMS, QUESTIONS, {"a": "3"}, {})
    assert list(checked.errors) == ["b"]
    assert "Ved ikke" in checked.errors["b"][0]


@pytest.mark.parametrize("bad", ["6", "-1", "x", "3.5", "１", "55", " "])
def test_answer_outside_the_scale(bad):
    checked = validate_submission(ITEMS, QUESTIONS, {"a": bad, "b": "1"}, {})
    assert "a" in checked.errors


def test_oversized_comment_is_refused_exactly_over_the_limit():
    ok = validate_submission(ITEMS, QUESTIONS, {"a": "1", "b": "1"}, {"free": "x" * COMMENT_LIMIT})
    assert ok.errors == {}
    too_long = validate_submission(
        ITEMS, QUESTIONS, {"a": "1", "b": "1"}, {"free": "x" * (COMMENT_LIMIT + 1)}
    )
    assert "2.000" in too_long.errors["free"][0] and "2.001" in too_long.errors["free"][0]


def test_forged_keys_are_named():
    checked = validate_submission(ITEMS, QUESTIONS, {"a": "1", "b": "1", "zz": "3"}, {"evil": "x"})
    assert "zz" in checked.errors[GENERAL][0] and "evil" in checked.errors[GENERAL][0]


def test_round_availability():
    now = timezone.now()
    day = dt.timedelta(days=1)
    assert round_availability(status="open", opens_at=now - day, closes_at=now + day, now=now) == "open"
    assert (
        round_availability(status="open", opens_at=now + day, closes_at=now + 2 * day, now=now)
        == NOT_OPEN_YET
    )
    assert (
        round_availability(status="draft", opens_at=now - day, closes_at=now + day, now=now) == NOT_OPEN_YET
    )
    assert round_availability(status="open", opens_at=now - 2 * day, closes_at=now, now=now) == CLOSED
    assert round_availability(status="closed", opens_at=now - day, closes_at=now + day, now=now) == CLOSED


# --- the service -------------------------------------------------------------------------


def submit(token, answers, comments=None, language="da"):
    return response_submit(token=token, answers=answers, comments=comments or {}, language=language)


def nothing_stored():
    return Response.objects.count() == 0 and Comment.objects.count() == 0


@pytest.mark.django_db
def test_a_good_submission_is_stored_and_the_invitation_marked():
    round = make_round()
    invitation, token = make_invitation(round)
    answers = full_answers(round.instrument, "4")
    answers["trust-bonding-rely"] = "5"
    answers["trust-bonding-speak"] = "0"
    result = submit(token, answers, {"works-well": "Vi hjælper hinanden.", "strengthen": ""})
    assert result.status == STORED and result.stored
    response = Response.objects.get()
    assert (response.round, response.unit, response.rater_group) == (round, round.target_unit, "employee")
    unpacked = unpack_answers(bytes(response.answers))
    assert len(bytes(response.answers)) == round.instrument.items.count()
    assert unpacked[0] == 5 and 1 not in unpacked and unpacked[2] == 4
    assert list(Comment.objects.values_list("text", "question__key")) == [
        ("Vi hjælper hinanden.", "works-well")
    ]
    invitation.refresh_from_db()
    assert invitation.answered


@pytest.mark.django_db
def test_second_submit_with_the_same_token_stores_nothing():
    round = make_round()
    _, token = make_invitation(round)
    answers = full_answers(round.instrument)
    assert submit(token, answers).stored
    again = submit(token, answers, {"works-well": "igen"})
    assert again.status == ALREADY_ANSWERED
    # even a broken resubmission (back button with a half form) is answered kindly
    assert submit(token, {}).status == ALREADY_ANSWERED
    assert Response.objects.count() == 1 and Comment.objects.count() == 0


@pytest.mark.django_db
def test_the_conditional_update_claims_an_invitation_once():
    """The guard itself: a stale read (answered=False in memory) still cannot claim twice."""
    round = make_round()
    invitation, token = make_invitation(round)
    stale = Invitation.objects.get(pk=invitation.pk)
    assert submit(token, full_answers(round.instrument)).stored
    assert stale.answered is False
    claimed = Invitation.objects.filter(pk=stale.pk, answered=False).update(answered=True)
    assert claimed == 0


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["", "nonsense", "x" * 500, "A" * 32])
def test_unknown_token(token):
    make_invitation(make_round())
    result = submit(token, {})
    assert (result.status, result.reason) == (UNAVAILABLE, UNKNOWN)
    assert nothing_stored()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "opens", "closes", "reason"),
    [
        (Round.Status.OPEN, 1, 5, NOT_OPEN_YET),  # before opens_at
        (Round.Status.DRAFT, -1, 5, NOT_OPEN_YET),  # not launched
        (Round.Status.OPEN, -5, -1, CLOSED),  # after closes_at (expired token)
        (Round.Status.CLOSED, -5, 5, CLOSED),  # closed early by HR
    ],
)
def test_round_not_open(status, opens, closes, reason):
    now = timezone.now()
    round = make_round(
        status=status, opens_at=now + dt.timedelta(days=opens), closes_at=now + dt.timedelta(days=closes)
    )
    invitation, token = make_invitation(round)
    result = submit(token, full_answers(round.instrument))
    assert (result.status, result.reason) == (UNAVAILABLE, reason)
    assert nothing_stored()
    invitation.refresh_from_db()
    assert not invitation.answered


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda a, c: a.update({"trust-bonding-rely": "6"}), "trust-bonding-rely"),
        (lambda a, c: a.update({"trust-bonding-rely": "abc"}), "trust-bonding-rely"),
        (lambda a, c: a.pop("justice-linking-heard"), "justice-linking-heard"),
        (lambda a, c: c.update({"works-well": "ord " * 600}), "works-well"),
        (lambda a, c: a.update({"forged-item": "3"}), GENERAL),
        (lambda a, c: c.update({"forged-comment": "hej"}), GENERAL),
    ],
)
def test_bad_input_stores_nothing_and_the_token_stays_usable(change, field):
    round = make_round()
    invitation, token = make_invitation(round)
    answers, comments = full_answers(round.instrument), {"works-well": "fint"}
    change(answers, comments)
    result = submit(token, answers, comments)
    assert result.status == INVALID and result.invalid
    assert field in result.errors and result.errors[field][0]
    assert nothing_stored()
    invitation.refresh_from_db()
    assert not invitation.answered
    assert submit(token, full_answers(round.instrument)).stored


@pytest.mark.django_db
def test_errors_speak_the_respondents_language():
    round = make_round()
    _, token = make_invitation(round)
    answers = full_answers(round.instrument)
    del answers["trust-bonding-rely"]
    result = submit(token, answers, language="en")
    assert result.errors["trust-bonding-rely"] == [
        "Choose an answer. Choose “Don't know / not relevant” if you cannot answer."
    ]


@pytest.mark.django_db
def test_a_paper_code_is_a_token_typed_in_any_form():
    round = make_round()
    code = new_paper_code()
    invitation, _ = make_invitation(round, token=code)
    typed = format_paper_code(code).lower().replace("-", " ")
    assert submit(typed, full_answers(round.instrument)).stored
    invitation.refresh_from_db()
    assert invitation.answered


@pytest.mark.django_db
def test_360_answers_count_for_the_evaluation_and_rater_group():
    from tests.surveys.factories import make_evaluation

    round = make_round(instrument="leadership_360")
    evaluation = make_evaluation(round)
    _, token = make_invitation(round, rater_group="peer", evaluation=evaluation)
    assert submit(token, full_answers(round.instrument, "3"), {"works-well": "Lytter"}).stored
    response = Response.objects.get()
    assert (response.rater_group, response.evaluation) == ("peer", evaluation)
    assert Comment.objects.get().evaluation == evaluation


# --- open links --------------------------------------------------------------------------


def open_submit(slug, nonce, answers, comments=None):
    return open_response_submit(
        slug=slug, nonce=nonce, answers=answers, comments=comments or {}, language="da"
    )


@pytest.mark.django_db
def test_open_link_answers_count_for_the_links_unit_as_citizens():
    round = make_round(instrument="citizen", mode=Round.Mode.OPEN_LINK)
    link = make_open_link(round)
    NONCE = new_nonce(round.pk)
    answers = full_answers(round.instrument, "5")
    answers.pop("quality-result")  # optional
    assert open_submit(link.slug, NONCE, answers, {"anything-else": "Tak"}).stored
    response = Response.objects.get()
    assert (response.unit, response.rater_group, response.evaluation) == (link.unit, "citizen", None)
    assert OpenSubmission.objects.count() == 1
    # the same form again (double click, retry)
    assert open_submit(link.slug, NONCE, answers).status == ALREADY_ANSWERED
    assert Response.objects.count() == 1 and Comment.objects.count() == 1
    # a fresh form is a new respondent
    assert open_submit(link.slug, new_nonce(round.pk), answers).stored


@pytest.mark.django_db
def test_open_link_bad_input():
    round = make_round(instrument="citizen", mode=Round.Mode.OPEN_LINK)
    link = make_open_link(round)
    answers = full_answers(round.instrument)
    NONCE = new_nonce(round.pk)
    assert open_submit("nope", NONCE, answers).reason == UNKNOWN
    assert open_submit(link.slug, "short", answers).errors[GENERAL]
    assert open_submit(link.slug, "n" * 32, answers).errors[GENERAL]  # not issued by the server
    assert open_submit(link.slug, NONCE, {**answers, "quality-handling": "9"}).invalid
    assert nothing_stored() and OpenSubmission.objects.count() == 0
    round.status = Round.Status.CLOSED
    round.save()
    assert open_submit(link.slug, NONCE, answers).reason == CLOSED
    assert nothing_stored()


@pytest.mark.django_db
def test_invited_round_has_no_open_link_answers():
    round = make_round(mode=Round.Mode.INVITED)
    link = make_open_link(round)
    assert open_submit(link.slug, new_nonce(round.pk), full_answers(round.instrument)).reason == UNKNOWN


@pytest.mark.django_db
def test_open_rate_limit_counts_per_address():
    results = [open_rate_limited("10.0.0.1") for _ in range(21)]
    assert results[:20] == [False] * 20 and results[20] is True
    assert open_rate_limited("10.0.0.2") is False
    with connection.cursor() as cursor:  # the shared cache's table (kerne/cache.py)
        cursor.execute("SELECT cache_key FROM kerne_cache")
        keys = [key for (key,) in cursor.fetchall()]
    assert len(keys) == 2 and not any("10.0.0." in key for key in keys)
