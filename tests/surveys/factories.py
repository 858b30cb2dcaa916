"""Small factories for survey rounds, invitations and open links (rows created directly)."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Sequence
from typing import Any

from django.core import mail
from django.utils import timezone

from kerne.organisation.models import Person, Unit
from kerne.surveys import services
from kerne.surveys.instruments import shipped_instrument
from kerne.surveys.models import Evaluation, Instrument, Invitation, OpenLink, Round, hash_secret
from kerne.surveys.tokens import new_token
from tests.factories import make_engagement, make_person, make_unit

_counter = itertools.count(1)


def make_round(
    *,
    instrument: Instrument | str = "social_capital",
    target: Unit | None = None,
    status: str = Round.Status.OPEN,
    mode: str = Round.Mode.INVITED,
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
    languages: list[str] | None = None,
    **extra: Any,
) -> Round:
    now = timezone.now()
    if isinstance(instrument, str):
        instrument = shipped_instrument(instrument)
    return Round.objects.create(
        name=extra.pop("name", f"Måling {next(_counter)}"),
        instrument=instrument,
        mode=mode,
        target_unit=target or make_unit(),
        opens_at=opens_at or now - dt.timedelta(days=1),
        closes_at=closes_at or now + dt.timedelta(days=14),
        cut_off_date=extra.pop("cut_off_date", timezone.localdate()),
        languages=["da", "en"] if languages is None else languages,
        status=status,
        **extra,
    )


def make_invitation(
    round: Round,
    *,
    unit: Unit | None = None,
    person: Person | None = None,
    rater_group: str = "employee",
    evaluation: Evaluation | None = None,
    token: str | None = None,
) -> tuple[Invitation, str]:
    """An invitation and its raw token (which the database never sees)."""
    token = token or new_token()
    invitation = Invitation.objects.create(
        round=round,
        person=person or make_person(),
        unit=unit or round.target_unit,
        rater_group=rater_group,
        evaluation=evaluation,
        token_hash=hash_secret(token),
    )
    return invitation, token


def make_evaluation(round: Round, *, leader: Person | None = None, unit: Unit | None = None) -> Evaluation:
    leader = leader or make_person("Lene Leder")
    return Evaluation.objects.create(
        round=round, leader=leader, leader_name=leader.name, unit=unit or round.target_unit
    )


def make_open_link(round: Round, *, unit: Unit | None = None, slug: str | None = None) -> OpenLink:
    return OpenLink.objects.create(
        round=round, unit=unit or round.target_unit, slug=slug or f"link{next(_counter):04d}"
    )


def full_answers(instrument: Instrument, value: str = "4") -> dict[str, str]:
    """Every item answered with `value`."""
    return dict.fromkeys(instrument.items.order_by("position").values_list("key", flat=True), value)


def answer(invitation: Invitation, value: str = "4") -> None:
    """Answer an invitation as its respondent would: a fresh token for it (as an e-mail
    would bring), then the real submission (the claim and the anonymous response)."""
    from kerne.surveys import submission

    token = new_token()
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=hash_secret(token))
    instrument = Round.objects.get(pk=invitation.round_id).instrument
    result = submission.response_submit(
        token=token, answers=full_answers(instrument, value), comments={}, language="da"
    )
    assert result.status == submission.STORED, result


# --- Through the services: people, a launched round, the links it e-mailed ------------------------

LONG_AGO = dt.date(2020, 1, 1)
ANSWER_LINK = re.compile(r"/svar/([A-Za-z0-9_\-]+)/")


def staff(units: Sequence[tuple[Unit, int]]) -> dict[str, Person]:
    """`count` employees engaged long ago in each unit; e-mail "<unit pk>-<i>@example.org" → person."""
    people: dict[str, Person] = {}
    for unit, count in units:
        for i in range(count):
            person = make_person(f"{unit.name} {i}", email=f"{unit.pk}-{i}@example.org")
            make_engagement(person, unit, valid_from=LONG_AGO)
            people[person.email] = person
    return people


def create_social_capital_round(target: Unit, **thresholds: int) -> Round:
    """A draft social-capital round on `target`, open from an hour ago for 14 days (services.round_create)."""
    now = timezone.now()
    return services.round_create(
        actor=None,
        name="Social kapital",
        instrument=shipped_instrument("social_capital"),
        target_unit=target,
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=14),
        cut_off_date=timezone.localdate(),
        **thresholds,
    )


def launch(round: Round, capture: Any) -> None:
    """services.round_launch with its on-commit e-mails sent (capture: django_capture_on_commit_callbacks)."""
    with capture(execute=True):
        services.round_launch(actor=None, round=round)


def tokens_from_outbox() -> dict[str, str]:
    """Recipient → the answer token in the e-mail sent to them; empties the outbox."""
    found = {}
    for message in mail.outbox:
        match = ANSWER_LINK.search(str(message.body))
        assert match is not None
        found[message.to[0]] = match.group(1)
    mail.outbox.clear()
    return found
