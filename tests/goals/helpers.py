"""Small factories for goals test data (real rows through the services where it matters)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from kerne.goals import services
from kerne.goals.models import EffectGoal, Indicator, Intervention, Rollout, UnitGoal, Vision
from kerne.organisation.models import Unit


def make_vision(**extra: Any) -> Vision:
    return Vision.objects.create(title_da=extra.pop("title_da", "Vision 2029"), horizon_year=2029, **extra)


def make_effect_goal(owner: Unit, vision: Vision | None = None, **extra: Any) -> EffectGoal:
    return EffectGoal.objects.create(
        vision=vision or make_vision(), owner_unit=owner, title_da=extra.pop("title_da", "Effektmål"), **extra
    )


def make_unit_goal(unit: Unit, effect_goals: tuple[EffectGoal, ...] = (), **extra: Any) -> UnitGoal:
    return services.unit_goal_create(
        actor=None,
        unit=unit,
        fields={"title_da": extra.pop("title_da", f"Mål for {unit.name}"), **extra},
        effect_goals=effect_goals,
    )


def make_indicator(owner: Unit, **extra: Any) -> Indicator:
    defaults: dict[str, Any] = {
        "name_da": "Indikator",
        "baseline_value": Decimal(40),
        "baseline_date": dt.date(2024, 1, 1),
        "target_value": Decimal(60),
        "target_date": dt.date(2026, 1, 1),
        "frequency": Indicator.Frequency.QUARTERLY,
    }
    defaults.update(extra)
    return Indicator.objects.create(owner_unit=owner, **defaults)


def make_intervention(owner: Unit, **extra: Any) -> Intervention:
    return Intervention.objects.create(
        owner_unit=owner, title_da=extra.pop("title_da", "Indsats"), starts=dt.date(2025, 1, 1), **extra
    )


def make_rollout(root: Unit, deadline: dt.date | None = None, **extra: Any) -> Rollout:
    return Rollout.objects.create(
        root_unit=root,
        title_da=extra.pop("title_da", "Udrulning"),
        deadline=deadline or dt.date(2025, 6, 30),
        **extra,
    )
