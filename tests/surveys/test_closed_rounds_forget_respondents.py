"""A closed round forgets who answered (DESIGN §3.1: no stored row is attributable from the
tables alone).

Responses of a small unit are stored on a pooled unit with at least k invitations
(kerne/surveys/pooling.py), but pooling guarantees k invitations, not k respondents. While
invitations kept `answered` after the round, a pool of five where one person answered held
one answered invitation (a named person) and one response on the unit: that person's
answers, to anyone reading the tables. Closing a round, and `kerne seal-rounds` for a round
closed by its date, now clear the flag on every invitation of the round
(kerne/surveys/sealing.py, forget_respondents); the pages and the GDPR export say so instead
of reporting a state Kerne no longer keeps. PostgreSQL's bookkeeping after close:
tests/surveys/test_sealing.py.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kerne.organisation.gdpr import person_export
from kerne.organisation.models import Person, Unit, UnitKind
from kerne.surveys import services, submission
from kerne.surveys.models import Invitation, Response, Round
from kerne.surveys.tasks import send_invitations
from tests.factories import make_hr, make_unit, make_user
from tests.surveys.factories import (
    LONG_AGO,
    create_social_capital_round,
    full_answers,
    launch,
    make_invitation,
    make_round,
    staff,
    tokens_from_outbox,
)

pytestmark = pytest.mark.django_db

# Who the row is, and where the launch placed it: the same before anyone answered.
IDENTITY_COLUMNS = {"id", "person_id", "token_hash"}
PLACEMENT_COLUMNS = {"unit_id"}
MINE = "/maalinger/mine/"


@dataclass
class Pool:
    round: Round
    department: Unit
    team: Unit
    respondent: Person  # in the team of two: the only one of the pool who answered
    colleague: Person  # the respondent's team-mate, who did not answer
    tokens: dict[int, str]  # person id → the token e-mailed at launch


def answered_pool(capture: Any, *, logins: bool = False) -> Pool:
    """A department of 3 with a team of 2 below it (k = 5): the team's answers are stored on
    the department, a pool of 5 invitations. One person of the team answers; nobody else."""
    department = make_unit("Afdeling", valid_from=LONG_AGO)
    team = make_unit("Lille team", parent=department, kind=UnitKind.TEAM, valid_from=LONG_AGO)
    people = staff(((department, 3), (team, 2)))
    round_ = create_social_capital_round(department, k=5)
    launch(round_, capture)
    tokens = {people[address].pk: token for address, token in tokens_from_outbox().items()}
    assert len(tokens) == 5
    respondent, colleague = people[f"{team.pk}-0@example.org"], people[f"{team.pk}-1@example.org"]
    if logins:
        make_user("svareren", person=respondent)
        make_user("kollegaen", person=colleague)
    assert submission.response_submit(
        token=tokens[respondent.pk],
        answers=full_answers(round_.instrument),
        comments={"works-well": "Vi er to, der hjælper hinanden."},
        language="da",
    ).stored
    return Pool(round_, department, team, respondent, colleague, tokens)


def raw_rows(table: str, round_: Round) -> list[dict[str, Any]]:
    """Every column of the round's rows, read from the table itself (a column the model does
    not know is read too)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE round_id = %s", [round_.pk])
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def assert_nobody_is_marked(pool: Pool) -> None:
    """What a database reader, a backup holder or an operator finds for the pool."""
    rows = raw_rows("surveys_invitation", pool.round)
    assert len(rows) == 5
    assert not any(row["answered"] for row in rows)
    # Every column of every invitation of the round, except who the row is and the unit the
    # launch placed it in, holds one value for all five: nothing singles out the respondent.
    for name in set(rows[0]) - IDENTITY_COLUMNS - PLACEMENT_COLUMNS:
        assert len({row[name] for row in rows}) == 1, name
    # The respondent's row and their team-mate's differ only in who they are.
    mine = next(row for row in rows if row["person_id"] == pool.respondent.pk)
    theirs = next(row for row in rows if row["person_id"] == pool.colleague.pk)
    assert {name for name in mine if mine[name] != theirs[name]} <= IDENTITY_COLUMNS
    # The answer itself stays, on the pooled unit, and counts in the results.
    responses = raw_rows("surveys_response", pool.round)
    assert [row["unit_id"] for row in responses] == [pool.department.pk]


def test_no_answered_invitation_pairs_a_person_with_a_pooled_response_after_close(
    django_capture_on_commit_callbacks,
):
    pool = answered_pool(django_capture_on_commit_callbacks)
    rows = raw_rows("surveys_invitation", pool.round)
    assert {row["response_unit_id"] for row in rows} == {pool.department.pk}  # one pool of 5
    # The attack while the round runs, so the assertions after close have teeth: one answered
    # invitation in the pool, one response on its unit, and so a named person's answers.
    assert [row["person_id"] for row in rows if row["answered"]] == [pool.respondent.pk]
    assert [row["unit_id"] for row in raw_rows("surveys_response", pool.round)] == [pool.department.pk]

    with django_capture_on_commit_callbacks(execute=True):
        services.round_close(actor=None, round=pool.round)

    assert_nobody_is_marked(pool)


def test_a_round_closed_by_its_date_forgets_who_answered_at_the_next_seal_rounds(
    django_capture_on_commit_callbacks,
):
    pool = answered_pool(django_capture_on_commit_callbacks)
    # The closing time passes; nobody presses "close".
    Round.objects.filter(pk=pool.round.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=5))
    running = make_round()
    # Closed seconds ago: a submission begun just before the closing time may still claim, so
    # this one is forgotten at the following run (sealing.CLAIM_GRACE).
    just_closed = make_round(closes_at=timezone.now() - dt.timedelta(seconds=5))
    for other in (running, just_closed):
        invitation, _ = make_invitation(other)
        Invitation.objects.filter(pk=invitation.pk).update(answered=True)
    assert Invitation.objects.filter(round=pool.round, answered=True).count() == 1

    out = io.StringIO()
    call_command("seal_rounds", stdout=out)

    assert_nobody_is_marked(pool)
    assert "forgot who answered" in out.getvalue()
    # A running round still needs the flag: it refuses a second answer and stops reminders.
    assert Invitation.objects.get(round=running).answered
    assert Invitation.objects.get(round=just_closed).answered


def test_the_old_token_is_still_refused_kindly_after_close(django_capture_on_commit_callbacks):
    pool = answered_pool(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.round_close(actor=None, round=pool.round)
    assert not Invitation.objects.filter(round=pool.round, answered=True).exists()

    token = pool.tokens[pool.respondent.pk]
    url = reverse("answer:token", kwargs={"token": token})
    data = {f"q-{key}": value for key, value in full_answers(pool.round.instrument).items()}
    # At once, even while the answer pages still hold the round as open (cached for a few
    # seconds, submission.ROUND_CACHE_SECONDS): the claim re-checks the round in SQL.
    response = Client().post(url, data)
    assert response.status_code == 410 and "Målingen er lukket" in response.content.decode()
    submission._round_snapshot.cache_clear()  # the next few seconds later
    for response in (Client().post(url, data), Client().get(url)):
        # "The survey is closed", not an error and not a form: the round takes no answers.
        page = response.content.decode()
        assert response.status_code == 410 and "Målingen er lukket" in page, page
        assert "<form" not in page
    result = submission.response_submit(
        token=token, answers=full_answers(pool.round.instrument), comments={}, language="da"
    )
    assert result.unavailable and result.reason == submission.CLOSED
    # The claim itself refuses it in SQL, whatever the invitation says (submission.py).
    result = submission.response_submit(
        token=pool.tokens[pool.colleague.pk],
        answers=full_answers(pool.round.instrument),
        comments={},
        language="da",
    )
    assert result.unavailable and result.reason == submission.CLOSED
    assert Response.objects.filter(round=pool.round).count() == 1
    assert not Invitation.objects.filter(round=pool.round, answered=True).exists()


def test_the_old_token_is_refused_kindly_after_a_round_closed_by_its_date(
    django_capture_on_commit_callbacks,
):
    pool = answered_pool(django_capture_on_commit_callbacks)
    Round.objects.filter(pk=pool.round.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=5))
    call_command("seal_rounds", stdout=io.StringIO())
    submission._round_snapshot.cache_clear()  # the answer pages' few seconds of round cache
    url = reverse("answer:token", kwargs={"token": pool.tokens[pool.respondent.pk]})
    data = {f"q-{key}": value for key, value in full_answers(pool.round.instrument).items()}
    response = Client().post(url, data)
    assert response.status_code == 410 and "Målingen er lukket" in response.content.decode()
    assert Response.objects.filter(round=pool.round).count() == 1


def _status_of(client: Client) -> tuple[str, str]:
    response = client.get(MINE)
    assert response.status_code == 200
    (row,) = response.context["rows"]
    html = response.content.decode()
    section = html[html.index("<dt>Status</dt>") : html.index("</dd>", html.index("<dt>Status</dt>"))]
    return row.status, section


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_mine_maalinger_shows_a_closed_round_as_closed_with_no_answered_state(
    django_capture_on_commit_callbacks,
):
    pool = answered_pool(django_capture_on_commit_callbacks, logins=True)
    respondent, colleague = _client("svareren"), _client("kollegaen")
    # While the round runs, each sees their own state.
    assert _status_of(respondent)[0] == "answered"
    assert _status_of(colleague)[0] == "waiting"

    with django_capture_on_commit_callbacks(execute=True):
        services.round_close(actor=None, round=pool.round)

    mine, theirs = _status_of(respondent), _status_of(colleague)
    assert mine == theirs  # the same page for the one who answered and the one who did not
    assert mine[0] == "closed"
    assert ">Lukket</span>" in mine[1] and "Kerne gemmer ikke, hvem der svarede" in mine[1]
    assert "Besvaret" not in mine[1] and "Ikke besvaret" not in mine[1]
    page = respondent.get(MINE).content.decode()
    assert "Svar nu" not in page and "glemmer Kerne også, hvem der svarede" in page
    respondent.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = respondent.get(MINE).content.decode()
    assert "Kerne keeps no record of who answered a closed survey." in english


def test_mine_maalinger_never_shows_answered_for_a_round_past_its_closing_time(
    django_capture_on_commit_callbacks,
):
    """Closed by its date, before `kerne seal-rounds` has run: the flag is still stored for a
    while, and the page does not show it."""
    pool = answered_pool(django_capture_on_commit_callbacks, logins=True)
    Round.objects.filter(pk=pool.round.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    assert Invitation.objects.filter(round=pool.round, answered=True).exists()
    assert _status_of(_client("svareren")) == _status_of(_client("kollegaen"))
    assert _status_of(_client("svareren"))[0] == "closed"


def test_the_gdpr_export_reports_answered_only_while_the_round_is_open(django_capture_on_commit_callbacks):
    pool = answered_pool(django_capture_on_commit_callbacks)
    (running,) = person_export(pool.respondent)["survey_invitations"]
    assert running == {
        "round": "Social kapital",
        "round_status": "open",
        "answered": True,
        "rater_group": "employee",
    }
    assert person_export(pool.colleague)["survey_invitations"][0]["answered"] is False

    with django_capture_on_commit_callbacks(execute=True):
        services.round_close(actor=None, round=pool.round)

    (closed,) = person_export(pool.respondent)["survey_invitations"]
    assert closed == {
        "round": "Social kapital",
        "round_status": "closed",
        "answered": None,
        "rater_group": "employee",
        "answered_note": "Målingen er lukket: Kerne gemmer ikke, hvem der svarede.",
    }
    assert person_export(pool.colleague)["survey_invitations"] == [closed]


def test_a_round_past_its_closing_time_prints_no_paper_codes_and_sends_no_mail(
    django_capture_on_commit_callbacks,
):
    pool = answered_pool(django_capture_on_commit_callbacks)
    Round.objects.filter(pk=pool.round.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=5))
    call_command("seal_rounds", stdout=io.StringIO())
    round_ = Round.objects.get(pk=pool.round.pk)
    assert round_.status == Round.Status.OPEN  # closed by its date only
    hashes = sorted(Invitation.objects.filter(round=round_).values_list("token_hash", flat=True))
    # Everyone now looks unanswered and not e-mailed; none of it may send or print anything.
    with pytest.raises(services.RoundError):
        services.paper_codes_issue(actor=None, round=round_, unit=pool.department, include_emailed=True)
    with pytest.raises(services.RoundError):
        services.round_remind(actor=None, round=round_)
    assert send_invitations.call(round_.pk) == 0
    assert mail.outbox == []
    hr = Client()
    hr.force_login(make_hr())
    page = hr.get(reverse("surveys:round_remind", args=[round_.pk]))
    assert page.context["recipients"] == 0 and not page.context["can_remind"]
    assert "Der kan kun sendes påmindelser, mens målingen er åben." in page.content.decode()
    assert sorted(Invitation.objects.filter(round=round_).values_list("token_hash", flat=True)) == hashes


def test_the_migration_clears_rounds_closed_before_the_upgrade():
    migration = importlib.import_module("kerne.surveys.migrations.0008_closed_rounds_forget_respondents")
    closed = make_round(status=Round.Status.CLOSED)
    by_date = make_round(
        opens_at=timezone.now() - dt.timedelta(days=330), closes_at=timezone.now() - dt.timedelta(days=300)
    )
    running = make_round()
    for round_ in (closed, by_date, running):
        invitation, _ = make_invitation(round_)
        Invitation.objects.filter(pk=invitation.pk).update(answered=True, reminders_sent=2, emailed=True)

    migration.forget_respondents(apps, None)

    flags = "answered", "reminders_sent", "emailed"
    assert list(Invitation.objects.filter(round=closed).values_list(*flags)) == [(False, 0, False)]
    assert list(Invitation.objects.filter(round=by_date).values_list(*flags)) == [(False, 0, False)]
    assert list(Invitation.objects.filter(round=running).values_list(*flags)) == [(True, 2, True)]
