"""Small factories for survey rounds, invitations and open links (rows created directly)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from kerne.organisation.models import Person, Unit
from kerne.surveys.instruments import shipped_instrument
from kerne.surveys.models import Evaluation, Instrument, Invitation, OpenLink, Round, hash_secret
from kerne.surveys.tokens import new_token
from tests.factories import make_person, make_unit

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
