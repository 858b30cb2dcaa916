"""Writes to the governance chain. Each runs in a transaction and leaves an audit row."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from kerne.accounts.audit import audit_record, model_changes
from kerne.accounts.roles import AnyUser
from kerne.organisation.models import Engagement, Person, PipelineLevel, Unit, path_segment


class TreeError(ValueError):
    """A change that would break the tree (cycle, closed parent …)."""


def unit_create(
    *,
    actor: AnyUser | None,
    name: str,
    kind: str,
    external_key: str,
    parent: Unit | None,
    valid_from: dt.date | None = None,
) -> Unit:
    with transaction.atomic():
        unit = Unit(name=name, kind=kind, external_key=external_key, parent=parent, path="")
        if valid_from:
            unit.valid_from = valid_from
        # The path needs the id, so insert with a temporary unique path first.
        unit.path = f"~new-{external_key}"
        unit.save()
        unit.path = (parent.path if parent else "") + path_segment(unit.pk)
        unit.depth = parent.depth + 1 if parent else 0
        unit.save(update_fields=["path", "depth"])
        audit_record(actor=actor, action="unit.create", obj=unit, changes={"name": [None, name]})
    return unit


def unit_update(*, actor: AnyUser | None, unit: Unit, name: str, kind: str) -> Unit:
    with transaction.atomic():
        changes = model_changes(unit, {"name": name, "kind": kind})
        if changes:
            unit.name, unit.kind = name, kind
            unit.save(update_fields=["name", "kind"])
            audit_record(actor=actor, action="unit.update", obj=unit, changes=changes)
    return unit


def unit_move(*, actor: AnyUser | None, unit: Unit, new_parent: Unit | None) -> Unit:
    """Re-parent a unit; its whole subtree moves with it in one UPDATE."""
    if new_parent is not None and new_parent.is_within(unit):
        raise TreeError(f"{new_parent} ligger under {unit}; en enhed kan ikke flyttes ind under sig selv.")
    with transaction.atomic():
        old_path = unit.path
        new_path = (new_parent.path if new_parent else "") + path_segment(unit.pk)
        depth_shift = (new_parent.depth + 1 if new_parent else 0) - unit.depth
        changes = model_changes(unit, {"parent": new_parent})
        Unit.objects.subtree_of(unit).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + depth_shift,
        )
        unit.parent = new_parent
        unit.save(update_fields=["parent"])
        unit.refresh_from_db()
        audit_record(actor=actor, action="unit.move", obj=unit, changes=changes)
    return unit


def unit_close(*, actor: AnyUser | None, unit: Unit, valid_to: dt.date) -> int:
    """Close a unit and everything below it (never delete: old rounds report on them)."""
    with transaction.atomic():
        closed = Unit.objects.subtree_of(unit).filter(valid_to__isnull=True).update(valid_to=valid_to)
        audit_record(actor=actor, action="unit.close", obj=unit, changes={"valid_to": [None, str(valid_to)]})
    return closed


def engagement_create(
    *,
    actor: AnyUser | None,
    person: Person,
    unit: Unit,
    title: str = "",
    is_leader: bool = False,
    is_primary: bool = True,
    pipeline_level: PipelineLevel | None = None,
    valid_from: dt.date | None = None,
) -> Engagement:
    with transaction.atomic():
        engagement = Engagement.objects.create(
            person=person,
            unit=unit,
            title=title,
            is_leader=is_leader,
            is_primary=is_primary,
            pipeline_level=pipeline_level,
            valid_from=valid_from or dt.date(2000, 1, 1),
        )
        audit_record(
            actor=actor,
            action="engagement.create",
            obj=engagement,
            changes={"unit": [None, str(unit.pk)], "is_leader": [None, is_leader]},
        )
    return engagement
