"""The development outbox: e-mail that Django's file backend wrote to EMAIL_FILE_PATH.

In DEBUG (`make run`) Kerne delivers e-mail to files under var/outbox/ instead of sending
it, and never to a log: an invitation holds a live answer link (DESIGN §3.2). The file
backend writes one file per connection, each holding one or more messages separated by a
line of 79 dashes. This module reads them back for the admin's outbox page
(views.outbox, DEBUG only).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

from django.conf import settings

# Written by django.core.mail.backends.filebased: "%Y%m%d-%H%M%S-<number>.log".
FILE_NAME = re.compile(r"^[0-9]{8}-[0-9]{6}-[0-9]+\.log$")
_SEPARATOR = re.compile(rb"^-{79}\r?\n", re.MULTILINE)


@dataclass(frozen=True)
class Message:
    file: str
    index: int  # position within its file
    subject: str
    to: str
    sent: dt.datetime | None
    body: str


def folder() -> Path | None:
    path = getattr(settings, "EMAIL_FILE_PATH", None)
    return Path(path) if path else None


def _parse(file: str, index: int, raw: bytes) -> Message:
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(parsed, EmailMessage)
    sent = None
    if parsed["Date"]:
        try:
            sent = parsedate_to_datetime(str(parsed["Date"]))
        except (TypeError, ValueError):
            sent = None
    part = parsed.get_body(preferencelist=("plain",))
    body = part.get_content() if isinstance(part, EmailMessage) else ""
    return Message(
        file=file,
        index=index,
        subject=str(parsed["Subject"] or ""),
        to=str(parsed["To"] or ""),
        sent=sent,
        body=str(body),
    )


def _messages_in(path: Path) -> list[Message]:
    chunks = [c for c in _SEPARATOR.split(path.read_bytes()) if c.strip()]
    return [_parse(path.name, i, chunk) for i, chunk in enumerate(chunks)]


def messages() -> list[Message]:
    """Every message in the outbox, newest first."""
    base = folder()
    if base is None or not base.is_dir():
        return []
    found = [m for path in base.iterdir() if FILE_NAME.match(path.name) for m in _messages_in(path)]
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
    return sorted(found, key=lambda m: (m.sent or oldest, m.file, m.index), reverse=True)


def message(file: str, index: int) -> Message | None:
    """One message, by its file's name (only a name the file backend writes) and position."""
    base = folder()
    if base is None or not FILE_NAME.match(file):
        return None
    path = base / file
    if not path.is_file():
        return None
    found = _messages_in(path)
    return found[index] if 0 <= index < len(found) else None
