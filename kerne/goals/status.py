"""The status rule: on track / at risk / off track, against the straight line from baseline to target.

Pure functions over plain data (no database, no HTTP). The rule, as written on the indicator page:

1. The planned value at date d is the straight line from (baseline date, baseline value) to
   (target date, target value). After the target date the plan stays at the target value.
   Before the baseline date there is no plan, and so no status.
2. The value compared is the latest measurement whose period starts on or before the day the
   status is asked for. It is compared with the plan *at that measurement's date*, so a value for
   March is judged against the plan for March, not against today's plan.
3. The shortfall is how much worse than planned the value is: planned − measured when higher is
   better, measured − planned when lower is better (a negative shortfall is better than planned).
4. The scale is |target − baseline|; when baseline and target are equal (a level to hold), the
   scale is |target|; when that is 0 too, the scale is 0.
5. On track when the shortfall is at most tolerance × scale (default 5 %); at risk when it is at
   most off-track threshold × scale (default 15 %); off track beyond that. With a scale of 0,
   any value worse than planned is off track.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Status(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_STATUS = "no_status"


STATUS_LABELS = {
    Status.ON_TRACK: _("På sporet"),
    Status.AT_RISK: _("I risiko"),
    Status.OFF_TRACK: _("Ikke på sporet"),
    Status.NO_STATUS: _("Ingen status"),
}

# Worst first: a goal's status is its worst indicator's.
SEVERITY = {Status.OFF_TRACK: 3, Status.AT_RISK: 2, Status.ON_TRACK: 1, Status.NO_STATUS: 0}

REASONS = {
    "no_plan": _("Indikatoren mangler baseline eller mål (værdi og dato)."),
    "target_before_baseline": _("Måldatoen ligger før baselinedatoen."),
    "no_measurement": _("Der er ingen måling endnu."),
    "before_baseline": _("Ingen status før baselinedatoen."),
    "no_value": _("Den seneste måling har ingen værdi."),
    "invalid_plan": _("Baseline, mål eller grænserne har en ugyldig værdi; ret indikatoren."),
}


@dataclass(frozen=True)
class Plan:
    baseline_date: dt.date | None
    baseline_value: float | None
    target_date: dt.date | None
    target_value: float | None
    higher_is_better: bool = True
    tolerance: float = 0.05
    off_track_threshold: float = 0.15
    invalid: bool = False  # a stored number of the plan is not a number (goals/numbers.py)

    def is_complete(self) -> bool:
        """Both ends of the line are known (and valid)."""
        return not self.invalid and None not in (
            self.baseline_date,
            self.baseline_value,
            self.target_date,
            self.target_value,
        )


@dataclass(frozen=True)
class StatusResult:
    status: Status
    reason: str = ""  # a key of REASONS when there is no status
    measured: float | None = None
    measured_date: dt.date | None = None
    planned: float | None = None
    shortfall: float | None = None

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def reason_text(self) -> str:
        return str(REASONS.get(self.reason, ""))


def planned_value(plan: Plan, day: dt.date) -> float | None:
    """The plan at `day`: None before the baseline date or when the plan is incomplete."""
    if not plan.is_complete():
        return None
    assert plan.baseline_date and plan.target_date  # for the type checker
    b_val, t_val = float(plan.baseline_value), float(plan.target_value)  # type: ignore[arg-type]
    if day < plan.baseline_date or plan.target_date < plan.baseline_date:
        return None
    if day >= plan.target_date:
        return t_val
    span = (plan.target_date - plan.baseline_date).days
    if span == 0:
        return t_val
    return b_val + (t_val - b_val) * (day - plan.baseline_date).days / span


def scale_of(plan: Plan) -> float:
    assert plan.baseline_value is not None and plan.target_value is not None
    spread = abs(float(plan.target_value) - float(plan.baseline_value))
    return spread if spread > 0 else abs(float(plan.target_value))


def classify(plan: Plan, measured: float, planned: float) -> tuple[Status, float]:
    """Status and shortfall of one value against its planned value (rule steps 3–5)."""
    shortfall = (planned - measured) if plan.higher_is_better else (measured - planned)
    scale = scale_of(plan)
    # A tiny epsilon absorbs floating-point noise at the exact threshold.
    eps = 1e-9 * max(1.0, scale)
    if shortfall <= plan.tolerance * scale + eps:
        return Status.ON_TRACK, shortfall
    if scale > 0 and shortfall <= plan.off_track_threshold * scale + eps:
        return Status.AT_RISK, shortfall
    return Status.OFF_TRACK, shortfall


def status_at(plan: Plan, points: Sequence[tuple[dt.date, float | None]], as_of: dt.date) -> StatusResult:
    """The status on `as_of`, from (period date, value) points (any order; None = no value)."""
    if plan.invalid:
        return StatusResult(Status.NO_STATUS, "invalid_plan")
    if not plan.is_complete():
        return StatusResult(Status.NO_STATUS, "no_plan")
    assert plan.baseline_date and plan.target_date
    if plan.target_date < plan.baseline_date:
        return StatusResult(Status.NO_STATUS, "target_before_baseline")
    if as_of < plan.baseline_date:
        return StatusResult(Status.NO_STATUS, "before_baseline")
    earlier = [p for p in points if p[0] <= as_of]
    if not earlier:
        return StatusResult(Status.NO_STATUS, "no_measurement")
    day, value = max(earlier, key=lambda p: p[0])
    if value is None:
        return StatusResult(Status.NO_STATUS, "no_value", measured_date=day)
    planned = planned_value(plan, day)
    if planned is None:
        return StatusResult(Status.NO_STATUS, "before_baseline", measured=value, measured_date=day)
    status, shortfall = classify(plan, value, planned)
    return StatusResult(status, "", value, day, planned, shortfall)


def worst(statuses: Sequence[Status]) -> Status:
    """A goal's status: its worst indicator's; no status when none of them has one."""
    if not statuses:
        return Status.NO_STATUS
    return max(statuses, key=lambda s: SEVERITY[s])
