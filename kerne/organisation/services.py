"""Writes to the governance chain. Each runs in a transaction and leaves an audit row."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from kerne.accounts.audit import audit_record, model_changes
from kerne.accounts.roles import AnyUser
from kerne.foundation.models import Principle
from kerne.organisation.models import Engagement, Person, PipelineLevel, Task, Unit, path_segment


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


# --- Tasks, people, engagements and pipeline levels (pages and admin) ---------------------------


def task_create(
    *,
    actor: AnyUser | None,
    name_da: str,
    name_en: str = "",
    description_da: str = "",
    description_en: str = "",
    pipeline_level: PipelineLevel,
    unit_kind: str,
    principle: Principle | None = None,
) -> Task:
    with transaction.atomic():
        task = Task.objects.create(
            name_da=name_da,
            name_en=name_en,
            description_da=description_da,
            description_en=description_en,
            pipeline_level=pipeline_level,
            unit_kind=unit_kind,
            principle=principle,
        )
        audit_record(
            actor=actor,
            action="task.create",
            obj=task,
            changes={
                "name_da": [None, name_da],
                "pipeline_level": [None, pipeline_level.key],
                "unit_kind": [None, unit_kind],
                "principle": [None, principle.key if principle else None],
            },
        )
    return task


def task_update(
    *,
    actor: AnyUser | None,
    task: Task,
    name_da: str,
    name_en: str = "",
    description_da: str = "",
    description_en: str = "",
    pipeline_level: PipelineLevel,
    unit_kind: str,
    principle: Principle | None = None,
) -> Task:
    values: dict[str, Any] = {
        "name_da": name_da,
        "name_en": name_en,
        "description_da": description_da,
        "description_en": description_en,
        "pipeline_level": pipeline_level,
        "unit_kind": unit_kind,
        "principle": principle,
    }
    return _audited_update(actor=actor, obj=task, values=values, action="task.update")


def task_delete(*, actor: AnyUser | None, task: Task) -> None:
    with transaction.atomic():
        audit_record(actor=actor, action="task.delete", obj=task, changes={"name_da": [task.name_da, None]})
        task.delete()


def person_create(
    *, actor: AnyUser | None, name: str, email: str = "", external_key: str, user: User | None = None
) -> Person:
    with transaction.atomic():
        person = Person.objects.create(name=name, email=email, external_key=external_key, user=user)
        audit_record(
            actor=actor,
            action="person.create",
            obj=person,
            changes={"external_key": [None, external_key], "user": [None, user.pk if user else None]},
        )
    return person


def person_update(
    *, actor: AnyUser | None, person: Person, name: str, email: str, user: User | None
) -> Person:
    values: dict[str, Any] = {"name": name, "email": email, "user": user}
    return _audited_update(actor=actor, obj=person, values=values, action="person.update")


def engagement_update(
    *,
    actor: AnyUser | None,
    engagement: Engagement,
    title: str,
    is_leader: bool,
    is_primary: bool,
    pipeline_level: PipelineLevel | None,
    valid_from: dt.date,
    valid_to: dt.date | None,
) -> Engagement:
    values: dict[str, Any] = {
        "title": title,
        "is_leader": is_leader,
        "is_primary": is_primary,
        "pipeline_level": pipeline_level,
        "valid_from": valid_from,
        "valid_to": valid_to,
    }
    return _audited_update(actor=actor, obj=engagement, values=values, action="engagement.update")


def engagement_delete(*, actor: AnyUser | None, engagement: Engagement) -> None:
    """Remove an engagement entered by mistake (ended engagements are closed with valid_to instead)."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="engagement.delete",
            obj=engagement,
            changes={"unit": [str(engagement.unit_id), None], "person": [str(engagement.person_id), None]},
        )
        engagement.delete()


PIPELINE_TEXT_FIELDS = (
    "name_da",
    "name_en",
    "work_values_da",
    "work_values_en",
    "time_application_da",
    "time_application_en",
    "skills_da",
    "skills_en",
)


def pipeline_level_update(
    *, actor: AnyUser | None, level: PipelineLevel, texts: dict[str, str]
) -> PipelineLevel:
    """Edit a level's descriptive texts (its key and rank are fixed)."""
    values = {name: texts[name] for name in PIPELINE_TEXT_FIELDS if name in texts}
    with transaction.atomic():
        old = PipelineLevel.objects.select_for_update().get(pk=level.pk)
        changes = model_changes(old, values)
        for field_name, value in values.items():
            setattr(level, field_name, value)
        if changes:
            level.save(update_fields=list(values))
            audit_record(actor=actor, action="pipeline_level.update", obj=level, changes=changes)
    return level


ModelT = TypeVar("ModelT", bound=models.Model)


def _audited_update(*, actor: AnyUser | None, obj: ModelT, values: dict[str, Any], action: str) -> ModelT:
    """Set `values` on `obj`; when any differs from the locked database row, save those fields
    and record the old and new values in the audit log."""
    with transaction.atomic():
        old = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
        changes = model_changes(old, values)
        for field_name, value in values.items():
            setattr(obj, field_name, value)
        if changes:
            obj.save(update_fields=list(values))
            audit_record(actor=actor, action=action, obj=obj, changes=changes)
    return obj
