"""Role × URL cases for the results pages (tests/accounts/test_access_matrix.py)."""

from __future__ import annotations

from typing import Any

from kerne.surveys.models import InstrumentKind, RaterGroup
from tests.access import DENIED, OK, Case, World, hr_only, logged_in
from tests.results.factories import add_responses, make_evaluation, make_instrument, make_round


def _round(world: World) -> Any:
    """A closed, released social-capital round over the whole world, with answers in most units."""
    if "results_round" not in world.extra:
        instrument = make_instrument(dimensions=(2, 1))
        round_ = make_round(instrument, world.root, k=5, released=True)
        add_responses(round_, world.team_a1x, [[5, 4, 4]] * 6)
        add_responses(round_, world.dept_a1, [[3, 4, 2]] * 5)
        add_responses(round_, world.dept_b1, [[4, 4, 4]] * 7)
        world.extra["results_round"] = round_
    return world.extra["results_round"]


def _round_kwargs(world: World) -> dict[str, Any]:
    return {"pk": _round(world).pk}


def _unit_kwargs(world: World) -> dict[str, Any]:
    return {"pk": _round(world).pk, "unit_pk": world.dept_a1.pk}


def _evaluation_kwargs(world: World) -> dict[str, Any]:
    instrument = make_instrument(dimensions=(2, 1), kind=InstrumentKind.LEADERSHIP_360)
    round_ = make_round(instrument, world.root, k=5, released=True)
    leader = world.users["leader"]
    assert leader is not None
    evaluation = make_evaluation(round_, leader.person, world.centre_a)
    add_responses(round_, world.centre_a, [[5, 5, 5]], rater_group=RaterGroup.SELF, evaluation=evaluation)
    add_responses(
        round_, world.dept_a1, [[4, 3, 4]] * 5, rater_group=RaterGroup.EMPLOYEE, evaluation=evaluation
    )
    return {"pk": round_.pk, "evaluation_pk": evaluation.pk}


UNIT = {**logged_in(OK), "other_leader": DENIED}
LEADERS_AND_WHOLE_TREE = {**logged_in(OK), "employee": DENIED}

ACCESS = {
    "results:index": Case(logged_in(OK)),
    "results:round": Case(logged_in(OK), _round_kwargs),
    # GET asks for a confirmation (issue 10, point 13); only a confirmed POST releases.
    "results:release": Case(hr_only(), _round_kwargs),
    "results:heatmap": Case(LEADERS_AND_WHOLE_TREE, _round_kwargs),
    "results:heatmap_xlsx": Case(LEADERS_AND_WHOLE_TREE, _round_kwargs),
    "results:unit": Case(UNIT, _unit_kwargs),
    "results:unit_pdf": Case(UNIT, _unit_kwargs),
    "results:unit_csv": Case(UNIT, _unit_kwargs),
    "results:drivers": Case(UNIT, _unit_kwargs),
    "results:evaluation": Case(
        {**logged_in(DENIED), "hr": OK, "admin": OK, "leader": OK}, _evaluation_kwargs
    ),
}
