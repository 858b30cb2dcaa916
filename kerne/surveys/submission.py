"""Submitting an answer: validate, then store anonymously in one transaction.

`validate_submission` is pure (plain data in, plain data out). `response_submit` and
`open_response_submit` are the services: in ONE transaction they first claim the right
to answer with a conditional write, then insert the response and its comments:

- personal (token) answers: ``UPDATE invitation SET answered = true WHERE id = ? AND
  answered = false AND round_id IN (open rounds)``; 0 rows updated means someone already
  answered with this token (double click, retry, back button, two tabs racing): nothing
  is stored and the respondent is told kindly. The row lock taken by the UPDATE makes a
  concurrent second submit wait and then match 0 rows, on SQLite and PostgreSQL alike.
- open links: ``INSERT INTO opensubmission (nonce_hash)``; the unique key refuses the
  same form twice.

What is stored follows DESIGN §3.1–3.2: round, unit, rater group (and evaluation in
360), the packed answers, and comments in their own rows with no link to the response.
Nothing is written about who answered or when — no date, not even an audit row: a stored
time would split respondents into windows that a reminder or a login could name.

The unit stored is the invitation's response unit: its own, or the nearest one above
whose subtree had k invitations at launch (kerne/surveys/pooling.py). On SQLite the claim
and the response share a commit in the write-ahead log until the log is emptied, within
seconds of the commit (kerne/surveys/journal.py, called once the transaction commits).
"""

from __future__ import annotations

import contextlib
import functools
import hmac
import secrets
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import BaseCache, caches
from django.db import IntegrityError, connection, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kerne.cache import SHARED as SHARED_CACHE
from kerne.client_ip import rate_limit_subject
from kerne.surveys import journal
from kerne.surveys.models import (
    Comment,
    FreeTextQuestion,
    Invitation,
    Item,
    OpenLink,
    OpenSubmission,
    Response,
    Round,
    hash_secret,
)
from kerne.surveys.packing import pack_answers
from kerne.surveys.scales import DONT_KNOW, parse_answer
from kerne.surveys.selectors import open_round_condition
from kerne.surveys.tokens import token_hashes

COMMENT_LIMIT = 2000
NONCE_LIMIT = 128
# Open links: the form's nonce is signed for its round (new_nonce) and accepted this long.
NONCE_SALT = "kerne.surveys.open-nonce"
NONCE_MAX_AGE_SECONDS = 12 * 3600
NONCE_OK = "ok"
NONCE_EXPIRED = "expired"
NONCE_INVALID = "invalid"
GENERAL = "__all__"  # errors that belong to no single field

# Open links: at most this many submissions per client address per window (DESIGN: rate-limited),
# counted in the cache all workers share.
OPEN_RATE_LIMIT = 20
OPEN_RATE_WINDOW_SECONDS = 600

STORED = "stored"
ALREADY_ANSWERED = "already_answered"
INVALID = "invalid"
UNAVAILABLE = "unavailable"

# Reasons a survey cannot be answered (status UNAVAILABLE)
UNKNOWN = "unknown"  # no such token or link
NOT_OPEN_YET = "not_open_yet"
CLOSED = "closed"


@dataclass(frozen=True)
class SubmitResult:
    """What became of a submission.

    `status` is STORED, ALREADY_ANSWERED, INVALID (then `errors` maps each field, an item
    or free-text key, or GENERAL, to its messages) or UNAVAILABLE (then `reason` is
    UNKNOWN, NOT_OPEN_YET or CLOSED). Only STORED wrote anything.
    """

    status: str
    errors: dict[str, list[str]] = field(default_factory=dict)
    reason: str = ""
    renew_nonce: bool = False  # open links: the form's nonce was refused; send a new one

    @property
    def stored(self) -> bool:
        return self.status == STORED

    @property
    def already_answered(self) -> bool:
        return self.status == ALREADY_ANSWERED

    @property
    def invalid(self) -> bool:
        return self.status == INVALID

    @property
    def unavailable(self) -> bool:
        return self.status == UNAVAILABLE


# --- Pure rules --------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemRule:
    key: str
    position: int
    optional: bool = False


@dataclass(frozen=True)
class QuestionRule:
    key: str
    id: int


@dataclass(frozen=True)
class Validated:
    answers: dict[int, int]  # item position → option 1…5 or 0 ("don't know")
    comments: dict[int, str]  # free-text question id → text (empty ones dropped)
    errors: dict[str, list[str]]


def round_availability(*, status: str, opens_at: Any, closes_at: Any, now: Any) -> str:
    """ "open", NOT_OPEN_YET (draft, or before opening) or CLOSED (closed, or past closing)."""
    if status == Round.Status.CLOSED or now >= closes_at:
        return CLOSED
    if status != Round.Status.OPEN or now < opens_at:
        return NOT_OPEN_YET
    return "open"


def round_state(round: Round, now: Any) -> str:
    """`round_availability` of a stored round."""
    return round_availability(
        status=round.status, opens_at=round.opens_at, closes_at=round.closes_at, now=now
    )


def clean_comment(text: str) -> str:
    """Strip surrounding white space and characters no database stores (NUL)."""
    return text.replace("\x00", "").strip()


def validate_submission(
    items: list[ItemRule],
    questions: list[QuestionRule],
    answers: Mapping[str, str],
    comments: Mapping[str, str],
) -> Validated:
    """Check submitted answers against the instrument. Every problem is reported.

    - an answer must be one of the scale's values "1".."5" or "0" (don't know);
    - every item that is not optional needs an answer ("don't know" counts as one);
    - a comment may be at most COMMENT_LIMIT characters; empty comments are dropped;
    - a key that is no item or question of the instrument (a forged form) is an error.
    """
    errors: dict[str, list[str]] = {}
    by_key = {item.key: item for item in items}
    question_by_key = {question.key: question for question in questions}
    packed: dict[int, int] = {}

    unknown = sorted(set(answers) - set(by_key)) + sorted(set(comments) - set(question_by_key))
    if unknown:
        errors.setdefault(GENERAL, []).append(
            ngettext(
                "Besvarelsen indeholder et spørgsmål, som ikke findes i spørgeskemaet: %(keys)s.",
                "Besvarelsen indeholder spørgsmål, som ikke findes i spørgeskemaet: %(keys)s.",
                len(unknown),
            )
            % {"keys": ", ".join(unknown)}
        )
    for item in items:
        raw = answers.get(item.key)
        if raw is None or str(raw).strip() == "":
            if not item.optional:
                errors.setdefault(item.key, []).append(
                    _("Vælg et svar. Vælg “Ved ikke / ikke relevant”, hvis du ikke kan svare.")
                )
            continue
        value = parse_answer(str(raw))
        if value is None:
            errors.setdefault(item.key, []).append(_("Svaret skal være en af svarmulighederne."))
            continue
        if value != DONT_KNOW:
            packed[item.position] = value
    cleaned: dict[int, str] = {}
    for question in questions:
        text = clean_comment(str(comments.get(question.key) or ""))
        if len(text) > COMMENT_LIMIT:
            errors.setdefault(question.key, []).append(
                _("Skriv højst %(limit)s tegn. Din tekst har %(length)s tegn.")
                % {
                    "limit": formats.number_format(COMMENT_LIMIT, force_grouping=True),
                    "length": formats.number_format(len(text), force_grouping=True),
                }
            )
        elif text:
            cleaned[question.id] = text
    return Validated(answers=packed, comments=cleaned, errors=errors)


def _nonce_signer(round_id: int) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"{NONCE_SALT}:{round_id}")


def new_nonce(round_id: int) -> str:
    """The value an open survey's form carries, issued by the server for one round.

    Random (so a resubmitted form is recognised: its hash is stored once, OpenSubmission),
    signed for the round with the time it was issued (TimestampSigner), so only a form this
    server gave out in the last NONCE_MAX_AGE_SECONDS is accepted. The time is in the value
    the browser holds, never stored: the database keeps only the value's hash.
    """
    return _nonce_signer(round_id).sign(secrets.token_urlsafe(16))


def nonce_state(nonce: str, round_id: int) -> str:
    """NONCE_OK, NONCE_EXPIRED (issued for this round too long ago) or NONCE_INVALID."""
    if not nonce or len(nonce) > NONCE_LIMIT:
        return NONCE_INVALID
    try:
        _nonce_signer(round_id).unsign(nonce, max_age=NONCE_MAX_AGE_SECONDS)
    except signing.SignatureExpired:
        return NONCE_EXPIRED
    except signing.BadSignature:
        return NONCE_INVALID
    return NONCE_OK


def nonce_error(state: str) -> str:
    if state == NONCE_EXPIRED:
        return _(
            "Siden har været åben i mere end %(hours)s timer, og formularen er udløbet. Du har fået "
            "en ny, og dine svar står stadig herunder: send dem igen."
        ) % {"hours": NONCE_MAX_AGE_SECONDS // 3600}
    return _(
        "Formularen kunne ikke genkendes. Du har fået en ny, og dine svar står stadig herunder: "
        "send dem igen."
    )


# --- Services ----------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def instrument_rules(instrument_id: int) -> tuple[list[ItemRule], list[QuestionRule], int]:
    """The items (in position order), free-text questions and item count of an instrument.

    Cached per process: only open rounds take answers, and an instrument used by a
    launched round is frozen (a changed questionnaire becomes a new version with a new id).
    """
    items = [
        ItemRule(key, position, optional)
        for key, position, optional in Item.objects.filter(instrument_id=instrument_id)
        .order_by("position")
        .values_list("key", "position", "optional")
    ]
    questions = [
        QuestionRule(key, pk)
        for key, pk in FreeTextQuestion.objects.filter(instrument_id=instrument_id)
        .order_by("position")
        .values_list("key", "id")
    ]
    return items, questions, len(items)


# The personal submission is the hot path of a survey rush (bench/rush): Monday 9:00,
# everyone answers at once. Its reads and writes are fixed SQL statements rather than ORM
# queries, because building the ORM queries cost more CPU than the database work itself
# (profiled: ~7 ms → ~2.5 ms per submission). The statements are the same ones the ORM
# would send; the claim still re-checks the round in SQL.
_FIND_INVITATION = (
    "SELECT id, token_hash, answered, unit_id, response_unit_id, rater_group, evaluation_id, round_id "
    f"FROM {Invitation._meta.db_table} WHERE token_hash IN ({{}}) LIMIT 1"
)
_CLAIM = (
    f"UPDATE {Invitation._meta.db_table} SET answered = %s WHERE id = %s AND answered = %s "
    f"AND round_id IN (SELECT id FROM {Round._meta.db_table} "
    "WHERE id = %s AND status = %s AND opens_at <= %s AND closes_at > %s)"
)
_INSERT_RESPONSE = (
    f"INSERT INTO {Response._meta.db_table} "
    "(id, round_id, unit_id, rater_group, evaluation_id, answers) "
    "VALUES (%s, %s, %s, %s, %s, %s)"
)
_INSERT_COMMENT = (
    f"INSERT INTO {Comment._meta.db_table} "
    "(id, round_id, unit_id, rater_group, evaluation_id, question_id, text) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s)"
)
# On PostgreSQL, claim and insert fit in one statement, atomic on its own (no BEGIN/COMMIT
# round trips): the INSERT happens only if the UPDATE claimed the invitation. The casts
# type the parameters of the SELECT list, which the server binds (see `_statement_cursor`).
_CLAIM_AND_INSERT = (
    f"WITH claimed AS ({_CLAIM} RETURNING round_id) "
    f"INSERT INTO {Response._meta.db_table} "
    "(id, round_id, unit_id, rater_group, evaluation_id, answers) "
    "SELECT %s::uuid, round_id, %s::bigint, %s::varchar, %s::bigint, %s::bytea FROM claimed"
)
ROUND_CACHE_SECONDS = 5


@functools.lru_cache(maxsize=64)
def _round_snapshot(pk: int, time_slot: int) -> Round:
    """A round as read at most ROUND_CACHE_SECONDS ago. Pages use it to say whether the round
    is open; the claim re-checks status and dates in the database, so a round closed a
    moment ago can never take an answer."""
    return Round.objects.get(pk=pk)


@contextlib.contextmanager
def _statement_cursor() -> Iterator[Any]:
    """A cursor for the fixed statements above.

    On PostgreSQL the parameters are bound by the server (a psycopg `Cursor`, where
    Django's default cursor merges them into the SQL text on the client), so with
    `prepare_threshold` set on the connection (settings.py) each statement is parsed and
    planned once per connection, and the packed answers travel as bytes rather than as
    quoted text; Django's wrapper keeps its error translation. Elsewhere, and while Django
    logs queries (DEBUG, or a test capturing them, where the log should read as plain
    SQL), it is Django's usual cursor.
    """
    if connection.vendor != "postgresql" or connection.queries_logged:
        with connection.cursor() as cursor:
            yield cursor
        return
    import psycopg

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        raw = psycopg.Cursor(connection.connection)
    # django-stubs types the argument as a CursorWrapper; Django passes the driver's cursor.
    with connection.make_cursor(raw) as cursor:  # type: ignore[arg-type]
        yield cursor


def find_invitation(token: str) -> Invitation | None:
    """The invitation a token (or a typed paper code) belongs to, with its round."""
    if not token or len(token) > 200:
        return None
    hashes = token_hashes(token)
    with _statement_cursor() as cursor:
        cursor.execute(_FIND_INVITATION.format(", ".join(["%s"] * len(hashes))), hashes)
        row = cursor.fetchone()
    if row is None:
        return None
    pk, token_hash, answered, unit_id, response_unit_id, rater_group, evaluation_id, round_id = row
    invitation = Invitation(
        pk=pk,
        token_hash=token_hash,
        answered=bool(answered),
        unit_id=unit_id,
        response_unit_id=response_unit_id,
        rater_group=rater_group,
        evaluation_id=evaluation_id,
        round_id=round_id,
    )
    invitation.round = _round_snapshot(round_id, int(time.time() // ROUND_CACHE_SECONDS))
    return invitation


def response_submit(
    *,
    token: str,
    answers: dict[str, str],
    comments: dict[str, str],
    language: str,
    invitation: Invitation | None = None,
) -> SubmitResult:
    """Store one personal answer, or say why not. See the module docstring.

    `invitation` may be passed when the caller has just looked it up by this token
    (saves a query); the claim below is made on the database row either way.
    """
    with translation.override(language or settings.LANGUAGE_CODE):
        if invitation is None or invitation.token_hash not in token_hashes(token):
            invitation = find_invitation(token)
        if invitation is None:
            return SubmitResult(UNAVAILABLE, reason=UNKNOWN)
        round = invitation.round
        now = timezone.now()
        state = round_state(round, now)
        if state != "open":
            return SubmitResult(UNAVAILABLE, reason=state)
        if invitation.answered:
            return SubmitResult(ALREADY_ANSWERED)
        items, questions, item_count = instrument_rules(round.instrument_id)
        checked = validate_submission(items, questions, answers, comments)
        if checked.errors:
            return SubmitResult(INVALID, errors=checked.errors)
        packed = pack_answers(checked.answers, item_count)
        # Stored on the invitation's response unit (pooling.py), or its unit in 360 rounds and
        # in rounds launched before pooling.
        unit_id = invitation.response_unit_id or invitation.unit_id
        claim: list[Any] = [True, invitation.pk, False, round.pk, Round.Status.OPEN, now, now]
        if connection.vendor == "postgresql" and not checked.comments:
            with _statement_cursor() as cursor:
                cursor.execute(
                    _CLAIM_AND_INSERT,
                    [
                        *claim,
                        _new_id(),
                        unit_id,
                        invitation.rater_group,
                        invitation.evaluation_id,
                        packed,
                    ],
                )
                if cursor.rowcount == 0:
                    return _why_not_claimed(invitation.pk, now)
            return SubmitResult(STORED)
        with transaction.atomic(), _statement_cursor() as cursor:
            cursor.execute(_CLAIM, claim)
            if cursor.rowcount == 0:
                return _why_not_claimed(invitation.pk, now)
            _store(
                cursor,
                round_id=round.pk,
                unit_id=unit_id,
                rater_group=invitation.rater_group,
                evaluation_id=invitation.evaluation_id,
                packed=packed,
                comments=checked.comments,
            )
            transaction.on_commit(journal.after_submission)
    return SubmitResult(STORED)


def _new_id() -> Any:
    """A random UUID4 as the database column takes it (DESIGN §3.1: ids are not sequential).

    Django keeps UUIDs as 32 hex characters on SQLite and as the native uuid type elsewhere.
    """
    return uuid.uuid4().hex if connection.vendor == "sqlite" else uuid.uuid4()


def _why_not_claimed(invitation_pk: int, now: Any) -> SubmitResult:
    invitation = Invitation.objects.select_related("round").get(pk=invitation_pk)
    round = invitation.round
    state = round_state(round, now)
    if state != "open":
        return SubmitResult(UNAVAILABLE, reason=state)
    return SubmitResult(ALREADY_ANSWERED)


def find_open_link(slug: str) -> OpenLink | None:
    if not slug or len(slug) > 32:
        return None
    return (
        OpenLink.objects.select_related("round", "unit")
        .filter(slug=slug, round__mode=Round.Mode.OPEN_LINK)
        .first()
    )


def open_response_submit(
    *, slug: str, nonce: str, answers: dict[str, str], comments: dict[str, str], language: str
) -> SubmitResult:
    """Store one answer to an open (link) survey for the link's unit, rater group citizen.

    `nonce` is the value the server issued with the form (new_nonce); it is accepted once,
    for the link's round, within NONCE_MAX_AGE_SECONDS. A refused nonce is INVALID with
    `renew_nonce` set: the form is shown again with the answers and a fresh nonce.
    """
    with translation.override(language or settings.LANGUAGE_CODE):
        link = find_open_link(slug)
        if link is None:
            return SubmitResult(UNAVAILABLE, reason=UNKNOWN)
        round = link.round
        now = timezone.now()
        state = round_state(round, now)
        if state != "open":
            return SubmitResult(UNAVAILABLE, reason=state)
        nonce_checked = nonce_state(nonce, round.pk)
        items, questions, item_count = instrument_rules(round.instrument_id)
        checked = validate_submission(items, questions, answers, comments)
        if nonce_checked != NONCE_OK:  # with whatever else needs fixing, so it is said once
            errors = {**checked.errors}
            errors[GENERAL] = [nonce_error(nonce_checked), *errors.get(GENERAL, [])]
            return SubmitResult(INVALID, errors=errors, renew_nonce=True)
        if checked.errors:
            return SubmitResult(INVALID, errors=checked.errors)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    OpenSubmission.objects.create(nonce_hash=hash_secret(nonce), round_id=round.pk)
            except IntegrityError:
                return SubmitResult(ALREADY_ANSWERED)
            if not Round.objects.filter(open_round_condition(now), pk=round.pk).exists():
                transaction.set_rollback(True)
                return SubmitResult(UNAVAILABLE, reason=CLOSED)
            with _statement_cursor() as cursor:
                _store(
                    cursor,
                    round_id=round.pk,
                    unit_id=link.unit_id,
                    rater_group="citizen",
                    evaluation_id=None,
                    packed=pack_answers(checked.answers, item_count),
                    comments=checked.comments,
                )
            transaction.on_commit(journal.after_submission)
    return SubmitResult(STORED)


def _store(
    cursor: Any,
    *,
    round_id: int,
    unit_id: int,
    rater_group: str,
    evaluation_id: int | None,
    packed: bytes,
    comments: dict[int, str],
) -> None:
    """INSERT the response and its comments: no person, no token, no time, random ids."""
    cursor.execute(_INSERT_RESPONSE, [_new_id(), round_id, unit_id, rater_group, evaluation_id, packed])
    for question_id, text in comments.items():
        cursor.execute(
            _INSERT_COMMENT, [_new_id(), round_id, unit_id, rater_group, evaluation_id, question_id, text]
        )


# --- Rate limit for open links -----------------------------------------------------------


def open_rate_limited(client_address: str, *, cache: BaseCache | None = None) -> bool:
    """Count one open-survey submission from this client; True when over the limit.

    `client_address` is the client's, read through the trusted proxies (kerne/client_ip.py);
    an IPv6 client counts by its /64 network. The count lives in the cache every worker
    shares (``caches["shared"]``, kerne/cache.py), under a keyed hash of the address, and
    expires at the end of its window: no address is stored, and no time finer than the window.
    """
    store = cache if cache is not None else caches[SHARED_CACHE]
    subject = rate_limit_subject(client_address)
    digest = hmac.new(settings.SECRET_KEY.encode(), subject.encode(), "sha256").hexdigest()[:32]
    now = int(timezone.now().timestamp())
    window = now // OPEN_RATE_WINDOW_SECONDS
    remaining = (window + 1) * OPEN_RATE_WINDOW_SECONDS - now
    key = f"kerne:open-rate:{digest}:{window}"
    # Count first: a client seen before in this window is one locked UPDATE, and a database
    # cache is not asked to insert a key it already holds (an error in PostgreSQL's log).
    try:
        count = store.incr(key)
    except ValueError:  # the client's first submission in this window
        if store.add(key, 1, timeout=remaining):
            return False
        try:  # another worker counted the client's first one at the same moment
            count = store.incr(key)
        except ValueError:
            return False
    return int(count) > OPEN_RATE_LIMIT
