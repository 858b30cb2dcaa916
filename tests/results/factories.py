"""Small factories for results tests: instruments, rounds and anonymous responses, created directly."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence

from django.utils import timezone

from kerne.organisation.models import Person, Unit
from kerne.surveys.models import (
    Comment,
    Dimension,
    Evaluation,
    FreeTextQuestion,
    Instrument,
    InstrumentKind,
    Invitation,
    Item,
    RaterGroup,
    Response,
    Round,
)
from kerne.surveys.packing import pack_answers

_counter = itertools.count(1)


def make_instrument(
    dimensions: Sequence[int] = (2, 3),
    reversed_items: Sequence[int] = (),
    kind: str = InstrumentKind.SOCIAL_CAPITAL,
    key: str | None = None,
    free_text: bool = True,
) -> Instrument:
    """An instrument whose dimension d has dimensions[d] items; item positions run 0…n−1."""
    n = next(_counter)
    instrument = Instrument.objects.create(
        key=key or f"test-{n}", kind=kind, name_da=f"Spørgeramme {n}", name_en=f"Instrument {n}"
    )
    position = 0
    for d, count in enumerate(dimensions):
        dimension = Dimension.objects.create(
            instrument=instrument,
            key=f"d{d}",
            position=d,
            name_da=f"Dimension {d}",
            name_en=f"Dimension {d} en",
        )
        for i in range(count):
            Item.objects.create(
                instrument=instrument,
                dimension=dimension,
                key=f"d{d}-i{i}",
                position=position,
                text_da=f"Udsagn {d}.{i}",
                text_en=f"Statement {d}.{i}",
                reversed=position in reversed_items,
            )
            position += 1
    if free_text:
        FreeTextQuestion.objects.create(instrument=instrument, key="comment", position=0, text_da="Kommentar")
    return instrument


def make_round(
    instrument: Instrument,
    target: Unit,
    k: int = 5,
    comment_k: int | None = None,
    status: str = Round.Status.CLOSED,
    released: bool = False,
    opens_at: dt.datetime | None = None,
    name: str | None = None,
) -> Round:
    opens = opens_at or timezone.now() - dt.timedelta(days=30)
    return Round.objects.create(
        name=name or f"Måling {next(_counter)}",
        instrument=instrument,
        target_unit=target,
        opens_at=opens,
        closes_at=opens + dt.timedelta(days=14),
        cut_off_date=(opens - dt.timedelta(days=1)).date(),
        k=k,
        comment_k=comment_k if comment_k is not None else k,
        status=status,
        released=released,
    )


def add_responses(
    round: Round,
    unit: Unit,
    answers: Sequence[Sequence[int]],
    rater_group: str = RaterGroup.EMPLOYEE,
    evaluation: Evaluation | None = None,
) -> list[Response]:
    """One response per row of options (0 = missing), in item position order."""
    item_count = round.instrument.items.count()
    return Response.objects.bulk_create(
        Response(
            round=round,
            unit=unit,
            rater_group=rater_group,
            evaluation=evaluation,
            answers=pack_answers(dict(enumerate(row)), item_count),
        )
        for row in answers
    )


def add_uniform(
    round: Round,
    unit: Unit,
    count: int,
    option: int = 4,
    rater_group: str = RaterGroup.EMPLOYEE,
    **extra: object,
) -> list[Response]:
    item_count = round.instrument.items.count()
    return add_responses(round, unit, [[option] * item_count] * count, rater_group=rater_group, **extra)  # type: ignore[arg-type]


def add_invitations(
    round: Round,
    unit: Unit,
    count: int,
    rater_group: str = RaterGroup.EMPLOYEE,
    evaluation: Evaluation | None = None,
) -> None:
    Invitation.objects.bulk_create(
        Invitation(
            round=round,
            unit=unit,
            rater_group=rater_group,
            evaluation=evaluation,
            token_hash=f"test-{next(_counter)}-{i}",
        )
        for i in range(count)
    )


def add_comments(
    round: Round,
    unit: Unit,
    texts: Sequence[str],
    rater_group: str = RaterGroup.EMPLOYEE,
    evaluation: Evaluation | None = None,
) -> None:
    question = round.instrument.free_text_questions.first()
    assert question is not None
    Comment.objects.bulk_create(
        Comment(
            round=round, unit=unit, rater_group=rater_group, evaluation=evaluation, question=question, text=t
        )
        for t in texts
    )


def make_evaluation(round: Round, leader: Person, unit: Unit) -> Evaluation:
    return Evaluation.objects.create(round=round, leader=leader, leader_name=leader.name, unit=unit)
