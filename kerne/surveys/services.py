"""Writes for survey rounds: create, edit, 360 raters, launch, remind, close, paper codes.

Tokens (DESIGN §3.2) exist in plain text only in the e-mail and on the printed sheet:

- An invitation is created with the hash of a random token that is thrown away at once,
  so it cannot be used until a token is *issued*.
- Sending an e-mail issues a fresh token (tasks.py): the worker draws it, puts it in the
  e-mail, and stores only its hash. The task's stored arguments hold ids, never tokens.
- Printing paper codes issues fresh codes for the printed invitations (below).
- A reminder issues a fresh token too, so the link in the newest e-mail is the one that
  works. `Invitation.emailed` means "the token in force went out by e-mail": reminders go
  only to those, never to people whose token in force is a printed code.
- "Svar nu" on an employee's own page ("Mine målinger") issues a fresh token too, and
  sends the logged-in employee straight to the answer page with it
  (`invitation_fresh_token`).

Every function runs in one transaction and writes an audit row, except
`invitation_fresh_token` (see there why); e-mails are enqueued with
`transaction.on_commit`, so nothing is sent for a launch that rolled back.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kerne.accounts.audit import audit_record, model_changes
from kerne.accounts.roles import AnyUser
from kerne.organisation.models import Engagement, Person, Unit
from kerne.surveys import pooling, tokens
from kerne.surveys.models import (
    Evaluation,
    Instrument,
    InstrumentKind,
    Invitation,
    OpenLink,
    RaterGroup,
    Round,
    hash_secret,
)
from kerne.surveys.raters import Post, answering_posts, leader_units, proposal_for_leader
from kerne.surveys.selectors import open_round_condition

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)


class RoundError(ValueError):
    """Input a round cannot take. `errors` maps a field name (or "__all__") to a message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


def _unusable_hash() -> str:
    """The hash of a random token nobody ever sees: an invitation waiting for its token."""
    return hash_secret(tokens.new_token())


# --------------------------------------------------------------------------- rounds


def round_validate(
    *,
    instrument: Instrument | None,
    target_unit: Unit | None,
    opens_at: dt.datetime | None,
    closes_at: dt.datetime | None,
    cut_off_date: dt.date | None,
    k: int | None,
    comment_k: int | None,
    languages: Sequence[str],
    mode: str,
    name: str = "x",
) -> dict[str, str]:
    """Every problem with a round's fields, by field. Empty when all is well."""
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Giv målingen et navn.")
    if instrument is None:
        errors["instrument"] = _("Vælg en spørgeramme.")
    if target_unit is None:
        errors["target_unit"] = _("Vælg den enhed, hvis medarbejdere (alle under den) skal spørges.")
    if k is None or k < settings.KERNE_MIN_K:
        errors["k"] = _(
            "Anonymitetsgrænsen k skal være mindst %(min)d: et resultat vises aldrig for færre "
            "end %(min)d besvarelser (DESIGN §3.3)."
        ) % {"min": settings.KERNE_MIN_K}
    if comment_k is None or (k is not None and comment_k < k):
        errors["comment_k"] = _("Grænsen for kommentarer skal være mindst lige så høj som k (%(k)s).") % {
            "k": k if k is not None else settings.KERNE_MIN_K
        }
    if opens_at is None:
        errors["opens_at"] = _("Angiv hvornår målingen åbner.")
    if closes_at is None:
        errors["closes_at"] = _("Angiv hvornår målingen lukker.")
    elif opens_at is not None and closes_at <= opens_at:
        errors["closes_at"] = _("Målingen skal lukke efter den åbner.")
    if cut_off_date is None:
        errors["cut_off_date"] = _("Angiv skæringsdatoen for, hvem der inviteres.")
    if not languages:
        errors["languages"] = _("Vælg mindst ét sprog.")
    elif any(code not in LANGUAGE_CODES for code in languages):
        errors["languages"] = _("Ukendt sprog: vælg mellem %(codes)s.") % {"codes": ", ".join(LANGUAGE_CODES)}
    if mode not in Round.Mode.values:
        errors["mode"] = _("Vælg personlige invitationer eller åbent link.")
    elif instrument is not None:
        if instrument.kind == InstrumentKind.CITIZEN and mode != Round.Mode.OPEN_LINK:
            errors["mode"] = _("Borgerspørgerammer bruges med åbent link (borgere har ingen invitation).")
        if (
            instrument.kind in (InstrumentKind.SOCIAL_CAPITAL, InstrumentKind.LEADERSHIP_360)
            and mode != Round.Mode.INVITED
        ):
            errors["mode"] = _(
                "Social kapital og ledelsesevaluering kræver personlige invitationer: kun sådan "
                "svarer hver medarbejder én gang, for sin egen enhed."
            )
    if target_unit is not None and cut_off_date is not None and not target_unit.is_active(cut_off_date):
        errors["target_unit"] = _("Enheden findes ikke på skæringsdatoen.")
    return errors


def round_create(
    *,
    actor: AnyUser | None,
    name: str,
    instrument: Instrument,
    target_unit: Unit,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    cut_off_date: dt.date,
    k: int = settings.KERNE_DEFAULT_K,
    comment_k: int | None = None,
    languages: Sequence[str] = ("da", "en"),
    mode: str = Round.Mode.INVITED,
) -> Round:
    comment_k = k if comment_k is None else comment_k
    errors = round_validate(
        name=name,
        instrument=instrument,
        target_unit=target_unit,
        opens_at=opens_at,
        closes_at=closes_at,
        cut_off_date=cut_off_date,
        k=k,
        comment_k=comment_k,
        languages=languages,
        mode=mode,
    )
    if errors:
        raise RoundError(errors)
    with transaction.atomic():
        round_ = Round.objects.create(
            name=name.strip(),
            instrument=instrument,
            target_unit=target_unit,
            opens_at=opens_at,
            closes_at=closes_at,
            cut_off_date=cut_off_date,
            k=k,
            comment_k=comment_k,
            languages=list(languages),
            mode=mode,
            created_by=actor if actor is not None and actor.is_authenticated else None,
        )
        audit_record(
            actor=actor,
            action="round.create",
            obj=round_,
            changes={"instrument": [None, str(instrument)], "target_unit": [None, target_unit.name]},
        )
    return round_


def round_update(
    *,
    actor: AnyUser | None,
    round: Round,
    name: str,
    instrument: Instrument,
    target_unit: Unit,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    cut_off_date: dt.date,
    k: int,
    comment_k: int,
    languages: Sequence[str],
    mode: str,
) -> Round:
    """Edit a round while it is a draft; after launch its terms are fixed."""
    if round.status != Round.Status.DRAFT:
        raise RoundError({"__all__": _("Kun en kladde kan redigeres; målingen er sat i gang.")})
    errors = round_validate(
        name=name,
        instrument=instrument,
        target_unit=target_unit,
        opens_at=opens_at,
        closes_at=closes_at,
        cut_off_date=cut_off_date,
        k=k,
        comment_k=comment_k,
        languages=languages,
        mode=mode,
    )
    has_evaluations = round.evaluations.exists()
    if has_evaluations and (
        instrument.pk != round.instrument_id
        or target_unit.pk != round.target_unit_id
        or cut_off_date != round.cut_off_date
    ):
        errors["__all__"] = _(
            "Spørgeramme, målgruppe og skæringsdato kan ikke ændres, når der er valgt ledere til "
            "evaluering: fjern evalueringerne først (bedømmerne er foreslået ud fra dem)."
        )
    if errors:
        raise RoundError(errors)
    values: dict[str, Any] = {
        "name": name.strip(),
        "instrument": instrument,
        "target_unit": target_unit,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "cut_off_date": cut_off_date,
        "k": k,
        "comment_k": comment_k,
        "languages": list(languages),
        "mode": mode,
    }
    with transaction.atomic():
        changes = model_changes(round, values)
        if changes:
            for field, value in values.items():
                setattr(round, field, value)
            round.save()
            audit_record(actor=actor, action="round.update", obj=round, changes=changes)
    return round


@dataclass(frozen=True)
class LaunchSummary:
    invitations: int
    to_email: int
    without_email: int
    open_links: int


def launch_preview(round: Round) -> LaunchSummary:
    """What launching would create and send, without changing anything."""
    if round.mode == Round.Mode.OPEN_LINK:
        return LaunchSummary(0, 0, 0, max(1, round.open_links.count()))
    if round.instrument.kind == InstrumentKind.LEADERSHIP_360:
        rows = list(round.invitations.values_list("person__email", flat=True))
    else:
        people = invitation_plan(round)
        emails = dict(Person.objects.filter(pk__in=[p for p, _u in people]).values_list("pk", "email"))
        rows = [emails.get(p, "") for p, _u in people]
    with_email = sum(1 for e in rows if e)
    return LaunchSummary(len(rows), with_email, len(rows) - with_email, 0)


def round_tree_freeze(round: Round) -> tuple[list[int], list[int]]:
    """Freeze the round's tree as it is now, with its thresholds (kerne.results.models.RoundTree):
    the target's subtree in pre-order and each unit's parent index. Results and response
    rates are reported on it, whatever reorganisation follows (DESIGN §3.4)."""
    from kerne.results.models import RoundTree
    from kerne.results.rollup import current_tree, frozen_tree_fields

    tree = current_tree(round.target_unit)
    RoundTree.objects.update_or_create(round=round, defaults=frozen_tree_fields(round, tree))
    return [int(u) for u in tree.unit_ids], [int(p) for p in tree.parent]


def round_launch(*, actor: AnyUser | None, round: Round) -> LaunchSummary:
    """Open a draft round: freeze its tree, create its invitations (or open links), send the e-mails."""
    from kerne.surveys.tasks import send_invitations

    if round.status != Round.Status.DRAFT:
        raise RoundError({"__all__": _("Målingen er allerede sat i gang.")})
    if round.closes_at <= timezone.now():
        raise RoundError(
            {"closes_at": _("Lukketidspunktet er passeret: ret det, før målingen sættes i gang.")}
        )
    is_360 = round.instrument.kind == InstrumentKind.LEADERSHIP_360
    if round.instrument.items.count() == 0:
        raise RoundError({"instrument": _("Spørgerammen har ingen spørgsmål.")})
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=round.pk)
        if locked.status != Round.Status.DRAFT:
            raise RoundError({"__all__": _("Målingen er allerede sat i gang.")})
        tree = round_tree_freeze(round)
        links = 0
        if round.mode == Round.Mode.OPEN_LINK:
            if not round.open_links.exists():
                open_links_set(actor=actor, round=round, units=[round.target_unit])
            links = round.open_links.count()
        elif is_360:
            if not round.evaluations.exists():
                raise RoundError({"__all__": _("Vælg mindst én leder, der skal evalueres.")})
            if not round.invitations.exists():
                raise RoundError({"__all__": _("Evalueringerne har ingen bedømmere.")})
        else:
            if invitations_create(round=round, tree=tree) == 0:
                raise RoundError(
                    {"target_unit": _("Ingen personer var ansat i målgruppen på skæringsdatoen.")}
                )
        round.status = Round.Status.OPEN
        round.save(update_fields=["status"])
        emails = round.invitations.exclude(person__email="").filter(person__isnull=False).count()
        total = round.invitations.count()
        audit_record(
            actor=actor,
            action="round.launch",
            obj=round,
            changes={"status": ["draft", "open"], "invitations": [None, total], "open_links": [None, links]},
        )
        if emails:
            round_id = round.pk
            transaction.on_commit(lambda: send_invitations.enqueue(round_id))
    return LaunchSummary(total, emails, total - emails, links)


def round_remind(*, actor: AnyUser | None, round: Round) -> int:
    """Queue a reminder (with a fresh link) to everyone whose e-mailed invitation is unanswered."""
    from kerne.surveys.tasks import send_reminders

    if round.status != Round.Status.OPEN or round.closes_at <= timezone.now():
        raise RoundError({"__all__": _("Der kan kun sendes påmindelser, mens målingen er åben.")})
    with transaction.atomic():
        count = reminder_recipients(round).count()
        audit_record(actor=actor, action="round.remind", obj=round, changes={"reminders": [None, count]})
        if count:
            round_id = round.pk
            transaction.on_commit(lambda: send_reminders.enqueue(round_id))
    return count


def reminder_recipients(round: Round) -> Any:
    return round.invitations.filter(answered=False, emailed=True, person__isnull=False).exclude(
        person__email=""
    )


def round_close(*, actor: AnyUser | None, round: Round) -> Round:
    """Close an open round now: no more answers are taken, and the answers are sealed
    (kerne/surveys/sealing.py) in the background.

    In the same transaction the invitations forget who answered and what told when within
    the round each person answered (`sealing.forget_respondents`: the answered flag, reminder
    counts, e-mailed or printed). Nothing needs the flag afterwards: the claim that refuses a
    second answer re-checks that the round is open (submission.py), and results and response
    rates count responses. On SQLite the write-ahead log is emptied once that has committed
    (journal.py); on PostgreSQL the seal that follows rewrites the cleared rows in random
    order and VACUUMs the old versions away (sealing.py).
    """
    from kerne.surveys import journal
    from kerne.surveys.sealing import forget_respondents
    from kerne.surveys.tasks import seal_round

    if round.status != Round.Status.OPEN:
        raise RoundError({"__all__": _("Kun en åben måling kan lukkes.")})
    with transaction.atomic():
        now = timezone.now()
        changes: dict[str, list[Any]] = {"status": ["open", "closed"]}
        round.status = Round.Status.CLOSED
        if round.closes_at > now > round.opens_at:
            changes["closes_at"] = [str(round.closes_at), str(now)]
            round.closes_at = now
        round.save(update_fields=["status", "closes_at"])
        forget_respondents([round.pk])
        audit_record(actor=actor, action="round.close", obj=round, changes=changes)
        round_id = round.pk
        transaction.on_commit(journal.wal_truncate)
        transaction.on_commit(lambda: seal_round.enqueue(round_id))
    return round


# ----------------------------------------------------------------------- invitations


def invitation_fresh_token(*, invitation: Invitation) -> str:
    """Issue a fresh token for an unanswered invitation in an open round and return it, for
    the employee who answers from their own page (views.my_survey_answer). Only its hash is
    stored; the token in force until now (an e-mailed link or a printed paper code) stops
    working, exactly as when a reminder is sent. `emailed` is left as it is, so e-mail
    reminders still reach the employee.

    No audit row and no timestamp of any kind are written here, on purpose: a row saying
    "this person fetched a fresh link at 10:02" would tell when that person was about to
    answer, and next to the responses' dates (or a response count watched live) it could
    point to their answer. The invitation keeps only *that* it was answered (DESIGN §3.2).

    The UPDATE is conditional on the invitation still being unanswered and its round open,
    so a race with a submission can never turn an answered invitation back into one that
    takes answers. Raises RoundError when nothing matched (answered, or the round closed).
    """
    token = tokens.new_token()
    # The conditions on the invitation's own row (not through a join), as in the
    # submission's claim: PostgreSQL re-checks them on the row a concurrent submit wrote.
    open_rounds = Round.objects.filter(open_round_condition(timezone.now())).values("pk")
    updated = Invitation.objects.filter(pk=invitation.pk, answered=False, round_id__in=open_rounds).update(
        token_hash=hash_secret(token)
    )
    if not updated:
        raise RoundError({"__all__": _("Invitationen kan ikke længere besvares.")})
    invitation.token_hash = hash_secret(token)
    return token


def invitation_plan(round: Round) -> list[tuple[int, int]]:
    """(person id, unit id) for everyone to invite: engagements active on the cut-off date
    in active units of the target subtree, one per person (the primary engagement, else
    the first by unit path). The unit is fixed here and is the unit the answers count for.
    """
    day = round.cut_off_date
    units = dict(Unit.objects.active(day).subtree_of(round.target_unit).values_list("pk", "path"))
    posts = (
        Post(person_id, unit_id, is_leader, is_primary)
        for person_id, unit_id, is_leader, is_primary in Engagement.objects.active(day)
        .filter(unit_id__in=Unit.objects.active(day).subtree_of(round.target_unit).values("pk"))
        .values_list("person_id", "unit_id", "is_leader", "is_primary")
        .iterator(chunk_size=5000)
    )
    chosen = answering_posts((p for p in posts if p.unit_id in units), units)
    return sorted(((person, post.unit_id) for person, post in chosen.items()), key=lambda row: row[0])


def plan_response_units(
    round: Round, plan: Sequence[tuple[int, int]], tree: tuple[list[int], list[int]]
) -> dict[int, int]:
    """Unit id → the unit its invitees' answers are stored on (kerne/surveys/pooling.py), for
    the invitations of `plan` on the round's frozen `tree` (unit ids, parent indices)."""
    invited: dict[int, int] = {}
    for _person, unit in plan:
        invited[unit] = invited.get(unit, 0) + 1
    unit_ids, parent_index = tree
    return pooling.response_units(unit_ids, parent_index, invited, round.k)


def invitations_create(*, round: Round, tree: tuple[list[int], list[int]] | None = None) -> int:
    """Create the round's invitations (see `invitation_plan`), each with the unit its answers
    will be stored on (`plan_response_units`); returns how many."""
    plan = invitation_plan(round)
    stored_on = plan_response_units(round, plan, tree or round_tree_freeze(round))
    Invitation.objects.bulk_create(
        [
            Invitation(
                round=round,
                person_id=person,
                unit_id=unit,
                response_unit_id=stored_on.get(unit, round.target_unit_id),
                rater_group=RaterGroup.EMPLOYEE,
                token_hash=_unusable_hash(),
            )
            for person, unit in plan
        ],
        batch_size=2000,
    )
    return len(plan)


# ------------------------------------------------------------------------------ 360


def leaders_in_target(round: Round) -> list[tuple[Person, Unit]]:
    """Leaders who can be evaluated: an active leader engagement in the target on the cut-off."""
    day = round.cut_off_date
    engagements = (
        Engagement.objects.active(day)
        .filter(is_leader=True, unit__in=Unit.objects.active(day).subtree_of(round.target_unit))
        .select_related("person", "unit")
        .order_by("unit__path", "person__name")
    )
    seen: dict[int, tuple[Person, Unit]] = {}
    for engagement in engagements:
        seen.setdefault(engagement.person_id, (engagement.person, engagement.unit))
    return list(seen.values())


def _require_draft_360(round: Round) -> None:
    if round.instrument.kind != InstrumentKind.LEADERSHIP_360:
        raise RoundError({"__all__": _("Kun ledelsesevalueringer (360) har ledere og bedømmere.")})
    if round.status != Round.Status.DRAFT:
        raise RoundError({"__all__": _("Bedømmerne kan kun ændres, før målingen sættes i gang.")})


def evaluation_add(*, actor: AnyUser | None, round: Round, leader: Person) -> Evaluation:
    """Add a leader to evaluate, with the raters proposed from the tree (raters.py)."""
    _require_draft_360(round)
    units = leader_units(leader, round.cut_off_date, within=round.target_unit)
    if not units:
        raise RoundError(
            {
                "leader": _("%(name)s leder ingen enhed i målgruppen på skæringsdatoen.")
                % {"name": leader.name}
            }
        )
    if round.evaluations.filter(leader=leader).exists():
        raise RoundError({"leader": _("%(name)s er allerede valgt.") % {"name": leader.name}})
    unit = units[0]
    proposal = proposal_for_leader(leader=leader, unit=unit, on=round.cut_off_date)
    with transaction.atomic():
        evaluation = Evaluation.objects.create(round=round, leader=leader, leader_name=leader.name, unit=unit)
        Invitation.objects.bulk_create(
            [
                Invitation(
                    round=round,
                    person=row.person,
                    unit=unit,  # 360 answers count for the evaluated leader's unit, never the rater's
                    rater_group=row.rater_group,
                    evaluation=evaluation,
                    token_hash=_unusable_hash(),
                )
                for row in proposal
            ]
        )
        audit_record(
            actor=actor,
            action="evaluation.add",
            obj=evaluation,
            changes={"leader": [None, leader.name], "raters": [None, len(proposal)]},
        )
    return evaluation


def evaluations_add(*, actor: AnyUser | None, round: Round, leaders: Iterable[Person]) -> list[Evaluation]:
    with transaction.atomic():
        return [evaluation_add(actor=actor, round=round, leader=leader) for leader in leaders]


def evaluation_remove(*, actor: AnyUser | None, evaluation: Evaluation) -> None:
    _require_draft_360(evaluation.round)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="evaluation.remove",
            obj=evaluation,
            changes={"leader": [evaluation.leader_name, None]},
        )
        evaluation.delete()


def _check_group(
    evaluation: Evaluation, person: Person, group: str, exclude: Invitation | None = None
) -> None:
    if group not in RaterGroup.values or group == RaterGroup.CITIZEN:
        raise RoundError({"rater_group": _("Ukendt bedømmergruppe.")})
    if group == RaterGroup.SELF and person.pk != evaluation.leader_id:
        raise RoundError(
            {"rater_group": _("Kun den evaluerede leder selv kan være i gruppen 'Lederen selv'.")}
        )
    if person.pk == evaluation.leader_id and group != RaterGroup.SELF:
        raise RoundError(
            {"rater_group": _("Den evaluerede leder kan kun bedømme sig selv i gruppen 'Lederen selv'.")}
        )
    if group == RaterGroup.MANAGER:
        others = evaluation.invitations.filter(rater_group=RaterGroup.MANAGER)
        if exclude is not None:
            others = others.exclude(pk=exclude.pk)
        if others.exists():
            raise RoundError(
                {
                    "rater_group": _(
                        "Der er allerede en leder i gruppen 'Lederens leder': den er en gruppe på én."
                    )
                }
            )


def evaluation_rater_add(
    *, actor: AnyUser | None, evaluation: Evaluation, person: Person, rater_group: str
) -> Invitation:
    _require_draft_360(evaluation.round)
    if evaluation.invitations.filter(person=person).exists():
        raise RoundError(
            {"person": _("%(name)s er allerede bedømmer af denne leder.") % {"name": person.name}}
        )
    _check_group(evaluation, person, rater_group)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            round=evaluation.round,
            person=person,
            unit=evaluation.unit,
            rater_group=rater_group,
            evaluation=evaluation,
            token_hash=_unusable_hash(),
        )
        audit_record(
            actor=actor,
            action="evaluation.rater_add",
            obj=evaluation,
            changes={"rater": [None, f"{person.name} ({rater_group})"]},
        )
    return invitation


def evaluation_rater_change(*, actor: AnyUser | None, invitation: Invitation, rater_group: str) -> Invitation:
    evaluation = invitation.evaluation
    if evaluation is None or invitation.person is None:
        raise RoundError({"__all__": _("Invitationen hører ikke til en evaluering.")})
    _require_draft_360(evaluation.round)
    _check_group(evaluation, invitation.person, rater_group, exclude=invitation)
    with transaction.atomic():
        old = invitation.rater_group
        invitation.rater_group = rater_group
        invitation.save(update_fields=["rater_group"])
        audit_record(
            actor=actor,
            action="evaluation.rater_change",
            obj=evaluation,
            changes={invitation.person.name: [old, rater_group]},
        )
    return invitation


def evaluation_rater_remove(*, actor: AnyUser | None, invitation: Invitation) -> None:
    evaluation = invitation.evaluation
    if evaluation is None:
        raise RoundError({"__all__": _("Invitationen hører ikke til en evaluering.")})
    _require_draft_360(evaluation.round)
    with transaction.atomic():
        name = invitation.person.name if invitation.person else "?"
        audit_record(
            actor=actor,
            action="evaluation.rater_remove",
            obj=evaluation,
            changes={"rater": [f"{name} ({invitation.rater_group})", None]},
        )
        invitation.delete()


# ------------------------------------------------------------------- open links, paper


def open_links_set(*, actor: AnyUser | None, round: Round, units: Iterable[Unit]) -> list[OpenLink]:
    """The units of an open survey, each with its own public link (kept for units that stay)."""
    if round.mode != Round.Mode.OPEN_LINK:
        raise RoundError({"__all__": _("Kun målinger med åbent link har offentlige links.")})
    if round.status == Round.Status.CLOSED:
        raise RoundError({"__all__": _("Målingen er lukket.")})
    wanted = {u.pk: u for u in units}
    outside = [u.name for u in wanted.values() if not u.is_within(round.target_unit)]
    if outside:
        raise RoundError({"units": _("Uden for målgruppen: %(names)s.") % {"names": ", ".join(outside)}})
    if not wanted:
        raise RoundError({"units": _("Vælg mindst én enhed.")})
    with transaction.atomic():
        existing = {link.unit_id: link for link in round.open_links.all()}
        removed = [uid for uid in existing if uid not in wanted]
        if (
            removed
            and round.status != Round.Status.DRAFT
            and round.responses.filter(unit_id__in=removed).exists()
        ):
            raise RoundError({"units": _("En enhed med svar kan ikke fjernes fra en åben måling.")})
        round.open_links.filter(unit_id__in=removed).delete()
        created = OpenLink.objects.bulk_create(
            [
                OpenLink(round=round, unit=u, slug=secrets.token_urlsafe(12))
                for uid, u in wanted.items()
                if uid not in existing
            ]
        )
        audit_record(
            actor=actor,
            action="round.open_links",
            obj=round,
            changes={"units": [sorted(existing), sorted(wanted)]},
        )
    return [*(existing[uid] for uid in existing if uid in wanted), *created]


def open_links_create(*, actor: AnyUser | None, round: Round, units: Iterable[Unit]) -> list[OpenLink]:
    """Add open links for `units` (those already linked keep their link)."""
    current = [link.unit for link in round.open_links.select_related("unit")]
    return open_links_set(actor=actor, round=round, units=[*current, *units])


@dataclass(frozen=True)
class PaperSlip:
    code: str  # normalized; print with tokens.format_paper_code
    person_name: str
    unit_name: str
    rater_group: str
    leader_name: str


def paper_codes_issue(
    *, actor: AnyUser | None, round: Round, unit: Unit, include_emailed: bool = False
) -> list[PaperSlip]:
    """Issue a fresh paper code for every unanswered invitation in `unit`'s subtree.

    By default only for people without an e-mail address; with `include_emailed`, for all
    (their e-mailed link then stops working, and they get no e-mail reminders: the code
    in force is the printed one). The codes are returned once, for printing, and stored
    only hashed; printing again issues new codes and the old sheet stops working.
    """
    # A round past its closing time takes no answers, and its invitations no longer say who
    # answered (sealing.forget_respondents): a code printed now would work for nobody.
    if round.status != Round.Status.OPEN or round.closes_at <= timezone.now():
        raise RoundError({"__all__": _("Papirkoder kan kun udskrives, mens målingen er åben.")})
    if round.mode != Round.Mode.INVITED:
        raise RoundError({"__all__": _("En måling med åbent link har ingen personlige koder.")})
    invitations = (
        round.invitations.filter(answered=False, person__isnull=False, unit__in=unit.subtree())
        .select_related("person", "unit", "evaluation")
        .order_by("unit__path", "person__name", "pk")
    )
    if not include_emailed:
        invitations = invitations.filter(Q(person__email="") | Q(person__email__isnull=True))
    slips: list[PaperSlip] = []
    with transaction.atomic():
        for invitation in invitations.select_for_update(of=("self",)):
            code = tokens.new_paper_code()
            not_closed = Round.objects.filter(status=Round.Status.OPEN, closes_at__gt=timezone.now())
            updated = Invitation.objects.filter(
                pk=invitation.pk, answered=False, round_id__in=not_closed.values("pk")
            ).update(token_hash=hash_secret(tokens.normalize_code(code)), emailed=False)
            if not updated:
                continue
            assert invitation.person is not None
            slips.append(
                PaperSlip(
                    code=code,
                    person_name=invitation.person.name,
                    unit_name=invitation.unit.name,
                    rater_group=invitation.rater_group,
                    leader_name=invitation.evaluation.leader_name if invitation.evaluation else "",
                )
            )
        audit_record(
            actor=actor,
            action="round.paper_codes",
            obj=round,
            changes={
                "unit": [None, unit.name],
                "codes": [None, len(slips)],
                "include_emailed": [None, include_emailed],
            },
        )
    return slips
