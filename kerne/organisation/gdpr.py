"""Personal data per person (GDPR): export everything Kerne holds about a person, or erase it.

Anonymous survey results are untouched by design: a response never refers to a person
(DESIGN §3.1), so erasing a person cannot change any result. What is erased: the name,
e-mail and external key on the person, the linked login, the person's name in the audit
log and on invitations (the invitation row stays, unlinked, so response rates stay right).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.apps import apps
from django.db import transaction

from kerne.accounts.audit import audit_record
from kerne.accounts.models import AuditEntry
from kerne.accounts.roles import AnyUser
from kerne.organisation.models import Person

ERASED_NAME = "Slettet person"


def person_export(person: Person) -> dict[str, Any]:
    """Everything Kerne stores about the person, as plain JSON-ready data."""
    user = person.user
    data: dict[str, Any] = {
        "person": {"name": person.name, "email": person.email, "external_key": person.external_key},
        "login": (
            {
                "username": user.get_username(),
                "email": user.email,
                "last_login": user.last_login.isoformat() if user.last_login else None,
                "date_joined": user.date_joined.isoformat(),
                "groups": sorted(user.groups.values_list("name", flat=True)),
            }
            if user
            else None
        ),
        "engagements": [
            {
                "unit": e.unit.name,
                "unit_key": e.unit.external_key,
                "title": e.title,
                "is_leader": e.is_leader,
                "is_primary": e.is_primary,
                "pipeline_level": e.pipeline_level.key if e.pipeline_level else None,
                "valid_from": e.valid_from.isoformat(),
                "valid_to": e.valid_to.isoformat() if e.valid_to else None,
            }
            for e in person.engagements.select_related("unit", "pipeline_level").order_by("valid_from")
        ],
        "survey_invitations": [
            # That the person answered is theirs to see; what they answered is not stored with them.
            {"round": inv.round.name, "answered": inv.answered, "rater_group": inv.rater_group}
            for inv in person.invitations.select_related("round").order_by("round__opens_at")
        ],
        "changes_made": [
            {"at": e.at.isoformat(), "action": e.action, "object": e.object_repr}
            for e in AuditEntry.objects.filter(actor=user).order_by("at")
        ]
        if user
        else [],
    }
    return data


def person_erase(*, actor: AnyUser | None, person: Person) -> None:
    """Erase the person's personal data, keeping anonymous and structural data intact."""
    with transaction.atomic():
        user = person.user
        old_name = person.name
        if user is not None:
            AuditEntry.objects.filter(actor=user).update(actor_name=ERASED_NAME, actor=None)
            user.delete()
        AuditEntry.objects.filter(object_type=Person._meta.label, object_id=str(person.pk)).update(
            object_repr=ERASED_NAME
        )
        if apps.is_installed("kerne.surveys"):
            person.invitations.update(person=None)
            person.evaluations.update(leader_name=ERASED_NAME)
        person.name = ERASED_NAME
        person.email = ""
        person.external_key = f"erased-{uuid.uuid4().hex}"
        person.user = None
        person.save(update_fields=["name", "email", "external_key", "user"])
        audit_record(
            actor=actor,
            action="person.erase",
            obj=person,
            changes={"name": ["(erased)", ERASED_NAME]} if old_name else {},
        )
