"""Writes to goals, chains, indicators, measurements and roll-outs.

Each function runs in a transaction, leaves an audit row (`audit_record`) and defers side
effects (e-mail) with `transaction.on_commit`. They assume validated input (forms, importers
and the API validate first); who may call them is decided in selectors.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils import timezone

from kerne.accounts.audit import actor_name, actor_user, audit_record, model_changes
from kerne.accounts.roles import AnyUser
from kerne.goals import numbers
from kerne.goals.models import (
    ChainLink,
    ChainNode,
    EffectGoal,
    GoalEvent,
    GoalLink,
    Indicator,
    Intervention,
    Measurement,
    MeasurementHistory,
    Milestone,
    Partner,
    Rollout,
    RolloutState,
    StatusOverride,
    Theme,
    UnitGoal,
    Vision,
)
from kerne.goals.periods import period_start
from kerne.organisation.models import Unit

M = TypeVar("M", bound=models.Model)


class GoalError(ValueError):
    """A change that breaks a rule of the goals (lifting a goal sideways, a reason missing …)."""


def _save(actor: AnyUser | None, obj: M, fields: dict[str, Any], action: str) -> M:
    """Create or update `obj` with `fields` and audit what changed."""
    creating = obj.pk is None
    changes = {k: [None, str(v)] for k, v in fields.items()} if creating else model_changes(obj, fields)
    for key, value in fields.items():
        setattr(obj, key, value)
    if creating or changes:
        obj.save()
        audit_record(
            actor=actor, action=f"{action}.{'create' if creating else 'update'}", obj=obj, changes=changes
        )
    return obj


def _set_m2m(
    actor: AnyUser | None, obj: models.Model, name: str, values: Iterable[models.Model], action: str
) -> None:
    manager = getattr(obj, name)
    old = {o.pk for o in manager.all()}
    new = {o.pk for o in values}
    if old != new:
        manager.set(list(new))
        audit_record(
            actor=actor, action=f"{action}.{name}", obj=obj, changes={name: [sorted(old), sorted(new)]}
        )


# --- vision, themes, effect goals ---------------------------------------------------------------


def vision_save(*, actor: AnyUser | None, vision: Vision | None, fields: dict[str, Any]) -> Vision:
    with transaction.atomic():
        return _save(actor, vision or Vision(), fields, "vision")


def theme_save(
    *, actor: AnyUser | None, theme: Theme | None, vision: Vision, fields: dict[str, Any]
) -> Theme:
    with transaction.atomic():
        return _save(actor, theme or Theme(vision=vision), fields, "theme")


def effect_goal_save(
    *,
    actor: AnyUser | None,
    goal: EffectGoal | None,
    fields: dict[str, Any],
    themes: Sequence[Theme] = (),
    principles: Sequence[models.Model] = (),
    indicators: Sequence[Indicator] = (),
) -> EffectGoal:
    with transaction.atomic():
        goal = _save(actor, goal or EffectGoal(), fields, "effect_goal")
        _set_m2m(actor, goal, "themes", themes, "effect_goal")
        _set_m2m(actor, goal, "principles", principles, "effect_goal")
        _set_m2m(actor, goal, "indicators", indicators, "effect_goal")
    return goal


# --- unit goals and their history ----------------------------------------------------------------


def _event(actor: AnyUser | None, goal: UnitGoal, kind: str, detail: str = "", reason: str = "") -> None:
    GoalEvent.objects.create(
        unit_goal=goal,
        kind=kind,
        actor=actor_user(actor),
        actor_name=actor_name(actor),
        detail=detail[:500],
        reason=reason,
    )


def unit_goal_create(
    *,
    actor: AnyUser | None,
    unit: Unit,
    fields: dict[str, Any],
    effect_goals: Sequence[EffectGoal] = (),
    indicators: Sequence[Indicator] = (),
) -> UnitGoal:
    with transaction.atomic():
        goal = _save(actor, UnitGoal(unit=unit), fields, "unit_goal")
        _event(actor, goal, GoalEvent.Kind.CREATED, unit.name)
        now = timezone.now()
        for effect_goal in effect_goals:
            GoalLink.objects.create(
                unit_goal=goal, effect_goal=effect_goal, valid_from=now, created_by=actor_user(actor)
            )
            _event(actor, goal, GoalEvent.Kind.LINKED, effect_goal.title_da)
        if indicators:
            goal.indicators.set(indicators)
    return goal


def unit_goal_update(
    *, actor: AnyUser | None, goal: UnitGoal, fields: dict[str, Any], indicators: Sequence[Indicator]
) -> UnitGoal:
    with transaction.atomic():
        changes = model_changes(goal, fields)
        _save(actor, goal, fields, "unit_goal")
        _set_m2m(actor, goal, "indicators", indicators, "unit_goal")
        if changes:
            _event(actor, goal, GoalEvent.Kind.EDITED, ", ".join(sorted(changes)))
    return goal


def current_links(goal: UnitGoal) -> list[GoalLink]:
    return list(goal.links.filter(valid_to__isnull=True).select_related("effect_goal"))


def unit_goal_relink(
    *, actor: AnyUser | None, goal: UnitGoal, effect_goals: Sequence[EffectGoal], reason: str = ""
) -> UnitGoal:
    """Point the goal at another set of effect goals; ended links are kept with their end date."""
    with transaction.atomic():
        now = timezone.now()
        wanted = {g.pk: g for g in effect_goals}
        open_links = {link.effect_goal_id: link for link in current_links(goal)}
        for pk, link in open_links.items():
            if pk not in wanted:
                link.valid_to = now
                link.save(update_fields=["valid_to"])
                _event(actor, goal, GoalEvent.Kind.UNLINKED, link.effect_goal.title_da, reason)
        for pk, effect_goal in wanted.items():
            if pk not in open_links:
                GoalLink.objects.create(
                    unit_goal=goal, effect_goal=effect_goal, valid_from=now, created_by=actor_user(actor)
                )
                _event(actor, goal, GoalEvent.Kind.LINKED, effect_goal.title_da, reason)
        audit_record(
            actor=actor,
            action="unit_goal.relink",
            obj=goal,
            changes={"effect_goals": [sorted(open_links), sorted(wanted)], "reason": [None, reason]},
        )
    return goal


def unit_goal_lift(*, actor: AnyUser | None, goal: UnitGoal, to_unit: Unit, reason: str) -> UnitGoal:
    """Lift a goal to a unit above its own (e.g. a team's goal becomes the department's)."""
    if to_unit.pk == goal.unit_id or not goal.unit.is_within(to_unit):
        raise GoalError("Et mål kan kun løftes til en enhed over den, det hører til.")
    with transaction.atomic():
        old = goal.unit
        goal.unit = to_unit
        goal.save(update_fields=["unit"])
        _event(actor, goal, GoalEvent.Kind.LIFTED, f"{old.name} → {to_unit.name}", reason)
        audit_record(
            actor=actor,
            action="unit_goal.lift",
            obj=goal,
            changes={"unit": [str(old.pk), str(to_unit.pk)], "reason": [None, reason]},
        )
    return goal


# --- interventions and their chains --------------------------------------------------------------


def intervention_save(
    *,
    actor: AnyUser | None,
    intervention: Intervention | None,
    fields: dict[str, Any],
    effect_goals: Sequence[EffectGoal] = (),
) -> Intervention:
    with transaction.atomic():
        intervention = _save(actor, intervention or Intervention(), fields, "intervention")
        _set_m2m(actor, intervention, "effect_goals", effect_goals, "intervention")
    return intervention


def partner_save(
    *, actor: AnyUser | None, intervention: Intervention, partner: Partner | None, fields: dict[str, Any]
) -> Partner:
    with transaction.atomic():
        return _save(actor, partner or Partner(intervention=intervention), fields, "partner")


def chain_node_save(
    *, actor: AnyUser | None, intervention: Intervention, node: ChainNode | None, fields: dict[str, Any]
) -> ChainNode:
    with transaction.atomic():
        return _save(actor, node or ChainNode(intervention=intervention), fields, "chain_node")


def chain_link_save(
    *, actor: AnyUser | None, intervention: Intervention, link: ChainLink | None, fields: dict[str, Any]
) -> ChainLink:
    with transaction.atomic():
        return _save(actor, link or ChainLink(intervention=intervention), fields, "chain_link")


def chain_row_delete(*, actor: AnyUser | None, row: Partner | ChainNode | ChainLink) -> None:
    """Delete a partner, node or link of an intervention (a node takes its links with it)."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=f"{row._meta.model_name}.delete",
            obj=row,
            changes={"intervention": [str(row.intervention_id), None]},
        )
        row.delete()


# --- indicators and measurements ------------------------------------------------------------------


def indicator_save(
    *,
    actor: AnyUser | None,
    indicator: Indicator | None,
    fields: dict[str, Any],
    milestones: Sequence[tuple[dt.date, Decimal]] | None = None,
) -> Indicator:
    with transaction.atomic():
        indicator = _save(actor, indicator or Indicator(), fields, "indicator")
        if milestones is not None:
            old = sorted((m.date, m.value) for m in indicator.milestones.all())
            new = sorted(milestones)
            if [(d, Decimal(v)) for d, v in old] != [(d, Decimal(v)) for d, v in new]:
                indicator.milestones.all().delete()
                Milestone.objects.bulk_create(Milestone(indicator=indicator, date=d, value=v) for d, v in new)
                audit_record(
                    actor=actor,
                    action="indicator.milestones",
                    obj=indicator,
                    changes={"milestones": [[f"{d}: {v}" for d, v in old], [f"{d}: {v}" for d, v in new]]},
                )
    return indicator


CREATED, CORRECTED, UNCHANGED = "created", "corrected", "unchanged"


def measurement_record(
    *,
    actor: AnyUser | None,
    indicator: Indicator,
    unit: Unit,
    period: dt.date,
    value: Decimal,
    weight: Decimal | None = None,
    comment: str = "",
    origin: str = Measurement.Origin.MANUAL,
) -> tuple[Measurement, str]:
    """Record one value; a different value for the same period is a correction that keeps the old
    one in MeasurementHistory. Returns the measurement and created / corrected / unchanged."""
    period = period_start(period, indicator.frequency)
    with transaction.atomic():
        now = timezone.now()
        existing = (
            Measurement.objects.select_for_update()
            .filter(indicator=indicator, unit=unit, period=period)
            .first()
        )
        if existing is None:
            measurement = Measurement.objects.create(
                indicator=indicator,
                unit=unit,
                period=period,
                value=value,
                weight=weight,
                comment=comment,
                origin=origin,
                entered_by=actor_user(actor),
                entered_at=now,
            )
            audit_record(
                actor=actor,
                action="measurement.create",
                obj=measurement,
                changes={
                    "value": [None, str(value)],
                    "period": [None, str(period)],
                    "unit": [None, str(unit.pk)],
                },
            )
            return measurement, CREATED
        if existing.value == value and existing.weight == weight and existing.comment == comment:
            return existing, UNCHANGED
        MeasurementHistory.objects.create(
            measurement=existing,
            value=numbers.usable(existing.value),
            weight=numbers.usable(existing.weight),
            comment=existing.comment,
            entered_by=existing.entered_by,
            entered_at=existing.entered_at,
            replaced_by=actor_user(actor),
            replaced_at=now,
        )
        changes = model_changes(existing, {"value": value, "weight": weight, "comment": comment})
        existing.value, existing.weight, existing.comment = value, weight, comment
        existing.origin, existing.entered_by, existing.entered_at = origin, actor_user(actor), now
        existing.save()
        audit_record(actor=actor, action="measurement.correct", obj=existing, changes=changes)
        return existing, CORRECTED


@dataclass(frozen=True)
class MeasurementInput:
    indicator: Indicator
    unit: Unit
    period: dt.date
    value: Decimal
    weight: Decimal | None = None
    comment: str = ""


def measurements_import(
    *, actor: AnyUser | None, rows: Sequence[MeasurementInput], origin: str = Measurement.Origin.IMPORT
) -> dict[str, int]:
    """Record many validated rows in one transaction; counts per outcome."""
    counts = {CREATED: 0, CORRECTED: 0, UNCHANGED: 0}
    with transaction.atomic():
        for row in rows:
            _m, outcome = measurement_record(
                actor=actor,
                indicator=row.indicator,
                unit=row.unit,
                period=row.period,
                value=row.value,
                weight=row.weight,
                comment=row.comment,
                origin=origin,
            )
            counts[outcome] += 1
    return counts


def status_override_set(
    *, actor: AnyUser | None, indicator: Indicator, unit: Unit, status: str | None, reason: str
) -> StatusOverride:
    """Override the computed status with a reason; status None returns to the computed one."""
    if not reason.strip():
        raise GoalError("En ændring af status kræver en begrundelse.")
    with transaction.atomic():
        row = StatusOverride.objects.create(
            indicator=indicator,
            unit=unit,
            status=status or "",
            cleared=status is None,
            reason=reason,
            by=actor_user(actor),
            by_name=actor_name(actor),
        )
        audit_record(
            actor=actor,
            action="status_override.clear" if status is None else "status_override.set",
            obj=row,
            changes={"status": [None, status], "reason": [None, reason], "unit": [None, str(unit.pk)]},
        )
    return row


# --- roll-outs -------------------------------------------------------------------------------------


def rollout_save(*, actor: AnyUser | None, rollout: Rollout | None, fields: dict[str, Any]) -> Rollout:
    with transaction.atomic():
        if rollout is None:
            rollout = Rollout(created_by=actor_user(actor))
        return _save(actor, rollout, fields, "rollout")


def rollout_state_set(
    *, actor: AnyUser | None, rollout: Rollout, unit: Unit, state: str, reason: str = "", note: str = ""
) -> RolloutState:
    if not unit.is_within(rollout.root_unit):
        raise GoalError("Enheden er ikke omfattet af udrulningen.")
    if state == RolloutState.State.NOT_RELEVANT and not reason.strip():
        raise GoalError("'Ikke relevant' kræver en begrundelse.")
    with transaction.atomic():
        row = RolloutState.objects.select_for_update().filter(rollout=rollout, unit=unit).first()
        fields = {"state": state, "reason": reason, "note": note}
        if row is None:
            row = RolloutState(rollout=rollout, unit=unit)
            changes = {k: [None, v] for k, v in fields.items()}
        else:
            changes = model_changes(row, fields)
        if row.pk is None or changes:
            row.state, row.reason, row.note = state, reason, note
            row.updated_by, row.updated_at = actor_user(actor), timezone.now()
            row.save()
            audit_record(actor=actor, action="rollout_state.set", obj=row, changes=changes)
    return row


def rollout_remind(*, actor: AnyUser | None, rollout: Rollout) -> None:
    """Send reminders to the leaders of units not started past the deadline (in the background)."""
    from kerne.goals.tasks import send_rollout_reminders

    with transaction.atomic():
        audit_record(actor=actor, action="rollout.remind", obj=rollout, changes={})
        transaction.on_commit(lambda: send_rollout_reminders.enqueue(rollout.pk))
