"""JSON API for aggregated results (mounted at /api/results/).

The same selectors as the pages, so the same rules: access by role and unit (a leader their
subtree, an employee their own unit, both only after release; HR and the executive board
everything), and the same anonymity decisions — a hidden number is `null`, never a value.
No endpoint returns a single response. Unknown or invisible objects answer 404 alike.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema

from kerne.organisation.models import Unit
from kerne.results import selectors
from kerne.surveys.models import Evaluation, InstrumentKind, Round

router = Router(tags=["results"])


class StatOut(Schema):
    shown: bool
    n: int | None
    mean: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None
    shares: list[float] | None  # unfavourable, neutral, favourable (0…1)
    distribution: list[float] | None  # items: share per score 0, 25, 50, 75, 100


class ComparisonOut(Schema):
    kind: str
    label: str
    mean: float
    delta: float
    change: int


class ItemOut(Schema):
    key: str
    text: str
    reversed: bool
    stat: StatOut
    alone: StatOut | None
    comparisons: list[ComparisonOut]


class DimensionOut(Schema):
    key: str
    name: str
    stat: StatOut
    alone: StatOut | None
    comparisons: list[ComparisonOut]
    items: list[ItemOut]


class GroupCountOut(Schema):
    shown: bool
    respondents: int | None
    invited: int | None
    rate: float | None


class SubUnitOut(Schema):
    unit_id: int
    name: str
    respondents: int | None
    may_open: bool


class CommentOut(Schema):
    question: str
    text: str


class UnitReportOut(Schema):
    round_id: int
    round_name: str
    unit_id: int
    unit_name: str
    k: int
    numbers: bool
    released: bool
    total: GroupCountOut
    alone: GroupCountOut | None
    dimensions: list[DimensionOut]
    comparison_labels: list[list[str]]
    comments: list[CommentOut]
    comments_hidden: bool
    sub_units: list[SubUnitOut]
    hidden_numbers: bool


class RoundOut(Schema):
    id: int
    name: str
    status: str
    released: bool
    kind: str
    units: list[int]  # the highest units whose reports the user may open
    evaluations: list[int]


class HeatmapRowOut(Schema):
    unit_id: int
    name: str
    depth: int
    respondents: int | None
    cells: list[float | None]
    may_open: bool


class HeatmapOut(Schema):
    round_id: int
    root_unit_id: int
    k: int
    numbers: bool
    dimensions: list[list[str]]
    rows: list[HeatmapRowOut]


class RaterGroupOut(Schema):
    key: str
    label: str
    invited: int
    respondents: int | None
    shown: bool
    anonymous: bool


class BehaviourOut(Schema):
    key: str
    name: str
    self_score: float | None
    others: StatOut
    groups: dict[str, StatOut]
    gap: float | None


class EvaluationOut(Schema):
    evaluation_id: int
    leader_name: str
    unit_name: str
    round_name: str
    k: int
    numbers: bool
    groups: list[RaterGroupOut]
    behaviours: list[BehaviourOut]
    comments: list[list[str]]
    hidden_numbers: bool


def _round(request: HttpRequest, round_id: int) -> Round:
    round_ = Round.objects.select_related("instrument", "target_unit").filter(pk=round_id).first()
    if round_ is None or not selectors.may_see_round(request.user, round_):
        raise Http404
    return round_


def _plain(obj: Any) -> Any:
    return dataclasses.asdict(obj)


@router.get("/rounds", response=list[RoundOut], summary="Rounds with results the user may see")
def rounds(request: HttpRequest) -> list[dict[str, Any]]:
    out = []
    for round_ in selectors.rounds_with_results(request.user):
        is_360 = round_.instrument.kind == InstrumentKind.LEADERSHIP_360
        out.append(
            {
                "id": round_.pk,
                "name": round_.name,
                "status": round_.status,
                "released": round_.released,
                "kind": round_.instrument.kind,
                "units": [] if is_360 else [u.pk for u in selectors.units_to_open(request.user, round_)],
                "evaluations": [e.pk for e in selectors.evaluations_for_user(request.user, round_)]
                if is_360
                else [],
            }
        )
    return out


@router.get(
    "/rounds/{round_id}/units/{unit_id}",
    response=UnitReportOut,
    summary="A unit's aggregated results (with everything below it, and alone); hidden numbers are null",
)
def unit_report(request: HttpRequest, round_id: int, unit_id: int) -> dict[str, Any]:
    round_ = _round(request, round_id)
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    return _plain(selectors.visible_results(request.user, round_, unit))


@router.get(
    "/rounds/{round_id}/heatmap",
    response=HeatmapOut,
    summary="Units × dimensions under a unit (leaders within what they lead, HR and executives)",
)
def heatmap(
    request: HttpRequest, round_id: int, unit_id: int | None = None, depth: int = 2
) -> dict[str, Any]:
    from kerne.organisation.selectors import can_lead_unit

    round_ = _round(request, round_id)
    if unit_id is None:
        tops = [u for u in selectors.units_to_open(request.user, round_) if can_lead_unit(request.user, u)]
        unit = tops[0] if tops else None
    else:
        unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None or not can_lead_unit(request.user, unit):
        raise Http404
    heat = selectors.heatmap(request.user, round_, unit, depth=max(1, min(depth, 6)))
    if heat is None:
        raise Http404
    return _plain(heat)


@router.get(
    "/rounds/{round_id}/evaluations/{evaluation_id}",
    response=EvaluationOut,
    summary="A 360 evaluation: self vs others per behaviour, rater groups shown at their minimum",
)
def evaluation(request: HttpRequest, round_id: int, evaluation_id: int) -> dict[str, Any]:
    found = Evaluation.objects.select_related("round", "round__instrument", "unit").filter(
        pk=evaluation_id, round_id=round_id
    )
    item = found.first()
    report = selectors.evaluation_report(request.user, item) if item is not None else None
    if report is None:
        raise Http404
    data = _plain(report)
    for behaviour in data["behaviours"]:
        behaviour.pop("items", None)
    return data
