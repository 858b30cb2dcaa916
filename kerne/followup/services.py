"""Writes of the follow-up: meeting cases, meetings, actions, proposals.

Each function runs in a transaction and leaves an audit row (`audit_record`), except the
posting of an unsigned proposal: an audit row names its actor and the time, which is
exactly what an unsigned proposal must not leave behind. They assume validated input
(forms and the API validate first); who may call them is decided in selectors.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from kerne.accounts.audit import audit_record
from kerne.accounts.roles import AnyUser
from kerne.followup.models import MEETING_DEADLINE_DAYS, Meeting, MeetingCase, RoundFollowup
from kerne.organisation.models import PATH_SEGMENT_WIDTH, Engagement, Unit
from kerne.surveys.models import InstrumentKind, Invitation, Round


class FollowupError(ValueError):
    """A change that breaks a rule of the follow-up; the message says which, for the user."""


def _user(actor: AnyUser | None) -> Any:
    return actor if actor is not None and actor.is_authenticated else None


def _name(actor: AnyUser | None) -> str:
    user = _user(actor)
    return user.get_username() if user else "system"


# --- dialogue meetings -----------------------------------------------------------------------------


def _round_units(round: Round) -> list[int]:
    """Ids of the round's units: every invited unit and the units above it, up to the target unit."""
    invited = set(Invitation.objects.filter(round=round).values_list("unit_id", flat=True).distinct())
    target = round.target_unit
    ids: set[int] = set()
    for start in range(0, len(invited), 5000):
        chunk = list(invited)[start : start + 5000]
        for path in Unit.objects.filter(pk__in=chunk).values_list("path", flat=True):
            if not path.startswith(target.path):
                continue
            ids.update(Unit(path=path).ancestor_ids())
            ids.add(int(path[-PATH_SEGMENT_WIDTH:], 36))
    top = set(target.ancestor_ids())
    return sorted(ids - top)


def followup_open(*, actor: AnyUser | None, round: Round, on: dt.date | None = None) -> RoundFollowup | None:
    """Open the follow-up of a released social-capital round: a meeting case for every unit of
    the round that has a leader, with the deadline `MEETING_DEADLINE_DAYS` after release.

    Idempotent: releasing again (after a withdrawal) opens no second case for a unit.
    Called by kerne.results.services.round_release inside its transaction.
    """
    if round.instrument.kind != InstrumentKind.SOCIAL_CAPITAL:
        return None
    today = on or timezone.localdate()
    with transaction.atomic():
        followup, created = RoundFollowup.objects.get_or_create(
            round=round,
            defaults={"released_on": today, "deadline": today + dt.timedelta(days=MEETING_DEADLINE_DAYS)},
        )
        unit_ids = _round_units(round)
        with_leader: set[int] = set()
        for start in range(0, len(unit_ids), 5000):
            with_leader.update(
                Engagement.objects.active(today)
                .filter(unit_id__in=unit_ids[start : start + 5000], is_leader=True)
                .values_list("unit_id", flat=True)
            )
        existing = set(followup.cases.values_list("unit_id", flat=True))
        new = [MeetingCase(followup=followup, unit_id=pk) for pk in sorted(with_leader - existing)]
        MeetingCase.objects.bulk_create(new, batch_size=2000)
        audit_record(
            actor=actor,
            action="round_followup.open" if created else "round_followup.reopen",
            obj=followup,
            changes={
                "cases": [len(existing), len(existing) + len(new)],
                "deadline": [None, str(followup.deadline)],
            },
        )
    return followup


def followup_deadline_set(
    *, actor: AnyUser | None, followup: RoundFollowup, deadline: dt.date
) -> RoundFollowup:
    """HR sets the meeting deadline of a round (for every unit)."""
    with transaction.atomic():
        locked = RoundFollowup.objects.select_for_update().get(pk=followup.pk)
        old = locked.deadline
        if old != deadline:
            locked.deadline = deadline
            locked.save(update_fields=["deadline"])
            audit_record(
                actor=actor,
                action="round_followup.deadline",
                obj=locked,
                changes={"deadline": [str(old), str(deadline)]},
            )
    followup.deadline = deadline
    return locked


def meeting_record(
    *, actor: AnyUser | None, case: MeetingCase, held_on: dt.date, participants: int, agreed: str
) -> Meeting:
    """Record (or correct) the held meeting: its date, how many took part, what was agreed."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().filter(case=case).first()
        values = {"held_on": held_on, "participants": participants, "agreed": agreed}
        if meeting is None:
            meeting = Meeting.objects.create(case=case, recorded_by=_user(actor), **values)
            changes = {k: [None, str(v)] for k, v in values.items()}
            action = "meeting.create"
        else:
            changes = {
                k: [str(getattr(meeting, k)), str(v)] for k, v in values.items() if getattr(meeting, k) != v
            }
            for key, value in values.items():
                setattr(meeting, key, value)
            meeting.recorded_by = _user(actor)
            meeting.save()
            action = "meeting.update"
        audit_record(actor=actor, action=action, obj=meeting, changes=changes)
    return meeting
