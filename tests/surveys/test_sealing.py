"""Sealing (kerne/surveys/sealing.py): on PostgreSQL, the database's own bookkeeping (the
writing transaction `xmin`, the physical position `ctid`) pairs a response with its
invitation and a comment with its response until the round is sealed; afterwards it pairs
nothing, and nothing stored has changed.

These tests commit real transactions (one per submission, as in production), so they use
`transactional_db` and load the shipped instruments again (an earlier transactional test
may have flushed them).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from kerne.surveys import submission
from kerne.surveys.models import Comment, Invitation, Response, Round
from kerne.surveys.sealing import round_seal, rounds_closed_recently, rounds_to_seal
from kerne.surveys.services import round_close
from tests.surveys.factories import full_answers, make_invitation, make_round

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="only PostgreSQL stamps rows with their writer (SQLite: tests/surveys/test_storage_anonymity.py)",
)

RESPONDENTS = 24


@pytest.fixture
def shipped(transactional_db: None) -> Iterator[None]:
    from django.apps import apps

    from kerne.foundation.seed import load_foundation, read_foundation
    from kerne.organisation.seed import load_pipeline_levels
    from kerne.surveys.instruments import load_shipped_instruments

    load_foundation(apps, read_foundation())
    load_pipeline_levels(apps)
    load_shipped_instruments(apps=apps)
    yield


def column(sql: str, params: list[Any]) -> list[Any]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def answered_round() -> tuple[Round, list[str]]:
    """A round where RESPONDENTS people answered one by one (every third with a comment),
    and the response ids in the order they were submitted."""
    round = make_round()
    order: list[str] = []
    for n in range(RESPONDENTS):
        _, token = make_invitation(round)
        comments = {"works-well": f"Kommentar {n}"} if n % 3 == 0 else {}
        values = "12345"[n % 5]
        result = submission.response_submit(
            token=token, answers=full_answers(round.instrument, values), comments=comments, language="da"
        )
        assert result.stored
        new = set(Response.objects.filter(round=round).values_list("id", flat=True)) - set(order)
        order += list(new)
    return round, order


def stored(round: Round) -> tuple[Any, ...]:
    responses = sorted(
        Response.objects.filter(round=round).values_list(
            "id", "unit_id", "rater_group", "evaluation_id", "answers"
        )
    )
    comments = sorted(Comment.objects.filter(round=round).values_list("id", "unit_id", "question_id", "text"))
    invitations = sorted(Invitation.objects.filter(round=round).values_list("id", "token_hash", "answered"))
    return [(*r[:4], bytes(r[4])) for r in responses], comments, invitations


def pairs_by_writer(round: Round) -> int:
    """Invitations whose writing transaction wrote exactly one response: the attack."""
    return column(
        "SELECT count(*) FROM surveys_invitation i WHERE i.round_id = %s AND i.answered AND "
        "(SELECT count(*) FROM surveys_response r WHERE r.round_id = i.round_id AND r.xmin = i.xmin) = 1",
        [round.pk],
    )[0]


def physical_order(round: Round) -> list[str]:
    return column("SELECT id FROM surveys_response WHERE round_id = %s ORDER BY ctid", [round.pk])


@postgres_only
def test_before_sealing_the_bookkeeping_pairs_every_answer_afterwards_none(shipped):
    round, submitted = answered_round()
    # The attack works on unsealed data, so the assertions after sealing have teeth.
    assert pairs_by_writer(round) == RESPONDENTS
    assert physical_order(round) == submitted
    before = stored(round)

    report = round_seal(round.pk)

    assert report is not None and report.vacuumed
    assert (report.invitations, report.responses, report.comments) == (RESPONDENTS, RESPONDENTS, 8)
    assert stored(round) == before  # nothing stored has changed
    assert pairs_by_writer(round) == 0
    for table in ("surveys_invitation", "surveys_response", "surveys_comment"):
        writers = column(f"SELECT DISTINCT xmin::text FROM {table} WHERE round_id = %s", [round.pk])
        assert len(writers) == 1, table
    assert physical_order(round) != submitted  # 1 in 24! that a shuffle keeps the order


@postgres_only
def test_closing_a_round_seals_it(shipped):
    round, _ = answered_round()
    round_close(actor=None, round=round)  # the seal task runs at commit (immediate backend in tests)
    assert pairs_by_writer(round) == 0
    writers = column("SELECT DISTINCT xmin::text FROM surveys_response WHERE round_id = %s", [round.pk])
    assert len(writers) == 1


@postgres_only
def test_a_sealed_open_round_keeps_taking_answers_and_the_command_seals_them_too(shipped, capsys):
    round, _ = answered_round()
    round_seal(round.pk)
    invitation, token = make_invitation(round)
    result = submission.response_submit(
        token=token, answers=full_answers(round.instrument), comments={}, language="da"
    )
    assert result.stored
    invitation.refresh_from_db()
    assert invitation.answered and Response.objects.filter(round=round).count() == RESPONDENTS + 1
    assert pairs_by_writer(round) == 1  # the new answer, until the next seal

    call_command("seal_rounds")

    assert pairs_by_writer(round) == 0
    assert (
        f"round {round.pk}: {RESPONDENTS + 1} invitations, {RESPONDENTS + 1} responses"
        in capsys.readouterr().out
    )


def invitation_order(round: Round) -> list[int]:
    return column("SELECT id FROM surveys_invitation WHERE round_id = %s ORDER BY ctid", [round.pk])


INVITED, ANSWERING = 32, 8


def round_where_some_answered() -> tuple[Round, set[int]]:
    """INVITED invitations created at launch, then every fourth person answers: the claims
    rewrite only the answered rows."""
    round = make_round()
    invited = [make_invitation(round) for _ in range(INVITED)]
    answered = set()
    for invitation, token in invited[::4]:
        result = submission.response_submit(
            token=token, answers=full_answers(round.instrument), comments={}, language="da"
        )
        assert result.stored
        answered.add(invitation.pk)
    assert len(answered) == ANSWERING
    return round, answered


def assert_the_bookkeeping_forgets_who_answered(round: Round, answered: set[int], before: list[int]) -> None:
    assert not Invitation.objects.filter(round=round, answered=True).exists()
    # One writer for every invitation row of the round: the seal, after the flag was cleared.
    writers = column("SELECT DISTINCT xmin::text FROM surveys_invitation WHERE round_id = %s", [round.pk])
    assert len(writers) == 1
    # Positions: the rows were moved out and back in random order, so the answered ones no
    # longer sit together behind the others (1 in 10,518,300 that they land there again).
    after = invitation_order(round)
    assert sorted(after) == sorted(before) and after != before
    assert set(after[-ANSWERING:]) != answered
    assert Response.objects.filter(round=round).count() == ANSWERING


@postgres_only
def test_closing_forgets_who_answered_and_no_stamp_or_position_keeps_it(shipped):
    round, answered = round_where_some_answered()
    before = invitation_order(round)
    # The attack on the positions, so the assertions after close have teeth: a claim wrote a new
    # version of the answered rows, behind the rows nobody touched since launch. Clearing the
    # flag alone would leave them there.
    assert set(before[-ANSWERING:]) == answered

    round_close(actor=None, round=round)  # the seal runs at commit (immediate backend in tests)

    assert_the_bookkeeping_forgets_who_answered(round, answered, before)


@postgres_only
def test_seal_rounds_forgets_who_answered_in_a_round_closed_by_its_date_then_vacuums(shipped, capsys):
    import datetime as dt

    from django.utils import timezone

    round, answered = round_where_some_answered()
    before = invitation_order(round)
    assert set(before[-ANSWERING:]) == answered
    Round.objects.filter(pk=round.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=5))

    call_command("seal_rounds")

    out = capsys.readouterr().out
    assert f"{ANSWERING} invitations of 1 closed rounds forgot who answered" in out
    assert f"round {round.pk}: {INVITED} invitations" in out and "VACUUM done." in out
    assert_the_bookkeeping_forgets_who_answered(round, answered, before)


@pytest.mark.django_db
def test_rounds_to_seal_are_the_open_and_the_recently_closed():
    import datetime as dt

    from django.utils import timezone

    now = timezone.now()
    open_round = make_round()
    month_ago = now - dt.timedelta(days=40)
    just_closed = make_round(
        status=Round.Status.CLOSED, opens_at=month_ago, closes_at=now - dt.timedelta(hours=3)
    )
    closed_by_date = make_round(opens_at=now - dt.timedelta(days=9), closes_at=now - dt.timedelta(days=1))
    long_ago = make_round(
        status=Round.Status.CLOSED, opens_at=month_ago, closes_at=now - dt.timedelta(days=30)
    )
    make_round(status=Round.Status.DRAFT)
    make_round(opens_at=now + dt.timedelta(days=1), closes_at=now + dt.timedelta(days=9))  # not open yet
    assert rounds_to_seal(now) == sorted([open_round.pk, just_closed.pk, closed_by_date.pk])
    assert rounds_closed_recently(now) == sorted([just_closed.pk, closed_by_date.pk])
    # `kerne seal-rounds --all`, once after an upgrade: every round, however long ago it closed.
    every = sorted([open_round.pk, just_closed.pk, closed_by_date.pk, long_ago.pk])
    assert rounds_to_seal(now, every=True) == every
    assert rounds_closed_recently(now, every=True) == sorted([just_closed.pk, closed_by_date.pk, long_ago.pk])


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite case")
def test_on_sqlite_there_is_nothing_to_seal(capsys):
    round = make_round()
    assert round_seal(round.pk) is None
    call_command("seal_rounds")
    assert "no writer's stamp" in capsys.readouterr().out
