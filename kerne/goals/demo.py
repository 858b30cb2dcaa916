"""Demo data for goals: a vision with themes, strategic effect goals, unit goals in several centres,
interventions with effect chains and assumptions, indicators with 2½ years of measurements (some on
track, some at risk, some off track) and one roll-out half-way through.

Called by `kerne demo` (DEMO_BUILDERS) after the organisation tree exists; it adapts to whatever
tree is there (the first root, its centres found by name or order, and units two levels down)
and does nothing when the demo's effect goals are already present. Deterministic for a given seed.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from kerne.accounts.audit import audit_record
from kerne.foundation.models import Principle
from kerne.goals import services
from kerne.goals.models import (
    ChainLink,
    ChainNode,
    EffectGoal,
    Evidence,
    Indicator,
    Intervention,
    Measurement,
    Milestone,
    Partner,
    Rollout,
    RolloutState,
    UnitGoal,
    Vision,
)
from kerne.goals.periods import next_period, period_start
from kerne.goals.status import Plan, planned_value
from kerne.organisation.models import Unit

VISION_TITLE = "Vision 2029: Sammen om kerneopgaven"
HISTORY_MONTHS = 30
Q = Decimal


def _d(value: float) -> Decimal:
    return Decimal(str(round(value, 2)))


def _periods(frequency: str, start: dt.date, end: dt.date) -> list[dt.date]:
    out, day = [], period_start(start, frequency)
    while day <= end:
        out.append(day)
        day = next_period(day, frequency)
    return out


class _Builder:
    def __init__(self, seed: int, stdout: IO[str] | Any) -> None:
        self.rng = random.Random(seed)
        self.stdout = stdout
        self.today = dt.date.today()
        self.first = period_start(
            self.today.replace(day=1) - dt.timedelta(days=30 * HISTORY_MONTHS), "quarterly"
        )
        self.last_full = self.today.replace(day=1) - dt.timedelta(days=1)
        self.measurements: list[Measurement] = []
        self.now = timezone.now()

    # --- structure -------------------------------------------------------------------------------

    def units(self) -> tuple[Unit, dict[str, Unit], dict[str, list[Unit]]]:
        """The root, a centre per role in the demo (by name where the tree has one, else in order)
        and, per centre, up to four units two levels down (institutions, groups) to measure."""
        root = Unit.objects.active().filter(depth=0).order_by("path").first()
        assert root is not None
        centres = list(Unit.objects.active().filter(parent=root).order_by("path")[:60]) or [root]
        wanted = {
            "born": ("børn", "dagtilbud"),
            "aeldre": ("omsorg", "ældre", "sundhed"),
            "job": ("job", "beskæftigelse", "arbejdsmarked"),
            "borger": ("borger", "kultur", "service"),
            "hr": ("hr", "personale"),
        }
        chosen: dict[str, Unit] = {}
        for i, (role, words) in enumerate(wanted.items()):
            match = next((c for c in centres if any(w in c.name.lower() for w in words)), None)
            chosen[role] = match or centres[i % len(centres)]
        measured: dict[str, list[Unit]] = {}
        for role, centre in chosen.items():
            below = Unit.objects.active().subtree_of(centre)
            measured[role] = (
                list(below.filter(depth=centre.depth + 2).order_by("path")[:4])
                or list(below.filter(depth=centre.depth + 1).order_by("path")[:4])
                or [centre]
            )
        return root, chosen, measured

    def indicator(self, **fields: Any) -> Indicator:
        milestones = fields.pop("milestones", [])
        indicator = Indicator.objects.create(**fields)
        Milestone.objects.bulk_create(Milestone(indicator=indicator, date=d, value=v) for d, v in milestones)
        audit_record(actor=None, action="indicator.create", obj=indicator, changes={"demo": [None, True]})
        return indicator

    def plan(self, indicator: Indicator) -> Plan:
        return Plan(
            indicator.baseline_date,
            float(indicator.baseline_value or 0),
            indicator.target_date,
            float(indicator.target_value or 0),
            indicator.direction == Indicator.Direction.HIGHER,
        )

    def series(
        self,
        indicator: Indicator,
        units: list[Unit],
        level: Callable[[float], float],
        spread: float,
        noise: float,
        weight: Callable[[int], float] | None = None,
        share: bool = False,
    ) -> None:
        """Measurements per unit: `level(progress)` is the whole's value at a progress 0..1 along the
        plan; units scatter around it (or split it, when `share`)."""
        periods = _periods(indicator.frequency, indicator.baseline_date or self.first, self.last_full)
        offsets = [self.rng.uniform(-spread, spread) for _u in units]
        mean = sum(offsets) / len(offsets)
        offsets = [o - mean for o in offsets]
        parts = [self.rng.uniform(0.6, 1.4) for _u in units]
        total_parts = sum(parts)
        for i, period in enumerate(periods):
            progress = i / max(1, len(periods) - 1)
            whole = level(progress)
            for j, unit in enumerate(units):
                if share:  # counts (children, people): whole numbers
                    value = float(
                        round(whole * parts[j] / total_parts * (1 + self.rng.uniform(-noise, noise)))
                    )
                else:
                    value = whole + offsets[j] + self.rng.uniform(-noise, noise)
                self.measurements.append(
                    Measurement(
                        indicator=indicator,
                        unit=unit,
                        period=period,
                        value=_d(max(0.0, value)),
                        weight=_d(weight(j)) if weight else None,
                        origin=Measurement.Origin.IMPORT,
                        entered_at=self.now,
                    )
                )

    def path_level(self, indicator: Indicator, end_offset: float) -> Callable[[float], float]:
        """A level that follows the plan and drifts to `end_offset` × range off it at the end."""
        plan = self.plan(indicator)
        span = abs(float(indicator.target_value or 0) - float(indicator.baseline_value or 0))
        sign = 1 if plan.higher_is_better else -1
        start = indicator.baseline_date or self.first
        days = (self.last_full - start).days

        def level(progress: float) -> float:
            day = start + dt.timedelta(days=int(days * progress))
            planned = planned_value(plan, day) or float(indicator.baseline_value or 0)
            return planned + sign * end_offset * span * progress

        return level

    def chain(
        self,
        intervention: Intervention,
        results: list[str],
        effects: list[str],
        links: list[tuple[int | None, int, str, str, str]],
        indicators: dict[int, Indicator] | None = None,
    ) -> None:
        """links: (source index or None for the intervention, target index, assumption, evidence, ref);
        indices run over results then effects."""
        nodes = [
            ChainNode.objects.create(
                intervention=intervention, kind=ChainNode.Kind.RESULT, order=i, text_da=t
            )
            for i, t in enumerate(results)
        ] + [
            ChainNode.objects.create(
                intervention=intervention, kind=ChainNode.Kind.EFFECT, order=i, text_da=t
            )
            for i, t in enumerate(effects)
        ]
        for index, indicator in (indicators or {}).items():
            nodes[index].indicator = indicator
            nodes[index].save(update_fields=["indicator"])
        for source, target, assumption, evidence, reference in links:
            ChainLink.objects.create(
                intervention=intervention,
                source=None if source is None else nodes[source],
                target=nodes[target],
                assumption_da=assumption,
                evidence=evidence,
                reference=reference,
            )

    # --- the demo ------------------------------------------------------------------------------------

    def build(self) -> None:
        root, centre, depts = self.units()
        centres = list({c.pk: c for c in centre.values()}.values())
        principles = {p.key: p for p in Principle.objects.all()}
        start = self.first
        target_date = dt.date(2029, 12, 31)
        mid = dt.date(2027, 12, 31)

        vision = services.vision_save(
            actor=None,
            vision=None,
            fields={
                "title_da": VISION_TITLE,
                "title_en": "Vision 2029: Together on the core task",
                "horizon_year": 2029,
                "description_da": "Vi skaber værdi for borgere og virksomheder ved at arbejde sammen "
                "om kerneopgaven – med fælles strategiske effektmål og faglige antagelser om, hvad der "
                "virker.",
                "description_en": "We create value for citizens and businesses by working together on "
                "the core task – with common strategic effect goals and professional assumptions about "
                "what works.",
            },
        )
        themes = {
            key: services.theme_save(
                actor=None, theme=None, vision=vision, fields={"title_da": da, "title_en": en, "order": i}
            )
            for i, (key, da, en) in enumerate(
                [
                    ("children", "Børn og unges læring og trivsel", "Children's learning and well-being"),
                    ("independent", "Et selvstændigt liv", "An independent life"),
                    ("jobs", "Flere i job og uddannelse", "More people in work and education"),
                    ("together", "Velfærd skabt sammen med borgerne", "Welfare created with citizens"),
                    ("workplace", "En robust arbejdsplads", "A robust workplace"),
                ]
            )
        }

        # Indicators -------------------------------------------------------------------------------
        assessed = self.indicator(
            code="sprog-vurderede",
            name_da="Børn sprogvurderet ved 5 år",
            name_en="Children assessed at age 5",
            unit_of_measure="børn",
            direction=Indicator.Direction.HIGHER,
            frequency=Indicator.Frequency.QUARTERLY,
            owner_unit=centre["born"],
            source=Indicator.Source.IMPORTED,
            aggregation=Indicator.Aggregation.SUM,
        )
        on_level = self.indicator(
            code="sprog-alderssvarende",
            name_da="Børn med alderssvarende sprog ved 5 år",
            name_en="Children with age-appropriate language at age 5",
            unit_of_measure="børn",
            direction=Indicator.Direction.HIGHER,
            frequency=Indicator.Frequency.QUARTERLY,
            owner_unit=centre["born"],
            source=Indicator.Source.IMPORTED,
            aggregation=Indicator.Aggregation.SUM,
        )
        language = self.indicator(
            code="sprog-andel",
            name_da="Andel børn med alderssvarende sprog",
            name_en="Share of children with age-appropriate language",
            description_da="Børn med alderssvarende sprog ÷ sprogvurderede børn × 100, beregnet når "
            "det læses.",
            unit_of_measure="%",
            direction=Indicator.Direction.HIGHER,
            baseline_value=Q(72),
            baseline_date=start,
            target_value=Q(85),
            target_date=target_date,
            frequency=Indicator.Frequency.QUARTERLY,
            owner_unit=root,
            source=Indicator.Source.COMPUTED,
            numerator=on_level,
            denominator=assessed,
            factor=Q(100),
            milestones=[(mid, Q(80))],
        )
        hours = self.indicator(
            code="hjemmepleje-timer",
            name_da="Visiterede hjemmeplejetimer pr. modtager pr. uge",
            name_en="Home-care hours granted per recipient per week",
            unit_of_measure="timer",
            direction=Indicator.Direction.LOWER,
            baseline_value=Q("5.2"),
            baseline_date=start,
            target_value=Q("4.2"),
            target_date=target_date,
            frequency=Indicator.Frequency.MONTHLY,
            owner_unit=centre["aeldre"],
            source=Indicator.Source.IMPORTED,
            aggregation=Indicator.Aggregation.WEIGHTED_AVERAGE,
            milestones=[(mid, Q("4.6"))],
        )
        benefits = self.indicator(
            code="forsoergelse-fuldtid",
            name_da="Fuldtidspersoner på offentlig forsørgelse",
            name_en="Full-time equivalents on public benefits",
            unit_of_measure="personer",
            direction=Indicator.Direction.LOWER,
            baseline_value=Q(4200),
            baseline_date=start,
            target_value=Q(3600),
            target_date=target_date,
            frequency=Indicator.Frequency.MONTHLY,
            owner_unit=centre["job"],
            source=Indicator.Source.IMPORTED,
            aggregation=Indicator.Aggregation.SUM,
            milestones=[(mid, Q(3850))],
        )
        quality = self.indicator(
            code="borgeroplevet-kvalitet",
            name_da="Borgeroplevet kvalitet",
            name_en="Citizen-experienced quality",
            unit_of_measure="point (0–100)",
            direction=Indicator.Direction.HIGHER,
            baseline_value=Q(68),
            baseline_date=start,
            target_value=Q(75),
            target_date=target_date,
            frequency=Indicator.Frequency.QUARTERLY,
            owner_unit=centre["borger"],
            source=Indicator.Source.MANUAL,
            aggregation=Indicator.Aggregation.AVERAGE,
        )
        sickness = self.indicator(
            code="sygefravaer",
            name_da="Sygefravær",
            name_en="Sickness absence",
            unit_of_measure="%",
            direction=Indicator.Direction.LOWER,
            baseline_value=Q("6.1"),
            baseline_date=start,
            target_value=Q("4.5"),
            target_date=target_date,
            frequency=Indicator.Frequency.MONTHLY,
            owner_unit=root,
            source=Indicator.Source.IMPORTED,
            aggregation=Indicator.Aggregation.WEIGHTED_AVERAGE,
            milestones=[(mid, Q("5.3"))],
        )
        survey_indicators = []
        from kerne.surveys.models import Dimension

        trust = (
            Dimension.objects.filter(key__startswith="trust", instrument__kind="social_capital")
            .order_by("-instrument__version", "position")
            .first()
        )
        if trust is not None:
            survey_indicators.append(
                self.indicator(
                    code="tillid",
                    name_da="Tillid (social kapital)",
                    name_en="Trust (social capital)",
                    unit_of_measure="point (0–100)",
                    direction=Indicator.Direction.HIGHER,
                    baseline_value=Q(78),
                    baseline_date=start,
                    target_value=Q(85),
                    target_date=target_date,
                    frequency=Indicator.Frequency.YEARLY,
                    owner_unit=root,
                    source=Indicator.Source.SURVEY,
                    survey_dimension=trust,
                )
            )

        # Measurements: language on track, home care at risk, benefits off track, quality on track,
        # sickness absence off track at the top (some centres better than others).
        daycare = depts["born"]
        self.series(assessed, daycare, lambda p: 40.0 * len(daycare), 0, 0.05, share=True)
        language_level = self.path_level(language, +0.03)
        periods = _periods(assessed.frequency, start, self.last_full)
        unit_offsets = {u.pk: self.rng.uniform(-0.04, 0.04) for u in daycare}
        for m in [m for m in self.measurements if m.indicator_id == assessed.pk]:
            progress = periods.index(m.period) / max(1, len(periods) - 1)
            share = min(
                1.0, language_level(progress) / 100 + unit_offsets[m.unit_id] + self.rng.uniform(-0.01, 0.01)
            )
            self.measurements.append(
                Measurement(
                    indicator=on_level,
                    unit_id=m.unit_id,
                    period=m.period,
                    value=_d(round(float(m.value) * share)),
                    origin=Measurement.Origin.IMPORT,
                    entered_at=self.now,
                )
            )
        self.series(
            hours, depts["aeldre"], self.path_level(hours, -0.10), 0.4, 0.05, weight=lambda j: 80 + 20 * j
        )
        self.series(benefits, depts["job"], self.path_level(benefits, -0.30), 0, 0.01, share=True)
        self.series(quality, depts["borger"], self.path_level(quality, +0.02), 3.0, 0.8)
        all_depts = [d for ds in depts.values() for d in ds]
        unique_depts = list({d.pk: d for d in all_depts}.values())
        self.series(
            sickness, unique_depts, self.path_level(sickness, -0.25), 0.8, 0.2, weight=lambda j: 30 + 7 * j
        )
        Measurement.objects.bulk_create(self.measurements, batch_size=2000, ignore_conflicts=True)

        # Effect goals --------------------------------------------------------------------------------
        def effect_goal(
            order: int,
            title: str,
            title_en: str,
            description: str,
            theme: str,
            keys: list[str],
            indicators: list[Indicator],
        ) -> EffectGoal:
            return services.effect_goal_save(
                actor=None,
                goal=None,
                fields={
                    "vision": vision,
                    "owner_unit": root,
                    "order": order,
                    "title_da": title,
                    "title_en": title_en,
                    "description_da": description,
                },
                themes=[themes[theme]],
                principles=[principles[k] for k in keys if k in principles],
                indicators=indicators,
            )

        goal_language = effect_goal(
            1,
            "Alle børn har et alderssvarende sprog, når de starter i skole",
            "Every child has age-appropriate language when starting school",
            "Sproget er nøglen til læring, fællesskab og trivsel gennem hele livet.",
            "children",
            ["better_effects", "welfare_together"],
            [language],
        )
        goal_independent = effect_goal(
            2,
            "Flere ældre klarer hverdagen selv",
            "More older people manage everyday life on their own",
            "Borgere, der kan selv, skal have mulighed for det – med den rette støtte på det rette "
            "tidspunkt.",
            "independent",
            ["better_effects"],
            [hours],
        )
        goal_jobs = effect_goal(
            3,
            "Flere borgere i job og uddannelse",
            "More citizens in work and education",
            "Vi hjælper borgere tættere på arbejdsmarkedet sammen med de lokale virksomheder.",
            "jobs",
            ["better_effects", "welfare_together"],
            [benefits],
        )
        goal_quality = effect_goal(
            4,
            "Borgerne oplever sammenhængende hjælp af høj kvalitet",
            "Citizens experience coherent, high-quality help",
            "Helheden for borgeren frem for den enkelte forvaltnings logik.",
            "together",
            ["welfare_together", "better_effects"],
            [quality],
        )
        goal_workplace = effect_goal(
            5,
            "En robust arbejdsplads med høj social kapital",
            "A robust workplace with high social capital",
            "Tillid, retfærdighed og samarbejde er fundamentet for stabil drift og udvikling.",
            "workplace",
            ["stable_operations", "robust_organisation"],
            [sickness, *survey_indicators],
        )

        # Unit goals in several centres ----------------------------------------------------------------
        def unit_goal(
            unit: Unit, title: str, goals: list[EffectGoal], indicators: list[Indicator]
        ) -> UnitGoal:
            return services.unit_goal_create(
                actor=None, unit=unit, fields={"title_da": title}, effect_goals=goals, indicators=indicators
            )

        unit_goal(centre["born"], "Sprogindsatsen når alle dagtilbud", [goal_language], [language])
        for dept in daycare[:2]:
            unit_goal(dept, f"Dialogisk læsning hver dag i {dept.name}", [goal_language], [language])
        unit_goal(
            centre["aeldre"], "Alle nye borgere tilbydes hverdagsrehabilitering", [goal_independent], [hours]
        )
        unit_goal(depts["aeldre"][0], "Færre timer gennem rehabilitering", [goal_independent], [hours])
        unit_goal(centre["job"], "Flere virksomhedsrettede forløb", [goal_jobs], [benefits])
        unit_goal(centre["borger"], "Én indgang for borgeren", [goal_quality], [quality])
        for c in {c.pk: c for c in centres}.values():
            unit_goal(c, f"Lavere sygefravær i {c.name}", [goal_workplace], [sickness])

        # Interventions with theories of change -------------------------------------------------------
        early = services.intervention_save(
            actor=None,
            intervention=None,
            fields={
                "owner_unit": centre["born"],
                "title_da": "Tidlig sprogindsats i dagtilbud",
                "title_en": "Early language intervention in daycare",
                "description_da": "Dialogisk læsning, sprogvurdering af alle 3-årige og forældresamarbejde.",
                "starts": start,
                "ends": target_date,
                "co_creation_da": "Udviklet med forældrebestyrelser og bibliotekerne gennem tre workshops.",
            },
            effect_goals=[goal_language],
        )
        self.chain(
            early,
            [
                "Alle pædagoger er uddannet i dialogisk læsning",
                "Alle 3-årige sprogvurderes, og indsatsen tilpasses",
                "Forældre læser dagligt med deres barn",
            ],
            ["Flere børn har alderssvarende sprog ved skolestart", "Bedre læring og trivsel i indskolingen"],
            [
                (
                    None,
                    0,
                    "Pædagoger, der kender metoden, bruger den i hverdagen.",
                    Evidence.PRACTICE,
                    "Erfaringer fra egne dagtilbud 2022",
                ),
                (
                    None,
                    1,
                    "Tidlig opsporing gør, at indsatsen sættes ind, mens den virker bedst.",
                    Evidence.STUDIES,
                    "EVA: Sprogvurdering og sprogindsatser",
                ),
                (
                    0,
                    3,
                    "Dialogisk læsning udvider ordforrådet målbart.",
                    Evidence.STUDIES,
                    "Whitehurst m.fl., dialogisk læsning",
                ),
                (2, 3, "Daglig læsning hjemme forstærker indsatsen i dagtilbuddet.", Evidence.PRACTICE, ""),
                (
                    3,
                    4,
                    "Alderssvarende sprog er en forudsætning for at lære at læse.",
                    Evidence.STUDIES,
                    "Skolestartsundersøgelser",
                ),
            ],
            {3: language},
        )
        Partner.objects.bulk_create(
            [
                Partner(
                    intervention=early,
                    kind=Partner.Kind.CITIZENS,
                    name="Forældrebestyrelser",
                    how="Workshops om læsning derhjemme",
                ),
                Partner(
                    intervention=early, kind=Partner.Kind.UNIT, name="Bibliotekerne", how="Læsekufferter"
                ),
            ]
        )
        rehab = services.intervention_save(
            actor=None,
            intervention=None,
            fields={
                "owner_unit": centre["aeldre"],
                "title_da": "Hverdagsrehabilitering i hjemmeplejen",
                "title_en": "Everyday rehabilitation in home care",
                "description_da": "Før der visiteres varig hjælp, tilbydes et tidsbegrænset forløb med "
                "egne mål.",
                "starts": start,
                "co_creation_da": "Udviklet med Ældrerådet og terapeuter fra træningscentret.",
            },
            effect_goals=[goal_independent],
        )
        self.chain(
            rehab,
            [
                "Alle nye borgere tilbydes et rehabiliteringsforløb",
                "Borgeren sætter sine egne mål for hverdagen",
            ],
            ["Borgeren klarer flere hverdagsaktiviteter selv", "Færre visiterede hjemmeplejetimer"],
            [
                (
                    None,
                    0,
                    "Et fast tilbud ved visitationen sikrer, at alle får muligheden.",
                    Evidence.PRACTICE,
                    "",
                ),
                (
                    0,
                    1,
                    "Motivation stiger, når målene er borgerens egne.",
                    Evidence.STUDIES,
                    "Fredericia-modellen, evaluering",
                ),
                (
                    1,
                    2,
                    "Træning i egne aktiviteter giver varig funktionsevne.",
                    Evidence.STUDIES,
                    "VIVE: Hverdagsrehabilitering",
                ),
                (
                    2,
                    3,
                    "Den, der klarer mere selv, har brug for færre timers hjælp.",
                    Evidence.LOCAL,
                    "Egne tal 2023–2024",
                ),
            ],
            {3: hours},
        )
        Partner.objects.create(
            intervention=rehab, kind=Partner.Kind.ASSOCIATIONS, name="Ældrerådet", how="Med i styregruppen"
        )
        jobs = services.intervention_save(
            actor=None,
            intervention=None,
            fields={
                "owner_unit": centre["job"],
                "title_da": "Virksomhedsrettet indsats i jobcentret",
                "title_en": "Business-oriented efforts at the job centre",
                "description_da": "Flere forløb i virksomheder frem for kurser; faste "
                "virksomhedskonsulenter.",
                "starts": start,
                "co_creation_da": "Udviklet sammen med Erhvervsforeningen og lokale virksomheder.",
            },
            effect_goals=[goal_jobs],
        )
        self.chain(
            jobs,
            ["Flere borgere i virksomhedspraktik og løntilskud", "Faste aftaler med 50 lokale virksomheder"],
            ["Flere borgere kommer i ordinært job", "Færre fuldtidspersoner på offentlig forsørgelse"],
            [
                (
                    None,
                    0,
                    "Virksomhedsrettede forløb er den indsats, der oftest fører til job.",
                    Evidence.STUDIES,
                    "STAR: Virksomhedsrettet aktivering",
                ),
                (
                    None,
                    1,
                    "Faste kontaktpersoner gør det let for virksomhederne at sige ja.",
                    Evidence.PRACTICE,
                    "",
                ),
                (
                    0,
                    2,
                    "Erfaring fra en rigtig arbejdsplads åbner døren til ansættelse.",
                    Evidence.STUDIES,
                    "",
                ),
                (2, 3, "Hver borger i job er én mindre på forsørgelse.", Evidence.NONE, ""),
            ],
            {3: benefits},
        )
        Partner.objects.create(
            intervention=jobs,
            kind=Partner.Kind.BUSINESSES,
            name="Erhvervsforeningen",
            how="Fælles rekrutteringsdage",
        )

        # One roll-out half-way through, over the whole tree ----------------------------------------------
        rollout = services.rollout_save(
            actor=None,
            rollout=None,
            fields={
                "title_da": "Ledelsesgrundlaget drøftet i alle enheder",
                "title_en": "The leadership foundation discussed in every unit",
                "decision_da": "Direktionen har besluttet, at hver enhed drøfter ledelsesgrundlaget på et "
                "personalemøde og aftaler, hvad det betyder i hverdagen.",
                "intervention": None,
                "root_unit": root,
                "deadline": self.today + dt.timedelta(days=45),
            },
        )
        self.rollout_states(rollout, root)
        # A second, older roll-out of the rehabilitation intervention, now past its deadline.
        rehab_rollout = services.rollout_save(
            actor=None,
            rollout=None,
            fields={
                "title_da": "Hverdagsrehabilitering i alle hjemmeplejegrupper",
                "intervention": rehab,
                "root_unit": centre["aeldre"],
                "deadline": self.today - dt.timedelta(days=30),
            },
        )
        self.rollout_states(rehab_rollout, centre["aeldre"], done=0.7)
        self.stdout.write(
            f"goals: vision, {EffectGoal.objects.count()} effect goals, "
            f"{UnitGoal.objects.count()} unit goals, "
            f"{Intervention.objects.count()} interventions, {Indicator.objects.count()} indicators, "
            f"{Measurement.objects.count()} measurements, {Rollout.objects.count()} roll-outs\n"
        )

    def rollout_states(self, rollout: Rollout, root: Unit, done: float = 0.5) -> None:
        """Seed states in bulk (tens of thousands of units at national scale): one audit row."""
        states = []
        choices = [
            (RolloutState.State.IMPLEMENTED, 0.6),
            (RolloutState.State.UNDERWAY, 0.34),
            (RolloutState.State.NOT_RELEVANT, 0.06),
        ]
        for unit_id in Unit.objects.active().subtree_of(root).values_list("pk", flat=True).iterator():
            if self.rng.random() > done:
                continue
            roll, state = self.rng.random(), choices[-1][0]
            for candidate, share in choices:
                if roll < share:
                    state = candidate
                    break
                roll -= share
            states.append(
                RolloutState(
                    rollout=rollout,
                    unit_id=unit_id,
                    state=state,
                    reason="Enheden har ingen medarbejdere"
                    if state == RolloutState.State.NOT_RELEVANT
                    else "",
                    note="Drøftet på personalemødet" if state == RolloutState.State.IMPLEMENTED else "",
                    updated_at=self.now,
                )
            )
        RolloutState.objects.bulk_create(states, batch_size=5000)
        audit_record(
            actor=None, action="rollout.demo_states", obj=rollout, changes={"states": [None, len(states)]}
        )


def build(*, seed: int, stdout: IO[str] | Any) -> None:
    """Add the goals demo (see the module docstring); nothing when it is already there."""
    if EffectGoal.objects.filter(vision__title_da=VISION_TITLE).exists():
        stdout.write("goals: demo already present\n")
        return
    # `kerne demo --reset` removes what hangs on the tree; a vision and its themes do not.
    Vision.objects.filter(title_da=VISION_TITLE).delete()
    if not Unit.objects.filter(depth=0).exists():
        stdout.write("goals: no organisation tree, nothing to add\n")
        return
    with transaction.atomic():
        _Builder(seed, stdout).build()
