"""JSON API for goals, indicators and measurements (mounted at /api/goals/).

Same access rules as the pages (kerne/goals/selectors.py): a user reads the goals and indicators
of the units above them and of their own subtree; records measurements for the units they lead and
everything below (selectors.can_record_measurements: HR for every unit; the executive board only
through a leader engagement). Systems that report automatically use an API token of a user with
those rights. A batch of measurements is all or nothing: any error refuses the
whole batch and lists every error with its position and field.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db.models import DecimalField
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from kerne.goals import importers, numbers, selectors, services
from kerne.goals.models import Indicator, Measurement
from kerne.goals.periods import period_start
from kerne.goals.series import SeriesReader, statuses_for
from kerne.organisation.models import Unit

router = Router(tags=["goals"])


class IndicatorOut(Schema):
    id: int
    code: str | None
    name_da: str
    name_en: str
    unit_of_measure: str
    direction: str
    frequency: str
    source: str
    aggregation: str
    owner_unit_id: int
    baseline_value: Decimal | None
    baseline_date: dt.date | None
    target_value: Decimal | None
    target_date: dt.date | None

    # A value stored before the checks of goals/numbers.py that is not a number reads as null.
    @staticmethod
    def resolve_baseline_value(obj: Indicator) -> Decimal | None:
        return numbers.usable(obj.baseline_value)

    @staticmethod
    def resolve_target_value(obj: Indicator) -> Decimal | None:
        return numbers.usable(obj.target_value)


class PointOut(Schema):
    period: dt.date
    value: float | None
    reason: str


class StatusOut(Schema):
    status: str
    computed: str
    reason: str
    measured: float | None
    measured_date: dt.date | None
    planned: float | None
    overridden: bool


class IndicatorValuesOut(Schema):
    indicator: IndicatorOut
    unit_id: int
    status: StatusOut
    series: list[PointOut]


class GoalOut(Schema):
    id: int
    title_da: str
    title_en: str
    unit_id: int
    indicator_ids: list[int]


class MeasurementIn(Schema):
    indicator: str  # code or id
    unit: str  # external key
    period: str  # a date, 2025-03, 2025-Q1 or 2025
    value: str | float
    weight: str | float | None = None
    comment: str = ""


class BatchIn(Schema):
    measurements: list[MeasurementIn]


class BatchError(Schema):
    index: int
    field: str
    message: str


class BatchOut(Schema):
    created: int
    corrected: int
    unchanged: int


@router.get("/indicators", response=list[IndicatorOut], summary="Indicators the user may see")
def indicator_list(request: HttpRequest) -> list[Indicator]:
    return list(selectors.indicators(request.user).order_by("pk")[:1000])


@router.get(
    "/indicators/{indicator_id}",
    response=IndicatorValuesOut,
    summary="An indicator's values and status for a unit (default: its owner)",
)
def indicator_values(request: HttpRequest, indicator_id: int, unit: int | None = None) -> dict[str, object]:
    indicator = selectors.indicator_or_404(request.user, indicator_id)
    target = selectors.goal_unit_or_404(request.user, unit) if unit else indicator.owner_unit
    if not selectors.can_see_goals_of(request.user, target):
        raise HttpError(404, "Not found")
    series = SeriesReader([(indicator, target)], request.user).series(indicator, target)
    status = statuses_for([(indicator, target)], user=request.user)[(indicator.pk, target.pk)]
    return {
        "indicator": indicator,
        "unit_id": target.pk,
        "status": {
            "status": str(status.status),
            "computed": str(status.computed.status),
            "reason": status.computed.reason,
            "measured": status.computed.measured,
            "measured_date": status.computed.measured_date,
            "planned": status.computed.planned,
            "overridden": status.override is not None,
        },
        "series": [{"period": p, "value": v.value, "reason": v.reason} for p, v in sorted(series.items())],
    }


@router.get("/effect-goals", response=list[GoalOut], summary="Strategic effect goals the user may see")
def effect_goal_list(request: HttpRequest) -> list[dict[str, object]]:
    goals = selectors.effect_goals(request.user).prefetch_related("indicators").order_by("pk")
    return [
        {
            "id": g.pk,
            "title_da": g.title_da,
            "title_en": g.title_en,
            "unit_id": g.owner_unit_id,
            "indicator_ids": [i.pk for i in g.indicators.all()],
        }
        for g in goals
    ]


@router.get("/unit-goals", response=list[GoalOut], summary="Unit goals the user may see")
def unit_goal_list(request: HttpRequest) -> list[dict[str, object]]:
    goals = selectors.unit_goals(request.user).prefetch_related("indicators").order_by("pk")[:1000]
    return [
        {
            "id": g.pk,
            "title_da": g.title_da,
            "title_en": g.title_en,
            "unit_id": g.unit_id,
            "indicator_ids": [i.pk for i in g.indicators.all()],
        }
        for g in goals
    ]


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:40]}…"


VALUE_FIELD = numbers.decimal_field(Measurement, "value")
WEIGHT_FIELD = numbers.decimal_field(Measurement, "weight")


def _number(value: str | float | None, field: DecimalField) -> Decimal | None:
    """A posted number checked against its field (goals/numbers.py): NumberError names the field."""
    if value is None or value == "":
        return None
    return importers.parse_number(str(value), field)


@router.post(
    "/measurements",
    response={200: BatchOut, 400: list[BatchError]},
    summary="Record measurements (all or nothing); a new value for the same period is a correction",
)
def measurements_record(request: HttpRequest, batch: BatchIn) -> Status:
    user = request.user
    visible = selectors.indicators(user)
    codes = {m.indicator for m in batch.measurements}
    by_code = {i.code: i for i in visible.filter(code__in=codes)}
    by_id = {str(i.pk): i for i in visible.filter(pk__in=[int(c) for c in codes if c.isdigit()])}
    units = {
        u.external_key: u for u in Unit.objects.filter(external_key__in={m.unit for m in batch.measurements})
    }
    errors: list[dict[str, object]] = []
    rows: list[services.MeasurementInput] = []
    seen: set[tuple[int, int, dt.date]] = set()
    for index, item in enumerate(batch.measurements):
        indicator = by_code.get(item.indicator) or by_id.get(item.indicator)
        if indicator is None:
            errors.append(
                {"index": index, "field": "indicator", "message": f"unknown indicator {item.indicator!r}"}
            )
        elif indicator.source in (Indicator.Source.COMPUTED, Indicator.Source.SURVEY):
            errors.append(
                {"index": index, "field": "indicator", "message": "computed indicators take no values"}
            )
            indicator = None
        unit = units.get(item.unit)
        if unit is None:
            errors.append({"index": index, "field": "unit", "message": f"unknown unit {item.unit!r}"})
        elif not selectors.can_record_measurements(user, unit):
            errors.append(
                {"index": index, "field": "unit", "message": "you may not record values for this unit"}
            )
            unit = None
        try:
            period = importers.parse_period(item.period)
        except ValueError:
            errors.append({"index": index, "field": "period", "message": f"invalid period {item.period!r}"})
            period = None
        value: Decimal | None = None
        try:
            value = _number(item.value, VALUE_FIELD)
            if value is None:
                raise InvalidOperation
        except numbers.NumberError as exc:
            errors.append({"index": index, "field": "value", "message": exc.message})
        except (InvalidOperation, ValueError):
            errors.append(
                {"index": index, "field": "value", "message": f"invalid number {_short(item.value)}"}
            )
        weight: Decimal | None = None
        try:
            weight = _number(item.weight, WEIGHT_FIELD)
        except numbers.NumberError as exc:
            errors.append({"index": index, "field": "weight", "message": exc.message})
        except (InvalidOperation, ValueError):
            errors.append(
                {"index": index, "field": "weight", "message": f"invalid number {_short(item.weight)}"}
            )
        if indicator and unit and period and value is not None:
            key = (indicator.pk, unit.pk, period_start(period, indicator.frequency))
            if key in seen:
                errors.append(
                    {"index": index, "field": "period", "message": "same indicator, unit and period twice"}
                )
                continue
            seen.add(key)
            rows.append(services.MeasurementInput(indicator, unit, period, value, weight, item.comment))
    if errors:
        return Status(400, errors)
    counts = services.measurements_import(actor=user, rows=rows, origin=Measurement.Origin.API)
    return Status(200, counts)
