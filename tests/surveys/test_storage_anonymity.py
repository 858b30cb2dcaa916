"""DESIGN §3.1–3.2 checked on the stored data: the model, the real table columns, the rows."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from django.db import OperationalError, connection, connections, models

from kerne.organisation.models import Person
from kerne.surveys.models import Comment, Invitation, OpenSubmission, Response, Round, hash_secret
from kerne.surveys.submission import response_submit
from kerne.surveys.tokens import new_paper_code, new_token, token_hashes
from tests.surveys.factories import full_answers, make_invitation, make_round

RESPONSE_COLUMNS = {"id", "round_id", "unit_id", "rater_group", "evaluation_id", "submitted_on", "answers"}
COMMENT_COLUMNS = {"id", "round_id", "unit_id", "rater_group", "evaluation_id", "question_id", "text"}
SUSPECT_WORDS = (
    "person",
    "user",
    "invitation",
    "token",
    "email",
    "name",
    "ip",
    "time",
    "created",
    "modified",
)


def columns(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, table)
        return {
            column.name: connection.introspection.get_field_type(column.type_code, column)
            for column in description
        }


def test_response_model_has_only_round_unit_group_evaluation_date_answers():
    names = {f.name for f in Response._meta.concrete_fields}
    assert names == {"id", "round", "unit", "rater_group", "evaluation", "submitted_on", "answers"}
    for f in Response._meta.get_fields():
        assert f.related_model not in (Person, Invitation), f.name
        assert not isinstance(f, models.DateTimeField), f.name
        assert not any(word in f.name for word in ("person", "invitation", "token", "user")), f.name
    assert isinstance(Response._meta.pk, models.UUIDField)
    assert isinstance(Response._meta.get_field("submitted_on"), models.DateField)
    assert Response._meta.get_field("id").default is uuid.uuid4


def test_comment_model_has_no_link_to_its_response_and_no_date():
    for f in Comment._meta.get_fields():
        assert f.related_model not in (Response, Person, Invitation), f.name
        assert not isinstance(f, (models.DateField, models.DateTimeField)), f.name
    assert isinstance(Comment._meta.pk, models.UUIDField)


@pytest.mark.django_db
def test_response_and_comment_tables_have_no_person_token_or_time_column():
    for table, expected in (("surveys_response", RESPONSE_COLUMNS), ("surveys_comment", COMMENT_COLUMNS)):
        found = columns(table)
        assert set(found) == expected, table
        for name, kind in found.items():
            assert kind not in ("DateTimeField",), (table, name)
            assert not any(word in name for word in SUSPECT_WORDS if word not in ("name",)), (table, name)
        assert columns("surveys_response")["submitted_on"] == "DateField"


@pytest.mark.django_db
def test_invitation_keeps_only_a_boolean_and_a_hash():
    found = columns("surveys_invitation")
    assert "answered" in found and found["answered"] == "BooleanField"
    assert not any(kind == "DateTimeField" or kind == "DateField" for kind in found.values())
    assert not any(
        word in name for name in found for word in ("response", "answers", "token") if name != "token_hash"
    )
    assert "token" not in found
    assert {f.name for f in OpenSubmission._meta.concrete_fields} == {"nonce_hash", "round"}
    assert set(columns("surveys_opensubmission")) == {"nonce_hash", "round_id"}


@pytest.mark.django_db
def test_tokens_are_random_and_stored_only_hashed():
    token, code = new_token(), new_paper_code()
    assert len(token) >= 22 and len(code) == 26  # ≥128 bits each (32 × 6 bits, 26 × 5 bits)
    assert len({new_token() for _ in range(200)}) == 200
    round = make_round()
    invitation, raw = make_invitation(round)
    stored = Invitation.objects.values_list(*[f.attname for f in Invitation._meta.concrete_fields]).get()
    assert raw not in [str(value) for value in stored]
    assert invitation.token_hash == hash_secret(raw) and invitation.token_hash in token_hashes(raw)


@pytest.mark.django_db
def test_stored_rows_do_not_reveal_who_or_in_which_order():
    round = make_round()
    tokens = [make_invitation(round)[1] for _ in range(30)]
    submitted = []
    for n, token in enumerate(tokens):
        answers = full_answers(round.instrument, str(1 + n % 5))
        answers["trust-bonding-rely"] = str(1 + (n // 5) % 5)  # a pattern per submission
        assert response_submit(
            token=token, answers=answers, comments={"works-well": f"kommentar {n}"}, language="da"
        ).stored
        submitted.append(f"kommentar {n}")
    ids = list(Response.objects.values_list("id", flat=True))
    assert all(i.version == 4 for i in ids) and len(set(ids)) == 30
    # No row, column or hidden order pairs an invitation, a response and a comment.
    raw_invitations = " ".join(str(v) for row in Invitation.objects.values_list() for v in row)
    assert not any(str(i) in raw_invitations or i.hex in raw_invitations for i in ids)
    assert all(invitation.answered for invitation in Invitation.objects.all())
    if connection.vendor == "sqlite":
        for table in ("surveys_response", "surveys_comment", "surveys_opensubmission"):
            with connection.cursor() as cursor, pytest.raises(OperationalError):
                cursor.execute(f"SELECT rowid FROM {table}")  # WITHOUT ROWID: no insertion order
        with connection.cursor() as cursor:
            cursor.execute("SELECT text FROM surveys_comment")
            stored_order = [row[0] for row in cursor.fetchall()]
        assert sorted(stored_order) == sorted(submitted)
        assert stored_order != submitted  # kept in random-id order (1 in 30! to fail by chance)


def _race(token: str, answers: dict[str, str], outcomes: list[str], barrier: threading.Barrier) -> None:
    try:
        barrier.wait()
        for _attempt in range(50):  # SQLite's shared in-memory test database reports "locked" at once
            try:
                result = response_submit(token=token, answers=answers, comments={}, language="da")
            except OperationalError as exc:
                if "locked" not in str(exc):
                    raise
                time.sleep(0.02)  # let the other thread finish its transaction
                continue
            outcomes.append(result.status)
            return
        outcomes.append("gave up")
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_two_submits_racing_store_one_response():
    round = make_round()
    _, token = make_invitation(round)
    answers = full_answers(round.instrument)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)
    threads = [threading.Thread(target=_race, args=(token, answers, outcomes, barrier)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["already_answered", "stored"]
    assert Response.objects.filter(round=round).count() == 1
    assert Round.objects.get(pk=round.pk).invitations.get().answered
