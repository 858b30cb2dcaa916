"""Follow-up on results (DESIGN §1, "feedback and improvement culture"; issue 11).

- `RoundFollowup`: a released social-capital round's follow-up and its meeting deadline
  (release + 28 days by default; HR changes it).
- `MeetingCase`: a unit's dialogue meeting (dialogmøde) after the round, for its leader;
  `Meeting` is the leader's record of it: date, how many took part (a number, never names),
  what was agreed.
- `Action` (handleplan): owner, deadline, status with its history (`ActionStatusChange`),
  progress notes (`ActionNote`) and links to what it addresses (`ActionLink`).
- `Proposal` (forbedringsforslag) from an employee to their unit, signed or unsigned; an
  unsigned proposal stores no author and no time, only the date (`created_on`), and has a
  random id. `ProposalVote` stores a keyed hash of voter and proposal, never the person,
  and no date: the votes on an unsigned proposal cannot point to its author.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kerne.organisation.models import Person, Unit

USER = settings.AUTH_USER_MODEL

TITLE_MAX = 200
TEXT_MAX = 5000  # free text fields (description, agreed, proposal parts, notes, reasons)
MEETING_DEADLINE_DAYS = 28


class RoundFollowup(models.Model):
    """The follow-up of one released round: the meeting deadline HR sets for every unit."""

    round = models.OneToOneField("surveys.Round", on_delete=models.CASCADE, related_name="followup")
    released_on = models.DateField(_("frigivet"))
    deadline = models.DateField(_("frist for dialogmøder"))
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-released_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.round} – {self.deadline}"


class MeetingCase(models.Model):
    """A unit's dialogue meeting after a released round, held by the unit's leader."""

    followup = models.ForeignKey(RoundFollowup, on_delete=models.CASCADE, related_name="cases")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="meeting_cases")
    created = models.DateTimeField(auto_now_add=True)
    reminded = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["followup", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["followup", "unit"], name="one_case_per_unit")]
        indexes = [models.Index(fields=["unit"])]

    def __str__(self) -> str:
        return f"{self.unit} – {self.followup.round}"

    @property
    def deadline(self) -> dt.date:
        return self.followup.deadline


class Meeting(models.Model):
    """What the leader records about the held meeting: no names, only how many took part."""

    case = models.OneToOneField(MeetingCase, on_delete=models.CASCADE, related_name="meeting")
    held_on = models.DateField(_("mødedato"))
    participants = models.PositiveIntegerField(_("antal deltagere"), validators=[MinValueValidator(1)])
    agreed = models.TextField(_("det blev vi enige om"))
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(participants__gte=1), name="meeting_participants")]

    def __str__(self) -> str:
        return f"{self.case} – {self.held_on}"


class Action(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planlagt")
        UNDERWAY = "underway", _("I gang")
        DONE = "done", _("Gennemført")
        DROPPED = "dropped", _("Opgivet")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="actions", verbose_name=_("enhed"))
    title = models.CharField(_("titel"), max_length=TITLE_MAX)
    description = models.TextField(_("beskrivelse"), blank=True)
    owner = models.ForeignKey(
        Person,
        null=True,
        on_delete=models.SET_NULL,
        related_name="owned_actions",
        verbose_name=_("ansvarlig"),
    )
    deadline = models.DateField(_("frist"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    dropped_reason = models.TextField(_("begrundelse for at opgive"), blank=True)
    case = models.ForeignKey(
        MeetingCase, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["deadline", "pk"]
        indexes = [models.Index(fields=["unit", "status"]), models.Index(fields=["status", "deadline"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="dropped") | ~Q(dropped_reason=""), name="action_dropped_has_reason"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PLANNED, self.Status.UNDERWAY)

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.is_open and self.deadline < (today or dt.date.today())


class ActionLink(models.Model):
    """What an action addresses: exactly one target, of the kind named."""

    class Kind(models.TextChoices):
        DIMENSION = "dimension", _("Dimension i en måling")
        EFFECT_GOAL = "effect_goal", _("Effektmål")
        UNIT_GOAL = "unit_goal", _("Enhedsmål")
        INDICATOR = "indicator", _("Indikator")
        BEHAVIOUR = "behaviour", _("Adfærd i definitionen af god ledelse")
        PRINCIPLE = "principle", _("Princip i ledelsesgrundlaget")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    round = models.ForeignKey(
        "surveys.Round", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    dimension_key = models.SlugField(max_length=64, blank=True)
    effect_goal = models.ForeignKey(
        "goals.EffectGoal", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    unit_goal = models.ForeignKey(
        "goals.UnitGoal", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    indicator = models.ForeignKey(
        "goals.Indicator", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    behaviour = models.ForeignKey(
        "foundation.Behaviour", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    principle = models.ForeignKey(
        "foundation.Principle", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        ordering = ["action", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="dimension", round__isnull=False, effect_goal__isnull=True, unit_goal__isnull=True)
                    & ~Q(dimension_key="")
                    & Q(indicator__isnull=True, behaviour__isnull=True, principle__isnull=True)
                )
                | Q(kind="effect_goal", effect_goal__isnull=False, round__isnull=True, unit_goal__isnull=True)
                & Q(indicator__isnull=True, behaviour__isnull=True, principle__isnull=True)
                | Q(kind="unit_goal", unit_goal__isnull=False, round__isnull=True, effect_goal__isnull=True)
                & Q(indicator__isnull=True, behaviour__isnull=True, principle__isnull=True)
                | Q(kind="indicator", indicator__isnull=False, round__isnull=True, effect_goal__isnull=True)
                & Q(unit_goal__isnull=True, behaviour__isnull=True, principle__isnull=True)
                | Q(kind="behaviour", behaviour__isnull=False, round__isnull=True, effect_goal__isnull=True)
                & Q(unit_goal__isnull=True, indicator__isnull=True, principle__isnull=True)
                | Q(kind="principle", principle__isnull=False, round__isnull=True, effect_goal__isnull=True)
                & Q(unit_goal__isnull=True, indicator__isnull=True, behaviour__isnull=True),
                name="action_link_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} → {self.kind}"


class ActionNote(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="notes")
    on = models.DateField(_("dato"))
    text = models.TextField(_("notat"))
    author = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    author_name = models.CharField(max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-pk"]

    def __str__(self) -> str:
        return f"{self.action}: {self.text[:40]}"


class ActionStatusChange(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} → {self.to_status}"


class Proposal(models.Model):
    """An improvement proposal (forbedringsforslag) from an employee to their unit.

    Unsigned: `author` is null and nothing else in any table names the author; the id is
    random and the only time stored is the date. The leader of `handler_unit` answers; a
    proposal passed up moves `handler_unit` to the nearest unit above with a leader.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Afventer svar")
        ACCEPTED = "accepted", _("Accepteret")
        DECLINED = "declined", _("Afvist")
        PARKED = "parked", _("Parkeret")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("enhed")
    )
    handler_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    what = models.TextField(_("hvad foreslår du?"))
    why = models.TextField(_("hvorfor?"))
    effect = models.TextField(_("forventet effekt for borgere eller kolleger"))
    author = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_on = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(blank=True)
    parked_until = models.DateField(null=True, blank=True)
    answered_on = models.DateField(null=True, blank=True)
    answered_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.OneToOneField(
        Action, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposal"
    )
    hidden = models.BooleanField(default=False)
    hidden_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_on"]
        indexes = [models.Index(fields=["unit", "status"]), models.Index(fields=["handler_unit", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(answer=""), name="proposal_declined_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status="parked") | Q(parked_until__isnull=False), name="proposal_parked_until"
            ),
            models.CheckConstraint(
                condition=~Q(hidden=True) | ~Q(hidden_reason=""), name="proposal_hidden_reason"
            ),
        ]

    def __str__(self) -> str:
        return self.what[:80]

    def age_days(self, today: dt.date | None = None) -> int:
        return ((today or dt.date.today()) - self.created_on).days


class ProposalEvent(models.Model):
    """The leaders' side of a proposal's story: answered, passed up, hidden (leaders are named)."""

    class Kind(models.TextChoices):
        ANSWERED = "answered", _("Besvaret")
        PASSED_UP = "passed_up", _("Sendt videre til lederen over")
        HIDDEN = "hidden", _("Skjult")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    detail = models.TextField(blank=True)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.proposal}: {self.kind}"


class ProposalVote(models.Model):
    """One employee's support for a proposal: a keyed hash of (voter, proposal), no person, no date.

    The id is random, and on SQLite the table has no rowid (migration 0002), so neither a
    column nor the insertion order tells who supported a proposal or who supported it first.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="votes")
    voter_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "voter_hash"], name="one_vote_per_voter")]

    def __str__(self) -> str:
        return f"Vote on {self.proposal_id}"
