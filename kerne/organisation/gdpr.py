"""Personal data per person (GDPR): export everything Kerne holds about a person, or erase it.

Anonymous survey results are untouched by design: a response never refers to a person
(DESIGN §3.1), so erasing a person cannot change any result. What is erased: the name,
e-mail and external key on the person, the linked login, the person's name in the audit
log and on invitations (the invitation row stays, unlinked, so response rates stay right).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kerne.accounts.audit import audit_record
from kerne.accounts.models import AuditEntry
from kerne.accounts.roles import AnyUser
from kerne.organisation.models import Person

ERASED_NAME = "Slettet person"


def _invitation_export(invitation: Any, now: dt.datetime) -> dict[str, Any]:
    """One survey invitation. While its round is open, whether the person has answered is
    theirs to see; what they answered is never stored with them. Once the round has closed
    Kerne keeps no record of who answered (kerne/surveys/sealing.py, forget_respondents), and
    the export says so rather than report a "not answered" that is merely forgotten."""
    round_ = invitation.round
    # The surveys app's Round.Status values; "closed" also when its closing time has passed.
    closed = round_.status == "closed" or round_.closes_at <= now
    row: dict[str, Any] = {
        "round": round_.name,
        "round_status": "closed" if closed else "open",
        "answered": None if closed else invitation.answered,
        "rater_group": invitation.rater_group,
    }
    if closed:
        row["answered_note"] = _("Målingen er lukket: Kerne gemmer ikke, hvem der svarede.")
    return row


def person_export(person: Person) -> dict[str, Any]:
    """Everything Kerne stores about the person, as plain JSON-ready data."""
    now = timezone.now()
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
            _invitation_export(inv, now)
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
            # Again, in a new snapshot: on PostgreSQL, sealing a closed round moves its
            # invitation rows out and back in (kerne/surveys/sealing.py); a row moved while
            # the first UPDATE waited for it is found only now.
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
