"""Reading an indicator's values for a unit: measurements aggregated up the tree, formulas and
survey dimensions evaluated when read, and the status rule applied.

Callers ask for many (indicator, unit) pairs at once (`series_for`), so a page costs one query
per indicator involved, never one per unit or per period. Who may ask is decided in
selectors.py; this module only computes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import FloatField, Q
from django.db.models.functions import Cast

from kerne.accounts.roles import AnyUser
from kerne.goals import aggregation, numbers, survey
from kerne.goals.formulas import Value, evaluate_series, no_value
from kerne.goals.models import Indicator, Measurement, StatusChoice, StatusOverride
from kerne.goals.status import Plan, Status, StatusResult, status_at
from kerne.organisation.models import Unit, subtree_upper_bound

Series = dict[dt.date, Value]
MAX_FORMULA_DEPTH = 8


VALUE_FIELD = numbers.decimal_field(Measurement, "value")
WEIGHT_FIELD = numbers.decimal_field(Measurement, "weight")


def _float(value: Decimal | float | None) -> float | None:
    usable = numbers.usable(value)
    return None if usable is None else float(usable)


def plan_of(indicator: Indicator) -> Plan:
    """The indicator's plan; a stored value that is not a number (numbers.usable) marks it invalid."""
    stored = (
        indicator.baseline_value,
        indicator.target_value,
        indicator.tolerance,
        indicator.off_track_threshold,
    )
    invalid = any(v is not None and numbers.usable(v) is None for v in stored)
    return Plan(
        baseline_date=indicator.baseline_date,
        baseline_value=_float(indicator.baseline_value),
        target_date=indicator.target_date,
        target_value=_float(indicator.target_value),
        higher_is_better=indicator.direction == Indicator.Direction.HIGHER,
        tolerance=_float(indicator.tolerance) or 0.0,
        off_track_threshold=_float(indicator.off_track_threshold) or 0.0,
        invalid=invalid,
    )


def _observation(
    path: str, period: dt.date, value: float, weight: float | None, entered: dt.datetime | None = None
) -> aggregation.Observation:
    """A measurement read as floats; one its columns could not hold is marked invalid."""
    ok = numbers.storable_float(value, VALUE_FIELD) and numbers.storable_float(weight, WEIGHT_FIELD)
    if ok:
        return aggregation.Observation(path, period, value, weight, entered)
    return aggregation.Observation(path, period, 0.0, None, entered, invalid=True)


def _roots(paths: Iterable[str]) -> list[str]:
    roots: list[str] = []
    for path in sorted(set(paths)):
        if not (roots and path.startswith(roots[-1])):
            roots.append(path)
    return roots


def _load_indicators(indicators: Iterable[Indicator]) -> dict[int, Indicator]:
    """The indicators and, recursively, their formula inputs."""
    known = {i.pk: i for i in indicators}
    pending = {pk for i in known.values() for pk in (i.numerator_id, i.denominator_id) if pk}
    for _level in range(MAX_FORMULA_DEPTH):
        pending -= set(known)
        if not pending:
            break
        for ind in Indicator.objects.filter(pk__in=pending):
            known[ind.pk] = ind
        pending = {pk for i in known.values() for pk in (i.numerator_id, i.denominator_id) if pk}
    return known


def _base_needs(indicator: Indicator, known: dict[int, Indicator], depth: int = 0) -> set[int]:
    """Measured (non-formula) indicators a formula reads."""
    if not indicator.is_formula:
        return {indicator.pk}
    if depth > MAX_FORMULA_DEPTH:
        return set()
    needs: set[int] = set()
    for pk in (indicator.numerator_id, indicator.denominator_id):
        if pk and pk in known:
            needs |= _base_needs(known[pk], known, depth + 1)
    return needs


class SeriesReader:
    """Loads the measurements for a batch of (indicator, unit) pairs, then answers from memory."""

    def __init__(self, pairs: Iterable[tuple[Indicator, Unit]], user: AnyUser | None = None) -> None:
        """`user`: whose access to survey results applies (survey indicators show nothing without)."""
        pairs = list(pairs)
        self.user = user
        self.known = _load_indicators(i for i, _u in pairs)
        paths_per_base: dict[int, set[str]] = defaultdict(set)
        for indicator, unit in pairs:
            for base in _base_needs(indicator, self.known):
                paths_per_base[base].add(unit.path)
        self.observations: dict[int, list[aggregation.Observation]] = defaultdict(list)
        for base_pk, paths in paths_per_base.items():
            if self.known[base_pk].is_survey:
                continue
            condition = Q()
            for root in _roots(paths):
                condition |= Q(unit__path__gte=root, unit__path__lt=subtree_upper_bound(root))
            # Floats straight from the database (no Decimal round trip); the entry time only
            # matters for the "latest" rule.
            fields = ["unit__path", "period", "value_f", "weight_f"]
            if self.known[base_pk].aggregation == Indicator.Aggregation.LATEST:
                fields.append("entered_at")
            rows = (
                Measurement.objects.filter(indicator_id=base_pk)
                .filter(condition)
                .annotate(value_f=Cast("value", FloatField()), weight_f=Cast("weight", FloatField()))
                .values_list(*fields)
            )
            self.observations[base_pk] = [_observation(*row) for row in rows]
        self._cache: dict[tuple[int, str], Series] = {}

    def series(self, indicator: Indicator, unit: Unit) -> Series:
        return self._series(indicator.pk, unit, frozenset())

    def _series(self, pk: int, unit: Unit, seen: frozenset[int]) -> Series:
        key = (pk, unit.path)
        if key in self._cache:
            return self._cache[key]
        indicator = self.known.get(pk)
        result: Series
        inputs = {indicator.numerator_id, indicator.denominator_id} if indicator else set()
        if indicator is None or pk in seen:
            result = {}
        elif indicator.is_formula:
            if None in inputs or inputs & (seen | {pk}):
                result = {}
            else:
                inner = seen | {pk}
                num = self._series(indicator.numerator_id, unit, inner)  # type: ignore[arg-type]
                den = self._series(indicator.denominator_id, unit, inner)  # type: ignore[arg-type]
                factor = _float(indicator.factor)
                result = (
                    evaluate_series(num, den, factor)
                    if factor is not None
                    else {p: no_value("invalid_value") for p in set(num) | set(den)}
                )
        elif indicator.is_survey:
            result = survey.dimension_series(indicator, unit, self.user)
        else:
            result = aggregation.unit_series(indicator.aggregation, unit.path, self.observations[pk])
        self._cache[key] = result
        return result


def formula_problem(indicator: Indicator) -> str:
    """Why a formula indicator can give no value at all ('' when it is well-formed)."""
    if not indicator.is_formula:
        return ""
    if not indicator.numerator_id or not indicator.denominator_id:
        return "not_configured"
    known = _load_indicators([indicator])
    stack = [(indicator.pk, frozenset[int]())]
    while stack:
        pk, seen = stack.pop()
        if pk in seen:
            return "cycle"
        ind = known.get(pk)
        if ind is None or not ind.is_formula:
            continue
        for child in (ind.numerator_id, ind.denominator_id):
            if child:
                stack.append((child, seen | {pk}))
    return ""


@dataclass(frozen=True)
class IndicatorStatus:
    computed: StatusResult
    override: StatusOverride | None = None

    @property
    def status(self) -> Status:
        if self.override is not None:
            return Status(self.override.status)
        return self.computed.status

    @property
    def label(self) -> str:
        if self.override is not None:
            return str(StatusChoice(self.override.status).label)
        return self.computed.label

    @property
    def css(self) -> str:
        return str(self.status)


def latest_overrides(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], StatusOverride]:
    """The standing override per (indicator id, unit id); a cleared latest row means none."""
    pairs = set(pairs)
    if not pairs:
        return {}
    indicator_ids = {i for i, _u in pairs}
    unit_ids = {u for _i, u in pairs}
    found: dict[tuple[int, int], StatusOverride] = {}
    seen: set[tuple[int, int]] = set()
    rows = StatusOverride.objects.filter(indicator_id__in=indicator_ids, unit_id__in=unit_ids).order_by(
        "-at", "-pk"
    )
    for row in rows:
        key = (row.indicator_id, row.unit_id)
        if key in seen or key not in pairs:
            continue
        seen.add(key)
        if not row.cleared:
            found[key] = row
    return found


def statuses_for(
    pairs: Iterable[tuple[Indicator, Unit]], as_of: dt.date | None = None, user: AnyUser | None = None
) -> dict[tuple[int, int], IndicatorStatus]:
    """Status per (indicator id, unit id) for many pairs in a handful of queries."""
    pairs = list(pairs)
    day = as_of or dt.date.today()
    reader = SeriesReader(pairs, user)
    overrides = latest_overrides((i.pk, u.pk) for i, u in pairs)
    out: dict[tuple[int, int], IndicatorStatus] = {}
    for indicator, unit in pairs:
        series = reader.series(indicator, unit)
        points = [(period, v.value) for period, v in series.items()]
        computed = status_at(plan_of(indicator), points, day)
        out[(indicator.pk, unit.pk)] = IndicatorStatus(computed, overrides.get((indicator.pk, unit.pk)))
    return out


def empty_reason(indicator: Indicator) -> Value:
    problem = formula_problem(indicator)
    return no_value(problem or "no_data")
