"""The survey demo: finished, running and open rounds with structured synthetic answers."""

from __future__ import annotations

import io
from collections import defaultdict

import numpy as np
import pytest
from django.contrib.auth.models import User
from django.db.models import Count, Q

from kerne.organisation import demo as org_demo
from kerne.organisation.models import Person
from kerne.surveys import demo
from kerne.surveys.models import Comment, InstrumentKind, Invitation, OpenLink, Response, Round
from kerne.surveys.packing import answers_matrix
from kerne.surveys.selectors import waiting_invitations_of

pytestmark = pytest.mark.django_db


def _scores(round_: Round) -> tuple[dict[int, list[float]], np.ndarray]:
    rows = list(round_.responses.values_list("unit_id", "answers"))
    items = list(round_.instrument.items.order_by("position").values_list("reversed", flat=True))
    matrix = answers_matrix([a for _u, a in rows], len(items))
    scores = np.where(matrix == 0, np.nan, (matrix.astype(float) - 1) * 25)
    reversed_ = np.array(items)
    scores[:, reversed_] = 100 - scores[:, reversed_]
    per_unit: dict[int, list[float]] = defaultdict(list)
    for (unit_id, _a), value in zip(rows, np.nanmean(scores, axis=1), strict=True):
        per_unit[unit_id].append(float(value))
    return per_unit, matrix


def test_demo_rounds_look_like_a_real_municipality():
    org_demo.build(people=2000, seed=3)
    out = io.StringIO()
    demo.build(seed=3, stdout=out)
    rounds = list(Round.objects.order_by("opens_at").select_related("instrument"))
    kinds = [(r.instrument.kind, r.status, r.released) for r in rounds]
    assert kinds[:2] == [(InstrumentKind.SOCIAL_CAPITAL, "closed", True)] * 2
    assert sorted(kinds[2:]) == [
        (InstrumentKind.CITIZEN, "open", False),
        (InstrumentKind.LEADERSHIP_360, "open", False),
    ]
    before, last = rounds[0], rounds[1]
    assert (last.opens_at - before.opens_at).days in (364, 365, 366)

    for round_ in (before, last):
        # A closed round's invitations say nothing about who answered (sealing.forget_respondents),
        # and no unit has more responses than invitations stored on it.
        assert not round_.invitations.filter(Q(answered=True) | Q(reminders_sent__gt=0) | Q(emailed=True))
        stored = dict(round_.responses.values("unit_id").annotate(n=Count("id")).values_list("unit_id", "n"))
        pooled = dict(
            round_.invitations.values("response_unit_id")
            .annotate(n=Count("id"))
            .values_list("response_unit_id", "n")
        )
        assert stored and all(n <= pooled.get(u, 0) for u, n in stored.items())
        invited = dict(
            round_.invitations.values("unit_id").annotate(n=Count("id")).values_list("unit_id", "n")
        )
        rates = [stored.get(u, 0) / n for u, n in invited.items() if n >= 12]
        assert min(rates) >= 0.55 and max(rates) <= 0.95 and np.std(rates) > 0.03
        per_unit, matrix = _scores(round_)
        means = [np.mean(v) for v in per_unit.values() if len(v) >= 5]
        assert np.std(means) > 3  # units differ: not uniform noise
        assert 55 < np.mean([np.mean(v) for v in per_unit.values()]) < 85
        dont_know = (matrix == 0).mean()
        assert 0.01 < dont_know < 0.12
        assert round_.comments.count() > 10
    assert Comment.objects.filter(round=last).values("text").distinct().count() >= 20

    leadership = next(r for r in rounds if r.instrument.kind == InstrumentKind.LEADERSHIP_360)
    assert 3 <= leadership.evaluations.count() <= 8
    groups = set(leadership.responses.values_list("rater_group", flat=True))
    assert {"self", "employee"} <= groups
    assert 0 < leadership.invitations.filter(answered=True).count() < leadership.invitations.count()
    assert leadership.invitations.filter(answered=True).count() == leadership.responses.count()
    assert not leadership.responses.exclude(unit_id__in=leadership.evaluations.values("unit_id")).exists()
    # The employee login rates their team leader and has not answered: "Mine målinger" shows it.
    employee = User.objects.get(username="medarbejder")
    waiting = list(waiting_invitations_of(employee))
    assert [(i.round, i.rater_group) for i in waiting] == [(leadership, "employee")]
    assert waiting[0].evaluation is not None and waiting[0].evaluation.leader == Person.objects.get(
        user__username="teamleder"
    )

    citizen = next(r for r in rounds if r.instrument.kind == InstrumentKind.CITIZEN)
    linked = set(OpenLink.objects.filter(round=citizen).values_list("unit__name", flat=True))
    assert "Borgerservice" in linked and "Hjemmeplejen" in linked and any("Bibliotek" in n for n in linked)
    assert Response.objects.filter(round=citizen, rater_group="citizen").count() > 50
    assert not Invitation.objects.filter(round=citizen).exists()

    count = Response.objects.count()
    demo.build(seed=3, stdout=out)  # a second run changes nothing
    assert Response.objects.count() == count
    assert "springer over" in out.getvalue()
