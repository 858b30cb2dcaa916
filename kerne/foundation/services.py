"""Writes to the leadership foundation. Each runs in a transaction and leaves an audit row.

The admin is the editing surface for administrators; its `save_model`/`delete_model`
hooks call these functions with the instance the admin form has filled in. Keys are
fixed once a row exists: surveys, goals, actions and changes link to them.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models, transaction

from kerne.accounts.audit import audit_record, model_changes
from kerne.accounts.roles import AnyUser
from kerne.foundation.models import Behaviour, Foundation, Principle, Value

Row = TypeVar("Row", Foundation, Behaviour, Value, Principle)


class FoundationError(ValueError):
    """A change the foundation refuses (e.g. renaming a key others link to)."""


def _editable_fields(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if not f.primary_key]


def _as_plain(value: Any) -> Any:
    return value if value is None or isinstance(value, (bool, int, float, str)) else str(value)


def _save(*, actor: AnyUser | None, obj: Row, action: str) -> Row:
    model = type(obj)
    fields = _editable_fields(model)
    with transaction.atomic():
        old = model.objects.select_for_update().filter(pk=obj.pk).first() if obj.pk else None
        if old is None:
            changes = {
                f: [None, _as_plain(getattr(obj, f))] for f in fields if getattr(obj, f) not in (None, "")
            }
            verb = "create"
        else:
            old_key, new_key = getattr(old, "key", None), getattr(obj, "key", None)
            if old_key != new_key:
                raise FoundationError(
                    f"Nøglen {old_key!r} kan ikke ændres: andre dele af Kerne henviser til den."
                )
            changes = model_changes(old, {f: getattr(obj, f) for f in fields})
            verb = "update"
        obj.save()
        if changes or verb == "create":
            audit_record(actor=actor, action=f"{action}.{verb}", obj=obj, changes=changes)
    return obj


def _delete(*, actor: AnyUser | None, obj: models.Model, action: str) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=f"{action}.delete",
            obj=obj,
            changes={"key": [getattr(obj, "key", str(obj.pk)), None]},
        )
        obj.delete()


def foundation_save(*, actor: AnyUser | None, foundation: Foundation) -> Foundation:
    """Create or update the foundation's framing texts (definition, values intro, governance)."""
    return _save(actor=actor, obj=foundation, action="foundation")


def behaviour_save(*, actor: AnyUser | None, behaviour: Behaviour) -> Behaviour:
    return _save(actor=actor, obj=behaviour, action="behaviour")


def behaviour_delete(*, actor: AnyUser | None, behaviour: Behaviour) -> None:
    """Delete a behaviour; refused by the database (ProtectedError) while a survey dimension uses it."""
    _delete(actor=actor, obj=behaviour, action="behaviour")


def value_save(*, actor: AnyUser | None, value: Value) -> Value:
    return _save(actor=actor, obj=value, action="value")


def value_delete(*, actor: AnyUser | None, value: Value) -> None:
    _delete(actor=actor, obj=value, action="value")


def principle_save(*, actor: AnyUser | None, principle: Principle) -> Principle:
    return _save(actor=actor, obj=principle, action="principle")


def principle_delete(*, actor: AnyUser | None, principle: Principle) -> None:
    _delete(actor=actor, obj=principle, action="principle")
