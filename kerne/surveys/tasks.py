"""Background work for rounds: invitation e-mails, reminders and sealing (django-tasks).

The tasks take a round id only. Each e-mail carries a personal link with a token drawn
*here*, at sending time; only its hash is stored (DESIGN §3.2), so the token exists in
plain text in the e-mail alone, never in the database, the task queue or a log.

Order per batch: draw tokens, send the e-mails, then store the hashes in one short
transaction (a long SMTP conversation never holds the database's write lock, which the
survey rush needs). An e-mail that could not be sent leaves its invitation's previous
token in force. A person who clicks within the second between sending and storing sees
"unknown link" and can simply try again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from kerne.i18n import localized
from kerne.surveys import tokens
from kerne.surveys.models import Invitation, Round, hash_secret

logger = logging.getLogger(__name__)

BATCH = 25


def answer_url(token: str) -> str:
    """The public address of a personal answer page (also what the QR codes encode)."""
    return settings.KERNE_BASE_URL.rstrip("/") + reverse("answer:token", kwargs={"token": token})


@dataclass(frozen=True)
class _Outgoing:
    invitation_id: int
    token: str
    message: EmailMessage


def _message(round: Round, invitation: Invitation, token: str, kind: str) -> EmailMessage:
    languages = [code for code in (round.languages or ["da"]) if code in dict(settings.LANGUAGES)] or ["da"]
    parts = []
    subjects = []
    for language in languages:
        with translation.override(language):
            context = {
                "round": round,
                "instrument_name": localized(round.instrument, "name", language),
                "person_name": invitation.person.name if invitation.person else "",
                "leader_name": invitation.evaluation.leader_name if invitation.evaluation else "",
                "rater_group": invitation.rater_group,
                "link": answer_url(token),
                "closes_at": round.closes_at,
                "municipality": settings.KERNE_MUNICIPALITY,
                "kind": kind,
            }
            parts.append(render_to_string("surveys/email/invitation.txt", context).strip())
            subjects.append(render_to_string("surveys/email/subject.txt", context).strip().replace("\n", " "))
    assert invitation.person is not None
    return EmailMessage(
        subject=" / ".join(dict.fromkeys(subjects)),
        body="\n\n-----\n\n".join(parts) + "\n",
        to=[invitation.person.email],
    )


def _send(round: Round, invitations: Iterable[Invitation], kind: str) -> int:
    """Send one e-mail per invitation with a fresh token; returns how many went out."""
    sent = 0
    batch: list[Invitation] = []

    def flush() -> None:
        nonlocal sent
        outgoing = []
        for invitation in batch:
            token = tokens.new_token()
            outgoing.append(_Outgoing(invitation.pk, token, _message(round, invitation, token, kind)))
        delivered: list[_Outgoing] = []
        connection = get_connection()
        try:
            connection.open()
            for item in outgoing:
                try:
                    if connection.send_messages([item.message]):
                        delivered.append(item)
                except Exception:
                    logger.exception("survey e-mail to invitation %s failed", item.invitation_id)
        finally:
            connection.close()
        with transaction.atomic():
            # Only until the round closes (it may not have opened yet): afterwards its invitations
            # no longer say who answered (sealing.forget_respondents), and they must not start
            # counting reminders again. A link e-mailed in the last moment then simply does not work.
            not_closed = Round.objects.filter(status=Round.Status.OPEN, closes_at__gt=timezone.now())
            for item in delivered:
                changes: dict[str, Any] = {"token_hash": hash_secret(item.token), "emailed": True}
                if kind == "reminder":
                    changes["reminders_sent"] = F("reminders_sent") + 1
                sent += Invitation.objects.filter(
                    pk=item.invitation_id, answered=False, round_id__in=not_closed.values("pk")
                ).update(**changes)
        batch.clear()

    for invitation in invitations:
        batch.append(invitation)
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    return sent


@task()
def send_invitations(round_id: int) -> int:
    """E-mail every not yet e-mailed, unanswered invitation of an open round that has an address."""
    round = Round.objects.select_related("instrument").get(pk=round_id)
    # A round past its closing time has forgotten who answered (sealing.forget_respondents):
    # everyone would look not yet invited.
    if round.status != Round.Status.OPEN or round.closes_at <= timezone.now():
        return 0
    invitations = (
        round.invitations.filter(answered=False, emailed=False, person__isnull=False)
        .exclude(person__email="")
        .select_related("person", "evaluation")
        .order_by("pk")
    )
    return _send(round, invitations.iterator(chunk_size=500), "invitation")


@task()
def send_reminders(round_id: int) -> int:
    """Remind everyone whose e-mailed invitation is still unanswered, with a fresh link."""
    from kerne.surveys.services import reminder_recipients

    round = Round.objects.select_related("instrument").get(pk=round_id)
    # A round past its closing time takes no answers and counts no more reminders: its
    # counts, and who answered, are cleared when it closes (sealing.forget_respondents).
    if round.status != Round.Status.OPEN or round.closes_at <= timezone.now():
        return 0
    invitations = reminder_recipients(round).select_related("person", "evaluation").order_by("pk")
    return _send(round, invitations.iterator(chunk_size=500), "reminder")


@task()
def seal_round(round_id: int) -> int:
    """Seal a round's stored answers (kerne/surveys/sealing.py); the number of responses moved."""
    from kerne.surveys.sealing import round_seal

    report = round_seal(round_id)
    return report.responses if report else 0
