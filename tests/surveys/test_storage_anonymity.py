"""DESIGN §3.1–3.2 checked on the stored data: the model, the real table columns, the rows."""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid

import pytest
from django.db import OperationalError, connection, connections, models
from django.utils import timezone

from kerne.organisation.models import Person, Unit
from kerne.surveys.instruments import shipped_instrument
from kerne.surveys.models import Comment, Invitation, OpenSubmission, Response, Round, hash_secret
from kerne.surveys.submission import response_submit
from kerne.surveys.tokens import new_paper_code, new_token, token_hashes
from tests.surveys.factories import full_answers, make_invitation, make_round

RESPONSE_COLUMNS = {"id", "round_id", "unit_id", "rater_group", "evaluation_id", "answers"}
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


def test_response_model_has_only_round_unit_group_evaluation_answers():
    names = {f.name for f in Response._meta.concrete_fields}
    assert names == {"id", "round", "unit", "rater_group", "evaluation", "answers"}
    for f in Response._meta.get_fields():
        assert f.related_model not in (Person, Invitation), f.name
        assert not isinstance(f, (models.DateField, models.DateTimeField)), f.name  # no date at all
        assert not any(word in f.name for word in ("person", "invitation", "token", "user")), f.name
    assert isinstance(Response._meta.pk, models.UUIDField)
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
            assert kind not in ("DateTimeField", "DateField", "TimeField"), (table, name)
            assert not any(word in name for word in SUSPECT_WORDS if word not in ("name",)), (table, name)


@pytest.mark.django_db
def test_invitation_keeps_only_a_boolean_and_a_hash():
    found = columns("surveys_invitation")
    assert "answered" in found and found["answered"] == "BooleanField"
    assert not any(kind == "DateTimeField" or kind == "DateField" for kind in found.values())
    # response_unit_id is a unit (where its answers are stored, fixed at launch), never a response.
    assert Invitation._meta.get_field("response_unit").related_model is Unit
    assert not any(
        word in name
        for name in found
        for word in ("response", "answers", "token")
        if name not in ("token_hash", "response_unit_id")
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


# --- Issue 9, class 5b: nothing stored splits respondents in time ----------------------------

IDENTITY_COLUMNS = {"id", "person_id", "token_hash"}  # who the row is, not when they answered


def _raw_rows(table: str, where: str, params: list[object]) -> list[dict[str, object]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE {where}", params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _windows(rows: list[dict[str, object]]) -> dict[tuple[object, ...], int]:
    """The attacker's partition: answered invitations grouped by every stored column that is
    not the person's identity. A group of one is a window that names its respondent."""
    keys = sorted(set(rows[0]) - IDENTITY_COLUMNS)
    groups: dict[tuple[object, ...], int] = {}
    for row in rows:
        key = tuple(row[k] for k in keys)
        groups[key] = groups.get(key, 0) + 1
    return groups


@pytest.mark.django_db
def test_class5b_no_time_or_reminder_field_links_a_respondent(django_capture_on_commit_callbacks):
    """Before the fix, `Invitation.reminders_sent` (0, 1, 2 reminders before answering) and
    `Response.submitted_on` (the day of the answer) split one unit's respondents into
    reminder windows of one person each: the response dated after the second reminder was
    the one person reminded twice who answered. Now responses keep no date, and closing the
    round clears every per-invitation reminder count and e-mail flag, and who answered, in its
    transaction."""
    import re

    from django.core import mail

    from kerne.surveys import services
    from tests.surveys.small_org import build_small_org

    link = re.compile(r"/svar/([A-Za-z0-9_\-]+)/")
    org = build_small_org()
    now = timezone.now()
    round_ = services.round_create(
        actor=None,
        name="Social kapital",
        instrument=shipped_instrument("social_capital"),
        target_unit=org.nursing,  # Sara and 4 employees: 5 invitations, all with e-mail
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=14),
        cut_off_date=timezone.localdate(),
    )

    def tokens_by_address() -> dict[str, str]:
        found = {m.to[0]: link.search(m.body).group(1) for m in mail.outbox}  # type: ignore[union-attr]
        mail.outbox.clear()
        return found

    def answer(token: str) -> None:
        assert response_submit(
            token=token, answers=full_answers(round_.instrument), comments={}, language="da"
        ).stored

    with django_capture_on_commit_callbacks(execute=True):
        services.round_launch(actor=None, round=round_)
    first = tokens_by_address()
    assert len(first) == 5
    people = sorted(first)
    answer(first[people[0]])  # answers at once: 0 reminders
    for person in people[1:3]:  # one answers after the first reminder, one after the second
        with django_capture_on_commit_callbacks(execute=True):
            services.round_remind(actor=None, round=round_)
        answer(tokens_by_address()[person])
    slips = services.paper_codes_issue(actor=None, round=round_, unit=org.nursing, include_emailed=True)
    answer(slips[0].code)  # answers on paper, printed after the second reminder (emailed = false)

    answered = "round_id = %s AND answered"
    windows = _windows(_raw_rows("surveys_invitation", answered, [round_.pk]))
    # The attack's numbers before closing: 4 respondents in 4 windows of one person each.
    assert sorted(windows.values()) == [1, 1, 1, 1]
    reminders = sorted(
        Invitation.objects.filter(round=round_, answered=True).values_list("reminders_sent", "emailed")
    )
    assert reminders == [(0, True), (1, True), (2, False), (2, True)]

    with django_capture_on_commit_callbacks(execute=True):
        services.round_close(actor=None, round=round_)

    # After closing: no invitation says who answered, and all 5 invitations (4 respondents and
    # one who did not answer) are one window, in every stored invitation column (read from the
    # table itself, so a column the model does not know is checked too) ...
    assert _raw_rows("surveys_invitation", answered, [round_.pk]) == []
    assert list(_windows(_raw_rows("surveys_invitation", "round_id = %s", [round_.pk])).values()) == [5]
    everyone = _raw_rows("surveys_invitation", "round_id = %s", [round_.pk])
    assert {(row["reminders_sent"], row["emailed"]) for row in everyone} == {(0, False)}
    # ... and the responses have no column that could date them: each one except its random
    # id and its answers is the same for all 4.
    responses = _raw_rows("surveys_response", "round_id = %s", [round_.pk])
    assert len(responses) == 4 and set(responses[0]) == RESPONSE_COLUMNS
    for name in RESPONSE_COLUMNS - {"id", "answers"}:
        assert len({row[name] for row in responses}) == 1, name
    for name, kind in columns("surveys_invitation").items():
        assert kind not in ("DateField", "DateTimeField", "TimeField"), name


@pytest.mark.django_db
def test_a_round_closed_by_its_date_forgets_reminders_at_the_next_seal_rounds():
    from django.core.management import call_command

    now = timezone.now()
    round_ = make_round(opens_at=now - dt.timedelta(days=15), closes_at=now - dt.timedelta(hours=1))
    running = make_round()
    for target in (round_, running):
        invitation, _token = make_invitation(target)
        Invitation.objects.filter(pk=invitation.pk).update(reminders_sent=2, emailed=True, answered=True)
    call_command("seal_rounds")
    assert list(
        Invitation.objects.filter(round=round_).values_list("reminders_sent", "emailed", "answered")
    ) == [(0, False, False)]
    # A running round still needs them (reminders go to e-mailed, unanswered invitations).
    assert list(
        Invitation.objects.filter(round=running).values_list("reminders_sent", "emailed", "answered")
    ) == [(2, True, True)]
