"""No token, and no token hash, in any log or task queue (DESIGN §3.2; issue 9, class 5d).

A whole round runs as in production, with the database task queue and its worker: launch
(invitation e-mails), the answer page before the round opens (403), paper codes, a
reminder, "Mine målinger"'s "Svar nu", answers through the answer pages, a reused and an
unknown link, close (sealing), the answer page after close (410). Meanwhile every log
record of every logger is captured at DEBUG level (with the SQL log on, as in DEBUG),
and so is everything written to stdout and stderr. Afterwards no token that was ever
e-mailed or printed, nor its hash, appears in any of it, nor in any row of the task
queue (arguments, return values, tracebacks). The e-mails themselves are where the
tokens belong; they are read only to learn the tokens.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kerne import logredact, wsgi
from kerne.organisation.seed import load_pipeline_levels
from kerne.surveys import services, submission
from kerne.surveys.instruments import shipped_instrument
from kerne.surveys.models import Invitation, Round, hash_secret
from kerne.surveys.tokens import format_paper_code
from tests.factories import make_user
from tests.surveys.factories import full_answers
from tests.surveys.small_org import build_small_org

LINK = re.compile(r"/svar/([A-Za-z0-9_\-]+)/")


class _Everything(logging.Handler):
    """Keeps every record it is given, formatted as a handler would write it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.lines.append(self.format(record))


@pytest.fixture
def every_log_record(caplog: pytest.LogCaptureFixture) -> Iterator[_Everything]:
    """Every logger at DEBUG, its records kept: caplog at the root, and a handler on each
    logger that does not pass its records up (django.server, …). SQL is logged as in DEBUG."""
    caplog.set_level(logging.DEBUG)
    handler = _Everything()
    loggers = [logging.getLogger()] + [
        logger for logger in logging.root.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    saved = [(logger, logger.level, logger.disabled) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
        if logger is logging.getLogger() or not logger.propagate:
            logger.addHandler(handler)
    connection.force_debug_cursor = True
    try:
        yield handler
    finally:
        connection.force_debug_cursor = False
        for logger, level, disabled in saved:
            logger.setLevel(level)
            logger.disabled = disabled
            logger.removeHandler(handler)


def _tokens_from(messages: list[mail.EmailMessage]) -> list[str]:
    found = []
    for message in messages:
        match = LINK.search(str(message.body))
        assert match is not None
        found.append(match.group(1))
    return found


def _work() -> None:
    """What `kerne db_worker` does: run every queued task, then stop."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")


# The worker takes its tasks in transactions of its own, as it does in production.
@pytest.mark.django_db(transaction=True)
def test_no_token_nor_its_hash_in_any_log_or_task_row(every_log_record, capfd, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    load_pipeline_levels(apps)  # a transactional test starts from flushed tables
    org = build_small_org()
    employee = org.staff["north"][0]
    user = make_user("nord1", person=employee)
    now = timezone.now()
    round_ = services.round_create(
        actor=None,
        name="Trivsel",
        instrument=shipped_instrument("social_capital"),
        target_unit=org.health,
        opens_at=now + dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=14),
        cut_off_date=timezone.localdate(),
    )
    answers = {f"q-{key}": value for key, value in full_answers(round_.instrument).items()}
    answer_client = Client()
    secrets: list[str] = []

    # Launch: the e-mails go out from the worker, with a token each.
    services.round_launch(actor=None, round=round_)
    assert DBTaskResult.objects.exists()
    _work()
    invited = _tokens_from(mail.outbox)
    assert len(invited) == 19
    secrets += invited
    mail.outbox.clear()
    # Too early: the page refuses (403), and Django logs refused requests with their address.
    assert answer_client.get(reverse("answer:token", kwargs={"token": invited[0]})).status_code == 403

    Round.objects.filter(pk=round_.pk).update(opens_at=now - dt.timedelta(hours=1))
    round_.refresh_from_db()
    submission._round_snapshot.cache_clear()  # the answer pages' few seconds of round cache
    # Paper codes for those without e-mail: the code is a token too.
    slips = services.paper_codes_issue(actor=None, round=round_, unit=org.homecare)
    assert len(slips) == 2
    secrets += [slip.code for slip in slips] + [format_paper_code(slip.code) for slip in slips]
    # A reminder: every unanswered invitation gets a fresh link.
    services.round_remind(actor=None, round=round_)
    _work()
    reminded = _tokens_from(mail.outbox)
    assert len(reminded) == 19
    secrets += reminded
    mail.outbox.clear()

    # "Mine målinger": a logged-in employee's "Svar nu" mints a fresh token on the way.
    own = Invitation.objects.get(round=round_, person=employee)
    employee_client = Client()
    employee_client.force_login(user)
    response = employee_client.post(reverse("surveys:my_survey_answer", args=[own.pk]))
    assert response.status_code == 303
    fresh = LINK.search(response["Location"])
    assert fresh is not None
    secrets.append(fresh.group(1))
    assert employee_client.post(response["Location"], answers).status_code == 303

    # Answers through the answer pages: by link, by paper code, a reused link, an unknown one.
    for token in reminded[:8]:
        page = reverse("answer:token", kwargs={"token": token})
        if answer_client.get(page).status_code == 200:
            assert answer_client.post(page, answers).status_code == 303
    code_page = reverse("answer:code")
    response = answer_client.post(code_page, {"kode": format_paper_code(slips[0].code)})
    assert response.status_code == 303
    assert answer_client.post(response["Location"], answers).status_code == 303
    assert answer_client.get(reverse("answer:token", kwargs={"token": reminded[0]})).status_code == 200
    assert answer_client.get(reverse("answer:token", kwargs={"token": invited[1]})).status_code == 404

    # Close: sealing runs in the worker; a link still unused is refused after close (410).
    unused = next(
        reverse("answer:token", kwargs={"token": token})
        for token in reminded[8:]
        if answer_client.get(reverse("answer:token", kwargs={"token": token})).status_code == 200
    )
    services.round_close(actor=None, round=round_)
    _work()
    submission._round_snapshot.cache_clear()
    assert answer_client.get(unused).status_code == 410

    # What the runserver would log for a request to an answer page (django.server).
    logging.getLogger("django.server").info('"%s" %s %s', f"GET {unused} HTTP/1.1", "410", "512")

    needles = sorted({*secrets, *(hash_secret(s) for s in secrets)})
    assert len(needles) == 2 * len(set(secrets))
    records = every_log_record.records
    assert any(r.name == "django.request" and r.levelno == logging.WARNING for r in records)
    assert any(r.name == "django.db.backends" for r in records)
    assert any(r.name.startswith("django_tasks") for r in records)
    logged = "\n".join([*every_log_record.lines, *(r.getMessage() for r in records), capfd_text(capfd)])
    queue = [
        repr((row.args_kwargs, row.return_value, row.traceback, row.exception_class_path, row.task_path))
        for row in DBTaskResult.objects.all()
    ]
    assert len(queue) == 3 and all(row.status == "SUCCESSFUL" for row in DBTaskResult.objects.all())
    leaks = [needle for needle in needles if needle in logged or any(needle in row for row in queue)]
    assert len(leaks) == 0, "tokens or hashes found in the logs or the task queue"  # not printed
    # The refused requests (403, 404, 410) and runserver's line were logged, redacted.
    assert logged.count("/svar/[token]/") >= 4


def capfd_text(capfd: pytest.CaptureFixture[str]) -> str:
    out, err = capfd.readouterr()
    return out + err


@pytest.mark.django_db
def test_the_redaction_knows_where_the_answer_pages_are():
    assert wsgi.ANSWER_PATH_PREFIX == logredact.ANSWER_PATH_PREFIX
    assert reverse("answer:token", kwargs={"token": "x"}).startswith(logredact.ANSWER_PATH_PREFIX)
    assert logging.getLogRecordFactory() is logredact.redacting_factory
    assert logredact.redact("Not Found: /svar/AbC-d_9/") == "Not Found: /svar/[token]/"
    assert (
        logredact.redact("/svar/kode/ /svar/tak/ /svar/aaben/slug/")
        == "/svar/kode/ /svar/tak/ /svar/aaben/slug/"
    )
    assert logredact.redact("x = '" + "0a" * 32 + "'") == "x = '[hash]'"
