"""No token in any log (DESIGN §3.2): every log record is redacted as it is created.

A personal answer link carries its token in the address (`/svar/<token>/`; a paper code is
a token too), and Django writes request addresses to its logs: `django.request` for every
4xx and 5xx response ("Not Found: /svar/…/", "Forbidden: …" before a round opens, "Gone: …"
after it closed, "Internal Server Error: …"), `django.server` (runserver) for every
request, and with DEBUG's SQL log (`django.db.backends`) the token hashes are query
parameters. Kerne's own code logs no token and no hash, and its background tasks take a
round id only; this module makes sure no other code's log record carries one either,
whatever the logging configuration:

- `configure` is Django's LOGGING_CONFIG (settings.py): it installs `redacting_factory` as
  the process's log record factory, then applies settings.LOGGING as Django would. So
  every record of every logger is created redacted, before any handler, filter or test
  capture sees it.
- `redact` replaces the token in an answer address with "[token]", and every string of 64
  hex digits (a SHA-256 digest: invitation token hashes, API token hashes, open-survey
  nonce hashes) with "[hash]". Only the message (with its arguments) and the formatted
  exception and stack are redacted: a handler that prints `extra` attributes (such as
  Django's `request`) must be configured with that in mind. Django's `mail_admins`
  handler is one; Kerne sets no ADMINS, so it sends nothing.
"""

from __future__ import annotations

import logging
import logging.config
import re
from typing import Any

# Where kerne/urls.py mounts the answer pages (as kerne/wsgi.py's ANSWER_PATH_PREFIX; a test
# checks both). Not imported from there: importing kerne.wsgi builds the application.
ANSWER_PATH_PREFIX = "/svar/"
# The answer pages that take no token: the paper-code form, the receipt, open links.
_NOT_TOKENS = ("kode", "tak", "aaben")
_ANSWER_ADDRESS = re.compile(
    re.escape(ANSWER_PATH_PREFIX) + r"(?!(?:" + "|".join(_NOT_TOKENS) + r")/)[^/\s?#\"'<>]+"
)
_HEX_DIGEST = re.compile(r"(?<![0-9A-Fa-f])[0-9A-Fa-f]{64}(?![0-9A-Fa-f])")
_ANSWER_REPLACEMENT = ANSWER_PATH_PREFIX + "[token]"
_default_factory = logging.getLogRecordFactory()


def redact(text: str) -> str:
    """`text` without answer-link tokens or hex digests."""
    if ANSWER_PATH_PREFIX in text:
        text = _ANSWER_ADDRESS.sub(_ANSWER_REPLACEMENT, text)
    return _HEX_DIGEST.sub("[hash]", text)


def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    """Django's and Python's usual LogRecord, with its message, exception and stack redacted."""
    record = _default_factory(*args, **kwargs)
    try:
        message = record.getMessage()
    except Exception:  # a malformed format string: left for logging to report
        return record
    clean = redact(message)
    if clean != message:
        record.msg, record.args = clean, ()
    if record.exc_info:
        trace = logging.Formatter().formatException(record.exc_info)
        clean_trace = redact(trace)
        if clean_trace != trace:
            # Formatters use exc_text when it is set, and never format exc_info again.
            record.exc_text = clean_trace
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


def install() -> None:
    """Make every log record of this process redacted (idempotent)."""
    if logging.getLogRecordFactory() is not redacting_factory:
        logging.setLogRecordFactory(redacting_factory)


def configure(config: dict[str, Any]) -> None:
    """LOGGING_CONFIG: redact every record, then configure logging from settings.LOGGING."""
    install()
    logging.config.dictConfig(config)
