"""A leaner submission path for kerne/surveys/submission.py, measured by the rush benchmark.

    RUSH_WSGI_APP=bench.rush.proposal:application python -m bench.rush ...

This is a proposal for the answer pages' owner, not production code: it wraps Kerne's WSGI
application and replaces three functions of `kerne.surveys.submission` at import time, so
the benchmark can show what they cost. Profiling the POST /svar/<token>/ path (a gunicorn
worker under cProfile) showed most of its ~7 ms of CPU in building ORM queries, not in
the database:

1. `instrument_rules(instrument_id)` runs two queries per submission. An instrument's
   items are frozen once a round using it has launched (instrument_save makes a new
   version then), and only launched rounds take answers, so a per-process cache is safe.
2. `find_invitation` selects the invitation with its round, evaluation and unit joined
   and turned into four model objects. The POST needs seven columns of the invitation
   (one fixed SELECT by the unique token hash) and the round's status, dates, languages
   and instrument id; the round changes rarely and the claim below re-checks it in SQL
   anyway, so it can be cached for a few seconds (the GET form loads unit and evaluation
   lazily when it needs their names).
3. The claim (`UPDATE … WHERE answered = false AND round_id IN (open rounds)`) and the
   INSERT of the response are compiled by the ORM on every request; as two fixed SQL
   statements they are the same writes, in the same transaction, with the same result.
   On PostgreSQL, without comments, they are one statement (`WITH claimed AS (UPDATE …
   RETURNING …) INSERT … SELECT … FROM claimed`), atomic on its own, which also saves
   the BEGIN and COMMIT round trips.

Together: ~7 ms → ~2.5 ms of CPU per submission, and the rush on this 2-core machine from
~215 to ~520 accepted/s on SQLite (see the issue note for the measured figures).
"""

from __future__ import annotations

import functools
import time
import uuid
from typing import Any

from django.db import connection, transaction
from django.utils import timezone, translation

from kerne.wsgi import application  # sets Django up: the imports below need it

# isort: split
from kerne.surveys import submission, tokens
from kerne.surveys.models import Comment, Invitation, Round

__all__ = ["application"]

FIND = (
    "SELECT id, token_hash, answered, unit_id, rater_group, evaluation_id, round_id "
    "FROM surveys_invitation WHERE token_hash IN ({}) LIMIT 1"
)
CLAIM = (
    "UPDATE surveys_invitation SET answered = %s WHERE id = %s AND answered = %s AND round_id IN "
    "(SELECT id FROM surveys_round WHERE id = %s AND status = 'open' AND opens_at <= %s AND closes_at > %s)"
)
CLAIM_AND_INSERT = (
    "WITH claimed AS (" + CLAIM + " RETURNING round_id) "
    "INSERT INTO surveys_response (id, round_id, unit_id, rater_group, evaluation_id, submitted_on, answers) "
    "SELECT %s, round_id, %s, %s, %s, %s, %s FROM claimed"
)
INSERT = (
    "INSERT INTO surveys_response (id, round_id, unit_id, rater_group, evaluation_id, submitted_on, answers) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s)"
)


@functools.lru_cache(maxsize=64)
def _round(pk: int, slot: int) -> Round:
    return Round.objects.get(pk=pk)


def find_invitation(token: str) -> Invitation | None:
    if not token or len(token) > 200:
        return None
    hashes = tokens.token_hashes(token)
    with connection.cursor() as cursor:
        cursor.execute(FIND.format(", ".join(["%s"] * len(hashes))), hashes)
        row = cursor.fetchone()
    if row is None:
        return None
    pk, token_hash, answered, unit_id, rater_group, evaluation_id, round_id = row
    invitation = Invitation(
        pk=pk,
        token_hash=token_hash,
        answered=bool(answered),
        unit_id=unit_id,
        rater_group=rater_group,
        evaluation_id=evaluation_id,
        round_id=round_id,
    )
    invitation.round = _round(round_id, int(time.time() // 5))
    return invitation


def response_submit(
    *,
    token: str,
    answers: dict[str, str],
    comments: dict[str, str],
    language: str,
    invitation: Invitation | None = None,
) -> Any:
    with translation.override(language):
        if invitation is None or invitation.token_hash not in tokens.token_hashes(token):
            invitation = find_invitation(token)
        if invitation is None:
            return submission.SubmitResult(submission.UNAVAILABLE, reason=submission.UNKNOWN)
        round_ = invitation.round
        now = timezone.now()
        state = submission.round_state(round_, now)
        if state != "open":
            return submission.SubmitResult(submission.UNAVAILABLE, reason=state)
        if invitation.answered:
            return submission.SubmitResult(submission.ALREADY_ANSWERED)
        items, questions, item_count = submission.instrument_rules(round_.instrument_id)
        checked = submission.validate_submission(items, questions, answers, comments)
        if checked.errors:
            return submission.SubmitResult(submission.INVALID, errors=checked.errors)
        packed = submission.pack_answers(checked.answers, item_count)
        response_id: Any = uuid.uuid4().hex if connection.vendor == "sqlite" else uuid.uuid4()
        if connection.vendor == "postgresql" and not checked.comments:
            # One statement, atomic on its own: claim the invitation and insert the response
            # only if the claim succeeded (no BEGIN/COMMIT round trips).
            with connection.cursor() as cursor:
                cursor.execute(
                    CLAIM_AND_INSERT,
                    [
                        True,
                        invitation.pk,
                        False,
                        round_.pk,
                        now,
                        now,
                        response_id,
                        invitation.unit_id,
                        invitation.rater_group,
                        invitation.evaluation_id,
                        timezone.localdate(),
                        packed,
                    ],
                )
                if cursor.rowcount == 0:
                    return submission._why_not_claimed(invitation.pk, now)
            return submission.SubmitResult(submission.STORED)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(CLAIM, [True, invitation.pk, False, round_.pk, now, now])
                if cursor.rowcount == 0:
                    return submission._why_not_claimed(invitation.pk, now)
                cursor.execute(
                    INSERT,
                    [
                        response_id,
                        round_.pk,
                        invitation.unit_id,
                        invitation.rater_group,
                        invitation.evaluation_id,
                        timezone.localdate(),
                        packed,
                    ],
                )
            if checked.comments:
                Comment.objects.bulk_create(
                    [
                        Comment(
                            question_id=question,
                            text=text,
                            round_id=round_.pk,
                            unit_id=invitation.unit_id,
                            rater_group=invitation.rater_group,
                            evaluation_id=invitation.evaluation_id,
                        )
                        for question, text in checked.comments.items()
                    ]
                )
    return submission.SubmitResult(submission.STORED)


submission.instrument_rules = functools.lru_cache(maxsize=64)(submission.instrument_rules)
submission.find_invitation = find_invitation
submission.response_submit = response_submit
