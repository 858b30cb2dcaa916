"""Writing the audit log. Every service that changes goals, measurements, actions,
the tree, engagements, tasks or the foundation calls `audit_record` inside its
transaction, so the log and the change commit together."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import models

from kerne.accounts.models import AuditEntry


def actor_user(actor: Any) -> User | None:
    """The user behind a service call, or None for the system and anonymous visitors."""
    return actor if isinstance(actor, User) else None


def actor_name(actor: Any) -> str:
    """The name the audit log and history rows keep for the actor."""
    user = actor_user(actor)
    return user.get_username() if user else "system"


def audit_record(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    obj: models.Model,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor_user(actor),
        actor_name=actor_name(actor),
        action=action,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        changes=changes or {},
    )


def model_changes(obj: models.Model, new_values: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value differs; values as strings for JSON."""
    diff: dict[str, list[Any]] = {}
    for field, new in new_values.items():
        old = getattr(obj, field)
        if old != new:
            diff[field] = [_plain(old), _plain(new)]
    return diff


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, models.Model):
        return str(value.pk)
    return str(value)
