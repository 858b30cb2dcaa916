"""Vision, effect goals, effect chains, indicators and roll-outs (issue: governance that follows effect).

- `Vision` → `Theme`; `EffectGoal` (strategic, serves principles and themes) ← `UnitGoal` (anywhere
  in the tree) through `GoalLink` rows that keep their history (valid_from/valid_to), and
  `GoalEvent` rows that tell the goal's story (created, linked, unlinked, lifted, edited).
- `Intervention` (indsats) with `Partner` rows (co-creation, principle 3) and its theory of
  change: `ChainNode` (result / effect) and `ChainLink` (from the intervention or a node to a
  node, carrying the professional assumption, its evidence and a reference).
- `Indicator` with `Milestone`, `Measurement` (one value per indicator, unit and period; a
  correction keeps the old value in `MeasurementHistory`) and `StatusOverride`.
- `Rollout` with `RolloutState` per unit; a unit without a row has not started.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kerne.organisation.models import Unit

USER = settings.AUTH_USER_MODEL


class Vision(models.Model):
    title_da = models.CharField(_("titel (dansk)"), max_length=200)
    title_en = models.CharField(_("titel (engelsk)"), max_length=200, blank=True)
    horizon_year = models.PositiveSmallIntegerField(
        _("horisont (år)"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    description_da = models.TextField(_("beskrivelse (dansk)"), blank=True)
    description_en = models.TextField(_("beskrivelse (engelsk)"), blank=True)
    active = models.BooleanField(_("gældende"), default=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-active", "-horizon_year", "pk"]

    def __str__(self) -> str:
        return self.title_da


class Theme(models.Model):
    vision = models.ForeignKey(Vision, on_delete=models.CASCADE, related_name="themes")
    order = models.PositiveSmallIntegerField(_("rækkefølge"), default=0)
    title_da = models.CharField(_("titel (dansk)"), max_length=200)
    title_en = models.CharField(_("titel (engelsk)"), max_length=200, blank=True)
    description_da = models.TextField(_("beskrivelse (dansk)"), blank=True)
    description_en = models.TextField(_("beskrivelse (engelsk)"), blank=True)

    class Meta:
        ordering = ["vision", "order", "pk"]

    def __str__(self) -> str:
        return self.title_da


class EffectGoal(models.Model):
    """A common strategic effect goal (principle 2). Its status follows from its indicators."""

    vision = models.ForeignKey(Vision, on_delete=models.PROTECT, related_name="effect_goals")
    owner_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="effect_goals", verbose_name=_("ejer (enhed)")
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="effect_goals", verbose_name=_("temaer"))
    principles = models.ManyToManyField(
        "foundation.Principle", blank=True, related_name="effect_goals", verbose_name=_("principper")
    )
    order = models.PositiveSmallIntegerField(_("rækkefølge"), default=0)
    title_da = models.CharField(_("titel (dansk)"), max_length=200)
    title_en = models.CharField(_("titel (engelsk)"), max_length=200, blank=True)
    description_da = models.TextField(_("beskrivelse (dansk)"), blank=True)
    description_en = models.TextField(_("beskrivelse (engelsk)"), blank=True)
    indicators: models.ManyToManyField[Indicator, Any] = models.ManyToManyField(
        "Indicator", blank=True, related_name="effect_goals", verbose_name=_("indikatorer")
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["vision", "order", "pk"]

    def __str__(self) -> str:
        return self.title_da


class UnitGoal(models.Model):
    """A unit's own goal, contributing to one or more effect goals (through GoalLink)."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="unit_goals", verbose_name=_("enhed")
    )
    title_da = models.CharField(_("titel (dansk)"), max_length=200)
    title_en = models.CharField(_("titel (engelsk)"), max_length=200, blank=True)
    description_da = models.TextField(_("beskrivelse (dansk)"), blank=True)
    description_en = models.TextField(_("beskrivelse (engelsk)"), blank=True)
    indicators: models.ManyToManyField[Indicator, Any] = models.ManyToManyField(
        "Indicator", blank=True, related_name="unit_goals", verbose_name=_("indikatorer")
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit__path", "pk"]
        indexes = [models.Index(fields=["unit"])]

    def __str__(self) -> str:
        return self.title_da


class GoalLink(models.Model):
    """A unit goal contributes to an effect goal from valid_from until valid_to (None = now)."""

    unit_goal = models.ForeignKey(UnitGoal, on_delete=models.CASCADE, related_name="links")
    effect_goal = models.ForeignKey(EffectGoal, on_delete=models.PROTECT, related_name="links")
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["valid_from", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit_goal", "effect_goal"],
                condition=Q(valid_to__isnull=True),
                name="one_open_goal_link",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_goal} → {self.effect_goal}"


class GoalEvent(models.Model):
    """The story of a unit goal: kept even when its links or unit change."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Oprettet")
        EDITED = "edited", _("Ændret")
        LINKED = "linked", _("Knyttet til effektmål")
        UNLINKED = "unlinked", _("Løsnet fra effektmål")
        LIFTED = "lifted", _("Løftet til en anden enhed")

    unit_goal = models.ForeignKey(UnitGoal, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=200, blank=True)
    detail = models.CharField(max_length=500, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.unit_goal}: {self.kind}"


class Intervention(models.Model):
    """An intervention (indsats) and, through its nodes and links, its theory of change."""

    owner_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="interventions", verbose_name=_("ejer (enhed)")
    )
    title_da = models.CharField(_("titel (dansk)"), max_length=200)
    title_en = models.CharField(_("titel (engelsk)"), max_length=200, blank=True)
    description_da = models.TextField(_("beskrivelse (dansk)"), blank=True)
    description_en = models.TextField(_("beskrivelse (engelsk)"), blank=True)
    starts = models.DateField(_("periode fra"))
    ends = models.DateField(_("periode til"), null=True, blank=True)
    effect_goals = models.ManyToManyField(
        EffectGoal, blank=True, related_name="interventions", verbose_name=_("bidrager til effektmål")
    )
    co_creation_da = models.TextField(_("sådan er indsatsen udviklet sammen med andre (dansk)"), blank=True)
    co_creation_en = models.TextField(_("sådan er indsatsen udviklet sammen med andre (engelsk)"), blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["owner_unit__path", "title_da"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__isnull=True) | Q(ends__gte=models.F("starts")), name="intervention_period"
            )
        ]

    def __str__(self) -> str:
        return self.title_da


class Partner(models.Model):
    """Who an intervention was developed with (co-creation, principle 3)."""

    class Kind(models.TextChoices):
        CITIZENS = "citizens", _("Borgere")
        BUSINESSES = "businesses", _("Virksomheder")
        ASSOCIATIONS = "associations", _("Foreninger og civilsamfund")
        UNIT = "unit", _("Anden enhed i kommunen")
        OTHER = "other", _("Andre")

    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="partners")
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("navn"), max_length=200)
    how = models.CharField(_("hvordan"), max_length=500, blank=True)

    class Meta:
        ordering = ["intervention", "kind", "name"]

    def __str__(self) -> str:
        return self.name


class Evidence(models.TextChoices):
    NONE = "none", _("Ingen evidens endnu")
    PRACTICE = "practice", _("Praksiserfaring")
    STUDIES = "studies", _("Studier")
    LOCAL = "local", _("Målt lokalt")


class ChainNode(models.Model):
    """A result or an effect in an intervention's chain."""

    class Kind(models.TextChoices):
        RESULT = "result", _("Resultat")
        EFFECT = "effect", _("Effekt")

    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="nodes")
    kind = models.CharField(_("type"), max_length=8, choices=Kind.choices)
    order = models.PositiveSmallIntegerField(_("rækkefølge"), default=0)
    text_da = models.CharField(_("tekst (dansk)"), max_length=300)
    text_en = models.CharField(_("tekst (engelsk)"), max_length=300, blank=True)
    indicator = models.ForeignKey(
        "Indicator",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chain_nodes",
        verbose_name=_("måles med indikator"),
    )

    class Meta:
        ordering = ["intervention", "kind", "order", "pk"]

    def __str__(self) -> str:
        return self.text_da


class ChainLink(models.Model):
    """ "This leads to that, because …": from the intervention (source None) or a node, to a node."""

    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="links")
    source = models.ForeignKey(
        ChainNode,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outgoing",
        verbose_name=_("fra"),
    )
    target = models.ForeignKey(
        ChainNode, on_delete=models.CASCADE, related_name="incoming", verbose_name=_("til")
    )
    assumption_da = models.TextField(_("faglig antagelse (dansk)"))
    assumption_en = models.TextField(_("faglig antagelse (engelsk)"), blank=True)
    evidence = models.CharField(_("evidens"), max_length=16, choices=Evidence.choices, default=Evidence.NONE)
    reference = models.CharField(_("reference"), max_length=500, blank=True)

    class Meta:
        ordering = ["intervention", "pk"]

    def __str__(self) -> str:
        return f"{self.source or self.intervention} → {self.target}"


class Indicator(models.Model):
    class Direction(models.TextChoices):
        HIGHER = "higher", _("Højere er bedre")
        LOWER = "lower", _("Lavere er bedre")

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("Månedlig")
        QUARTERLY = "quarterly", _("Kvartalsvis")
        YEARLY = "yearly", _("Årlig")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Indtastes")
        IMPORTED = "imported", _("Importeres")
        COMPUTED = "computed", _("Beregnes (tæller / nævner × faktor)")
        SURVEY = "survey", _("Spørgeskema (dimension i en spørgeramme)")

    class Aggregation(models.TextChoices):
        SUM = "sum", _("Sum")
        AVERAGE = "average", _("Gennemsnit")
        WEIGHTED_AVERAGE = "weighted_average", _("Vægtet gennemsnit")
        LATEST = "latest", _("Seneste værdi")

    code = models.SlugField(
        _("kode"),
        max_length=40,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Bruges i importfiler og API'et, fx sprogscore-3aar."),
    )
    name_da = models.CharField(_("navn (dansk)"), max_length=200)
    name_en = models.CharField(_("navn (engelsk)"), max_length=200, blank=True)
    description_da = models.TextField(_("beskrivelse (dansk)"), blank=True)
    description_en = models.TextField(_("beskrivelse (engelsk)"), blank=True)
    unit_of_measure = models.CharField(_("måleenhed"), max_length=60, blank=True)
    direction = models.CharField(
        _("retning"), max_length=8, choices=Direction.choices, default=Direction.HIGHER
    )
    baseline_value = models.DecimalField(
        _("baseline (værdi)"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    baseline_date = models.DateField(_("baseline (dato)"), null=True, blank=True)
    target_value = models.DecimalField(
        _("mål (værdi)"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    target_date = models.DateField(_("mål (dato)"), null=True, blank=True)
    frequency = models.CharField(
        _("frekvens"), max_length=10, choices=Frequency.choices, default=Frequency.QUARTERLY
    )
    owner_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("ejer (enhed)")
    )
    source = models.CharField(_("kilde"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    aggregation = models.CharField(
        _("sammentælling op gennem træet"),
        max_length=16,
        choices=Aggregation.choices,
        default=Aggregation.AVERAGE,
    )
    # Formula (DHIS2-like): numerator / denominator × factor, evaluated when read.
    numerator = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("tæller")
    )
    denominator = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("nævner")
    )
    factor = models.DecimalField(_("faktor"), max_digits=12, decimal_places=4, default=1)
    # Survey source: one dimension of an instrument, one value per round.
    survey_dimension = models.ForeignKey(
        "surveys.Dimension",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("dimension i spørgeramme"),
    )
    # Status thresholds, as shares of |target − baseline| (see status.py).
    tolerance = models.DecimalField(
        _("tolerance for 'på sporet'"),
        max_digits=5,
        decimal_places=4,
        default=0.05,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    off_track_threshold = models.DecimalField(
        _("grænse for 'ikke på sporet'"),
        max_digits=5,
        decimal_places=4,
        default=0.15,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name_da", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(off_track_threshold__gte=models.F("tolerance")),
                name="indicator_thresholds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name_da

    @property
    def is_formula(self) -> bool:
        return self.source == self.Source.COMPUTED

    @property
    def is_survey(self) -> bool:
        return self.source == self.Source.SURVEY


class Milestone(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="milestones")
    date = models.DateField(_("dato"))
    value = models.DecimalField(_("værdi"), max_digits=20, decimal_places=6)

    class Meta:
        ordering = ["indicator", "date"]
        constraints = [models.UniqueConstraint(fields=["indicator", "date"], name="one_milestone_per_date")]

    def __str__(self) -> str:
        return f"{self.indicator} · {self.date}: {self.value}"


class Measurement(models.Model):
    """One value per indicator, unit and period (the period's first day)."""

    class Origin(models.TextChoices):
        MANUAL = "manual", _("Indtastet")
        IMPORT = "import", _("Importeret")
        API = "api", _("API")

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="measurements")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    period = models.DateField(_("periode (første dag)"))
    value = models.DecimalField(_("værdi"), max_digits=20, decimal_places=6)
    weight = models.DecimalField(
        _("vægt (fx antal borgere)"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    comment = models.TextField(_("kommentar"), blank=True)
    origin = models.CharField(max_length=8, choices=Origin.choices, default=Origin.MANUAL)
    entered_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    entered_at = models.DateTimeField()

    class Meta:
        ordering = ["indicator", "unit", "period"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "unit", "period"], name="one_measurement_per_period")
        ]
        indexes = [models.Index(fields=["indicator", "period"])]

    def __str__(self) -> str:
        return f"{self.indicator} · {self.unit} · {self.period}: {self.value}"


class MeasurementHistory(models.Model):
    """A value that a correction replaced."""

    measurement = models.ForeignKey(Measurement, on_delete=models.CASCADE, related_name="history")
    # None: the replaced value was not a number (stored before goals/numbers.py checked every
    # number); the audit log keeps what the database held.
    value = models.DecimalField(max_digits=20, decimal_places=6, null=True)
    weight = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    comment = models.TextField(blank=True)
    entered_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    entered_at = models.DateTimeField()
    replaced_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    replaced_at = models.DateTimeField()

    class Meta:
        ordering = ["-replaced_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.measurement_id}: {self.value} (replaced {self.replaced_at:%Y-%m-%d})"


class StatusChoice(models.TextChoices):
    ON_TRACK = "on_track", _("På sporet")
    AT_RISK = "at_risk", _("I risiko")
    OFF_TRACK = "off_track", _("Ikke på sporet")


class StatusOverride(models.Model):
    """A leader's judgement that overrides the computed status, with a reason. Latest row wins;
    a row with `cleared=True` returns the indicator to its computed status."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="overrides")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=StatusChoice.choices, blank=True)
    cleared = models.BooleanField(default=False)
    reason = models.TextField(_("begrundelse"))
    by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    by_name = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["indicator", "unit"])]

    def __str__(self) -> str:
        return f"{self.indicator} · {self.unit}: {self.status or 'cleared'}"


class Rollout(models.Model):
    """A decision or intervention taken "all the way down" a subtree (principle 1)."""

    title_da = models.CharField(_("titel (dansk)"), max_length=200)
    title_en = models.CharField(_("titel (engelsk)"), max_length=200, blank=True)
    decision_da = models.TextField(_("beslutning (dansk)"), blank=True)
    decision_en = models.TextField(_("beslutning (engelsk)"), blank=True)
    intervention = models.ForeignKey(
        Intervention,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rollouts",
        verbose_name=_("indsats"),
    )
    root_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="rollouts", verbose_name=_("gælder enhed og alt under")
    )
    deadline = models.DateField(_("frist"))
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return self.title_da

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return (today or dt.date.today()) > self.deadline


class RolloutState(models.Model):
    class State(models.TextChoices):
        NOT_STARTED = "not_started", _("Ikke startet")
        UNDERWAY = "underway", _("I gang")
        IMPLEMENTED = "implemented", _("Implementeret")
        NOT_RELEVANT = "not_relevant", _("Ikke relevant")

    rollout = models.ForeignKey(Rollout, on_delete=models.CASCADE, related_name="states")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("status"), max_length=16, choices=State.choices, default=State.NOT_STARTED)
    reason = models.TextField(_("begrundelse (når ikke relevant)"), blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    updated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rollout", "unit"], name="one_state_per_unit"),
            models.CheckConstraint(
                condition=~Q(state="not_relevant") | ~Q(reason=""), name="not_relevant_needs_reason"
            ),
        ]
        indexes = [models.Index(fields=["rollout", "state"])]

    def __str__(self) -> str:
        return f"{self.rollout} · {self.unit}: {self.state}"
