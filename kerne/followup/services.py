"""Writes of the follow-up: meeting cases, meetings, actions, proposals.

Each function runs in a transaction and leaves an audit row (`audit_record`), except the
posting of an unsigned proposal: an audit row names its actor and the time, which is
exactly what an unsigned proposal must not leave behind. They assume validated input
(forms and the API validate first); who may call them is decided in selectors.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kerne.accounts.audit import actor_name, actor_user, audit_record, model_changes
from kerne.accounts.roles import AnyUser
from kerne.followup.links import LinkTarget, link_code
from kerne.followup.models import (
    MEETING_DEADLINE_DAYS,
    Action,
    ActionLink,
    ActionNote,
    ActionStatusChange,
    Meeting,
    MeetingCase,
    Proposal,
    ProposalEvent,
    ProposalVote,
    RoundFollowup,
)
from kerne.organisation.models import PATH_SEGMENT_WIDTH, Engagement, Person, Unit
from kerne.surveys.models import InstrumentKind, Invitation, Round


class FollowupError(ValueError):
    """A change that breaks a rule of the follow-up; the message says which, for the user."""


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
            meeting = Meeting.objects.create(case=case, recorded_by=actor_user(actor), **values)
            changes = {k: [None, str(v)] for k, v in values.items()}
            action = "meeting.create"
        else:
            changes = {
                k: [str(getattr(meeting, k)), str(v)] for k, v in values.items() if getattr(meeting, k) != v
            }
            for key, value in values.items():
                setattr(meeting, key, value)
            meeting.recorded_by = actor_user(actor)
            meeting.save()
            action = "meeting.update"
        audit_record(actor=actor, action=action, obj=meeting, changes=changes)
    return meeting


# --- actions -------------------------------------------------------------------------------------


def _status_change(actor: AnyUser | None, action: Action, old: str, new: str, reason: str = "") -> None:
    ActionStatusChange.objects.create(
        action=action,
        from_status=old,
        to_status=new,
        reason=reason,
        actor=actor_user(actor),
        actor_name=actor_name(actor),
    )


def _add_links(actor: AnyUser | None, action: Action, targets: Sequence[LinkTarget]) -> None:
    existing = {link_code(link) for link in action.links.all()}
    for target in targets:
        if target.code in existing:
            continue
        ActionLink.objects.create(action=action, kind=target.kind, **target.fields)
        existing.add(target.code)
        audit_record(actor=actor, action="action.link", obj=action, changes={"link": [None, target.code]})


def action_create(
    *,
    actor: AnyUser | None,
    unit: Unit,
    title: str,
    description: str,
    owner: Person | None,
    deadline: dt.date,
    case: MeetingCase | None = None,
    links: Sequence[LinkTarget] = (),
) -> Action:
    with transaction.atomic():
        action = Action.objects.create(
            unit=unit,
            title=title,
            description=description,
            owner=owner,
            deadline=deadline,
            case=case,
            created_by=actor_user(actor),
        )
        _status_change(actor, action, "", Action.Status.PLANNED)
        audit_record(
            actor=actor,
            action="action.create",
            obj=action,
            changes={
                "unit": [None, unit.pk],
                "title": [None, title],
                "owner": [None, owner.pk if owner else None],
                "deadline": [None, str(deadline)],
                "case": [None, case.pk if case else None],
            },
        )
        _add_links(actor, action, links)
    return action


def action_update(
    *,
    actor: AnyUser | None,
    action: Action,
    title: str,
    description: str,
    owner: Person | None,
    deadline: dt.date,
) -> Action:
    with transaction.atomic():
        values = {"title": title, "description": description, "owner": owner, "deadline": deadline}
        changes = model_changes(action, values)
        if changes:
            for key, value in values.items():
                setattr(action, key, value)
            action.save()
            audit_record(actor=actor, action="action.update", obj=action, changes=changes)
    return action


def action_status_set(*, actor: AnyUser | None, action: Action, status: str, reason: str = "") -> Action:
    """Move an action to `status`; dropping needs a reason (kept in the status history)."""
    if status not in Action.Status.values:
        raise FollowupError(_("Ukendt status: %(status)s") % {"status": status})
    reason = reason.strip()
    if status == Action.Status.DROPPED and not reason:
        raise FollowupError(_("Skriv hvorfor handlingen opgives."))
    with transaction.atomic():
        locked = Action.objects.select_for_update().get(pk=action.pk)
        old = locked.status
        if old == status and status != Action.Status.DROPPED:
            return locked
        locked.status = status
        locked.dropped_reason = reason if status == Action.Status.DROPPED else ""
        locked.save(update_fields=["status", "dropped_reason", "updated"])
        _status_change(actor, locked, old, status, reason)
        audit_record(
            actor=actor,
            action="action.status",
            obj=locked,
            changes={"status": [old, status], "reason": [None, reason]},
        )
    action.status, action.dropped_reason = locked.status, locked.dropped_reason
    return locked


def action_note_add(
    *, actor: AnyUser | None, action: Action, text: str, on: dt.date | None = None
) -> ActionNote:
    with transaction.atomic():
        note = ActionNote.objects.create(
            action=action,
            on=on or timezone.localdate(),
            text=text,
            author=actor_user(actor),
            author_name=_author_name(actor),
        )
        audit_record(actor=actor, action="action.note", obj=action, changes={"note": [None, text[:300]]})
    return note


def action_links_set(*, actor: AnyUser | None, action: Action, targets: Sequence[LinkTarget]) -> Action:
    """Replace what the action addresses with `targets` (removed links are audited too)."""
    with transaction.atomic():
        wanted = {t.code for t in targets}
        for link in list(action.links.all()):
            code = link_code(link)
            if code not in wanted:
                link.delete()
                audit_record(actor=actor, action="action.unlink", obj=action, changes={"link": [code, None]})
        _add_links(actor, action, targets)
    return action


def _author_name(actor: AnyUser | None) -> str:
    user = actor_user(actor)
    if user is None:
        return "system"
    person = getattr(user, "person", None)
    return person.name if person is not None else user.get_full_name() or user.get_username()


# --- improvement proposals -------------------------------------------------------------------------


def _handler(unit: Unit) -> Unit | None:
    """The unit whose leader answers a proposal to `unit`: the unit itself or the nearest above it
    with a leader (None when there is none)."""
    leading = set(
        Engagement.objects.active()
        .filter(unit_id__in=[*unit.ancestor_ids(), unit.pk], is_leader=True)
        .values_list("unit_id", flat=True)
    )
    if unit.pk in leading:
        return unit
    for pk in reversed(unit.ancestor_ids()):
        if pk in leading:
            return Unit.objects.get(pk=pk)
    return None


def proposal_post(
    *, author: Person, unit: Unit, what: str, why: str, effect: str, signed: bool = True
) -> Proposal:
    """Post an improvement proposal to `unit`.

    Unsigned: no author is stored anywhere — not on the proposal, not in the audit log (an
    audit row names its actor and the time), not in a task or an e-mail — and the only time
    kept is the date. The id is random, and the table has no rowid order (migration 0002).
    """
    with transaction.atomic():
        proposal = Proposal.objects.create(
            unit=unit,
            handler_unit=_handler(unit) or unit,
            what=what,
            why=why,
            effect=effect,
            author=author if signed else None,
            created_on=timezone.localdate(),
        )
        if signed and author.user is not None:
            audit_record(
                actor=author.user, action="proposal.post", obj=proposal, changes={"signed": [None, True]}
            )
    return proposal


def proposal_hide(*, actor: AnyUser | None, proposal: Proposal, reason: str) -> Proposal:
    reason = reason.strip()
    if not reason:
        raise FollowupError(_("Skriv hvorfor forslaget skjules."))
    with transaction.atomic():
        proposal.hidden = True
        proposal.hidden_reason = reason
        proposal.save(update_fields=["hidden", "hidden_reason"])
        _proposal_event(actor, proposal, ProposalEvent.Kind.HIDDEN, reason)
        audit_record(
            actor=actor, action="proposal.hide", obj=proposal, changes={"hidden_reason": [None, reason]}
        )
    return proposal


def _proposal_event(actor: AnyUser | None, proposal: Proposal, kind: str, detail: str) -> None:
    ProposalEvent.objects.create(
        proposal=proposal, kind=kind, detail=detail, actor=actor_user(actor), actor_name=_author_name(actor)
    )


def proposal_answer(
    *,
    actor: AnyUser | None,
    proposal: Proposal,
    decision: str,
    text: str = "",
    parked_until: dt.date | None = None,
    action_title: str = "",
    action_owner: Person | None = None,
    action_deadline: dt.date | None = None,
) -> Proposal:
    """The leader's answer: accepted (creates the linked action), declined (with a reason),
    parked until a date, or passed up to the leader above (who then answers it)."""
    text = text.strip()
    if proposal.hidden:
        raise FollowupError(_("Et skjult forslag kan ikke besvares."))
    with transaction.atomic():
        if decision == "passed_up":
            parent = proposal.handler_unit.parent
            upper = _handler(parent) if parent is not None else None
            if upper is None:
                raise FollowupError(_("Der er ingen leder over, som forslaget kan sendes videre til."))
            old = proposal.handler_unit
            proposal.handler_unit = upper
            proposal.status = Proposal.Status.OPEN
            proposal.save(update_fields=["handler_unit", "status"])
            _proposal_event(
                actor, proposal, ProposalEvent.Kind.PASSED_UP, f"{old.name} → {upper.name}. {text}".strip()
            )
            audit_record(
                actor=actor,
                action="proposal.pass_up",
                obj=proposal,
                changes={"handler_unit": [old.pk, upper.pk], "text": [None, text]},
            )
            return proposal
        if decision == Proposal.Status.DECLINED and not text:
            raise FollowupError(_("Skriv hvorfor forslaget afvises; begrundelsen vises for enheden."))
        if decision == Proposal.Status.PARKED and (
            parked_until is None or parked_until <= timezone.localdate()
        ):
            raise FollowupError(_("Vælg en dato i fremtiden, som forslaget parkeres til."))
        if decision not in (Proposal.Status.ACCEPTED, Proposal.Status.DECLINED, Proposal.Status.PARKED):
            raise FollowupError(_("Vælg et svar."))
        if decision == Proposal.Status.ACCEPTED:
            if action_deadline is None or not action_title.strip():
                raise FollowupError(_("Et accepteret forslag bliver en handling: skriv titel og frist."))
            proposal.action = action_create(
                actor=actor,
                unit=proposal.unit,
                title=action_title.strip(),
                description="\n\n".join(p for p in (proposal.what, proposal.why, proposal.effect) if p),
                owner=action_owner,
                deadline=action_deadline,
            )
        old_status = proposal.status
        proposal.status = decision
        proposal.answer = text
        proposal.parked_until = parked_until if decision == Proposal.Status.PARKED else None
        proposal.answered_on = timezone.localdate()
        proposal.answered_by = actor_user(actor)
        proposal.save()
        _proposal_event(actor, proposal, ProposalEvent.Kind.ANSWERED, f"{decision}: {text}".strip())
        audit_record(
            actor=actor,
            action="proposal.answer",
            obj=proposal,
            changes={
                "status": [old_status, decision],
                "answer": [None, text],
                "action": [None, proposal.action_id],
            },
        )
    return proposal


def proposal_support(*, person: Person, proposal: Proposal, support: bool = True) -> int:
    """Support a proposal once (or withdraw the support); returns the count.

    Not audited: an audit row would name the supporter and the time, and the first supporter
    of an unsigned proposal is often its author. The vote row holds only a keyed hash.
    """
    from kerne.followup.selectors import voter_hash

    key = voter_hash(proposal, person)
    with transaction.atomic():
        if support:
            ProposalVote.objects.get_or_create(proposal=proposal, voter_hash=key)
        else:
            ProposalVote.objects.filter(proposal=proposal, voter_hash=key).delete()
    return ProposalVote.objects.filter(proposal=proposal).count()
