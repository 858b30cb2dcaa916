"""Survey demo data for Demo Kommune (`kerne demo`, after the organisation).

- Two finished, released social-capital rounds for the whole municipality: last spring,
  and the spring before (for trends).
- A running 360 round opened last week: a handful of leaders in one centre, with the
  raters proposed from the tree; some raters have answered. The demo login `medarbejder`
  rates their own team leader and has not answered yet, so "Mine målinger" shows them a
  survey waiting for their answer.
- An open citizen survey with public links for the libraries, citizen service and home care.

The answers are synthetic but structured like a real municipality's, not uniform noise:
every unit has a latent "climate" per dimension, inherited down the tree with centre-level
effects and unit-level deviations; a few leaders are "strained" and everything under them
scores lower (above all towards the leader: linking); climates move a little between the
two rounds; respondents differ from each other; "don't know" is more common about other
units and the management than about one's own unit; response rates vary by unit (60–90 %);
some respondents leave a comment whose tone follows their answers.

Storage follows the anonymity model: responses and comments are bulk-inserted in a shuffled
order with their round, unit and rater group only (no date), on each invitation's response
unit as a launch would fix it (kerne/surveys/pooling.py); who answered is drawn per unit, so
the counts agree and nothing links an invitation to a response. The finished rounds' invitations
say nothing about who answered, as a closed round's never do (sealing.forget_respondents).
Everything is vectorised with numpy: 5,000 people take a few seconds.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from django.db import transaction
from django.utils import timezone

from kerne.accounts.audit import audit_record
from kerne.organisation.models import Engagement, Person, Unit
from kerne.surveys import services
from kerne.surveys.instruments import shipped_instrument
from kerne.surveys.models import (
    Comment,
    FreeTextQuestion,
    Instrument,
    InstrumentKind,
    Invitation,
    RaterGroup,
    Response,
    Round,
    hash_secret,
)
from kerne.surveys.packing import pack_answers
from kerne.surveys.tokens import new_token

BATCH = 5_000
DEMO_MARK = "(demo)"
EMPLOYEE_LOGIN = "medarbejder"  # kerne/organisation/demo.py LOGINS


class Writer(Protocol):
    def write(self, msg: str = "", style_func: Any = None, ending: str | None = None) -> None: ...


# --- Comments (Danish), by tone ----------------------------------------------------------------

WORKS_WELL = (
    "Vi hjælper hinanden, når det brænder på, og ingen bliver ladt alene med en svær opgave.",
    "Morgenmødet giver et godt overblik, og vi får fordelt opgaverne retfærdigt.",
    "Der er højt til loftet, og man kan sige sin mening uden at blive set skævt til.",
    "Min nærmeste leder er tilgængelig og tager sig tid, når man har brug for sparring.",
    "Vi er gode til at dele viden på tværs af faggrupper, især på teammøderne.",
    "Samarbejdet med de andre afdelinger er blevet meget bedre efter de fælles workshops.",
    "Vi fejrer det, der lykkes, og det giver energi i hverdagen.",
    "Nye kolleger bliver taget godt imod og får en fast makker de første uger.",
    "Der er tillid til, at vi selv kan tilrettelægge arbejdet, når bare borgerne får det, de skal have.",
    "Ledelsen forklarer baggrunden for beslutningerne, også når de er svære.",
    "Vi har en god humor og en god tone, også når der er travlt.",
    "Vores faglige sparring om konkrete borgerforløb er rigtig god.",
    "Når der opstår fejl, taler vi om, hvad vi kan lære, i stedet for at finde en syndebuk.",
    "Vi bliver inddraget i planlægningen af ændringer, før de bliver besluttet.",
    "Kollegerne er fleksible og bytter gerne vagter, når nogen har brug for det.",
    "Det tværfaglige samarbejde om de svære sager fungerer godt.",
    "Der er kort vej fra idé til handling, og gode forslag bliver faktisk prøvet af.",
    "Vi har fået en fælles forståelse af, hvad kerneopgaven er, og det gør prioriteringerne lettere.",
    "Min leder bakker op, når vi skal sige nej til opgaver, der ikke hører til hos os.",
    "Det er nemt at få fat i kolleger i andre centre, når en borgersag går på tværs.",
    "Vi har gode rutiner for overlevering mellem vagterne.",
    "Jeg føler mig værdsat for det arbejde, jeg laver.",
    "Vores møder er blevet kortere og mere fokuserede.",
    "Der er plads til at være ny og stille spørgsmål.",
)

STRENGTHEN = (
    "Informationen fra ledelsen kommer ofte for sent, og vi hører tingene fra andre først.",
    "Der er for stor forskel på, hvem der får de tunge opgaver.",
    "Vi mangler tid til at tale fagligt sammen; alt handler om at nå det nødvendige.",
    "Beslutninger bliver truffet over hovedet på os, og vi bliver ikke spurgt.",
    "Samarbejdet med de andre afdelinger er præget af siloer og mistillid.",
    "Det ville hjælpe, hvis ledelsen var mere synlig i hverdagen.",
    "Der bliver snakket for meget om kolleger i stedet for med dem.",
    "Vi har brug for klarere prioriteringer: hvad skal vi lade være med, når der ikke er tid?",
    "Sygefraværet er højt, og vikarerne kender ikke vores borgere.",
    "Der bliver lovet ting, som ikke bliver fulgt op.",
    "Det er svært at sige fra, fordi man bliver set som ikke loyal.",
    "Vi skal blive bedre til at give hinanden feedback på en ordentlig måde.",
    "Det føles, som om nogle teams bliver favoriseret, når der fordeles ressourcer.",
    "Skiftende ledere har gjort, at ingen ved, hvem der beslutter hvad.",
    "Vi bruger for meget tid på dokumentation og for lidt tid hos borgerne.",
    "Arbejdsplanen bliver ændret med kort varsel, og det går ud over privatlivet.",
    "Vi savner anerkendelse fra ledelsen, når vi løber stærkt.",
    "Der er for lidt kontakt til de andre teams; vi kender dem kun fra mails.",
    "Vores forslag til forbedringer bliver sjældent taget op.",
    "Nye medarbejdere bliver kastet ud i det uden ordentlig oplæring.",
    "Konflikter bliver ikke taget i opløbet, de får lov at vokse.",
    "Det ville styrke tilliden, hvis begrundelserne for besparelserne blev forklaret.",
    "Vi har brug for et fast forum, hvor vi kan løfte problemer uden at blive udstillet.",
    "IT-systemerne spiller ikke sammen, og det skaber frustration på tværs.",
)

LEADER_WORKS_WELL = (
    "Lederen er god til at sætte en klar retning og forklare hvorfor.",
    "Hun lytter og tager vores input alvorligt, også når hun ender med at beslutte noget andet.",
    "Han står ved sine beslutninger og forklarer, hvad der blev valgt fra.",
    "Lederen giver os plads til at løse opgaverne selv og træder til, når det kniber.",
    "God til at anerkende det, vi lykkes med, og til at give konkret feedback.",
    "Lederen er nysgerrig på, hvad der sker i resten af organisationen, og deler det med os.",
    "Taler pænt og ordentligt til alle, også under pres.",
    "Siger nej med en saglig begrundelse, så vi forstår hvorfor.",
)

LEADER_DIFFERENTLY = (
    "Lederen kunne være mere synlig i hverdagen ude hos os.",
    "Beslutninger bliver nogle gange ændret uden at vi får at vide hvorfor.",
    "Der mangler opfølgning på de aftaler, vi laver på møderne.",
    "Lederen kunne spørge mere til råds, før større ændringer sættes i gang.",
    "Feedback kommer sjældent, og mest når noget er gået galt.",
    "Det er uklart, hvilke opgaver der skal prioriteres, når tiden ikke rækker.",
    "Lederen kunne blive bedre til at sige fra over for nye opgaver ovenfra.",
    "Mere tid til den enkelte medarbejders udvikling ville gøre en forskel.",
)

CITIZEN_POSITIVE = (
    "Meget venlig og hjælpsom medarbejder, der tog sig god tid.",
    "Jeg fik svar på alle mine spørgsmål og vidste bagefter, hvad der skulle ske.",
    "Hurtig og effektiv betjening, selvom der var mange i kø.",
    "Dejligt at blive mødt med et smil og en god forklaring.",
    "Hjemmehjælperne er søde og grundige, og min mor er glad for dem.",
    "Biblioteket er et rart sted at være, og personalet hjalp mig med at finde bøgerne.",
    "Nem online-booking, og det hele passede på minuttet.",
    "De fandt en løsning, som jeg ikke selv havde tænkt på.",
)

CITIZEN_NEGATIVE = (
    "Jeg ventede længe og fik forskellige svar fra forskellige medarbejdere.",
    "Det var svært at forstå brevet, jeg fik bagefter.",
    "Der kommer for mange forskellige hjælpere, så min far ved aldrig, hvem der kommer.",
    "Telefontiden er for kort, og det er svært at komme igennem.",
    "Åbningstiderne passer dårligt, når man har arbejde.",
    "Jeg blev sendt rundt mellem flere afdelinger, før nogen kunne hjælpe.",
)


# --- Small helpers -----------------------------------------------------------------------------


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


def _unusable_hashes(n: int) -> list[str]:
    return [hash_secret(new_token()) for _ in range(n)]


@dataclass
class Tree:
    """The units (active on a date) as arrays, in path order."""

    units: list[Unit]
    index: dict[int, int]
    parent: npt.NDArray[np.int64]  # index of the parent, −1 for a root
    centre: npt.NDArray[np.int64]  # index of the depth-1 ancestor (or self for a root)

    @classmethod
    def load(cls) -> Tree:
        units = list(Unit.objects.order_by("path").only("pk", "name", "parent_id", "path", "depth", "kind"))
        index = {u.pk: i for i, u in enumerate(units)}
        parent = np.array([index.get(u.parent_id, -1) if u.parent_id else -1 for u in units], dtype=np.int64)
        centre = np.arange(len(units), dtype=np.int64)
        for i, u in enumerate(units):
            if u.depth >= 2:
                centre[i] = centre[parent[i]]
        return cls(units, index, parent, centre)

    def by_name(self, name: str) -> Unit | None:
        return next((u for u in self.units if u.name == name), None)


def _climate(tree: Tree, dims: Sequence[tuple[str, str]], rng: np.random.Generator) -> Any:
    """Latent climate (0–100 scale) per unit × dimension, for this round and the one before.

    `dims` are (value key, aspect) pairs. Returns (now, before, strained unit indices).
    """
    n, d = len(tree.units), len(dims)
    aspect_base = {"bonding": 74.0, "bridging": 61.0, "linking": 66.0, "": 68.0}
    value_shift = {"trust": 2.0, "justice": -4.0, "cooperation": 0.0}
    base = np.array([aspect_base.get(a, 68.0) + value_shift.get(v, 0.0) for v, a in dims])
    linking = np.array([a == "linking" for _v, a in dims], dtype=float)
    bonding = np.array([a == "bonding" for _v, a in dims], dtype=float)

    own = rng.normal(0.0, 2.2, size=(n, 1)) + rng.normal(0.0, 1.8, size=(n, d))
    change = rng.normal(0.0, 0.8, size=(n, 1)) + rng.normal(0.0, 0.6, size=(n, d))
    depth = np.array([u.depth for u in tree.units])
    # Centres differ more than units within them.
    centres = depth == 1
    own[centres] = rng.normal(0.0, 4.0, size=(int(centres.sum()), 1)) + rng.normal(
        0.0, 2.5, size=(int(centres.sum()), d)
    )
    change[centres] = rng.normal(0.3, 1.2, size=(int(centres.sum()), 1))
    change[0] = 0.8  # the municipality as a whole moved a little
    # Strained leaders: about 8 % of units at depth ≥ 2 with children or staff; everything below
    # them scores lower, most of all towards the leader. A few thrive.
    candidates = np.flatnonzero(depth >= 2)
    strained = rng.choice(candidates, size=max(1, int(0.08 * len(candidates))), replace=False)
    thriving = rng.choice(
        np.setdiff1d(candidates, strained), size=max(1, int(0.06 * len(candidates))), replace=False
    )
    own[strained] += -3.0 - 8.0 * linking - 2.0 * bonding
    own[thriving] += 3.0 + 4.0 * linking
    # Some strained units got a new leader or worked on it: they improved since last year.
    deep = [i for i in strained.tolist() if depth[i] >= 3]
    improved = np.array(deep[:3], dtype=np.int64)
    change[improved] += 3.0 + 2.0 * linking

    now = np.zeros((n, d))
    delta = np.zeros((n, d))
    for i in range(n):  # path order: parents come first
        p = tree.parent[i]
        now[i] = (now[p] if p >= 0 else base) + own[i]
        delta[i] = (delta[p] if p >= 0 else 0.0) + change[i]
    return now, now - delta, set(strained.tolist())


def _options(scores: npt.NDArray[np.float64]) -> npt.NDArray[np.uint8]:
    """0–100 favourability → option 1…5 (5 = most favourable)."""
    return (1 + np.digitize(scores, [25.0, 45.0, 63.0, 82.0])).astype(np.uint8)


@dataclass
class Plan:
    """What one social-capital round stores."""

    answers: npt.NDArray[np.uint8]  # respondents × items
    units: npt.NDArray[np.int64]  # unit index per respondent
    mean: npt.NDArray[np.float64]  # each respondent's mean favourability (comment tone)


def _answers(
    instrument: Instrument,
    climate: npt.NDArray[np.float64],
    unit_of_respondent: npt.NDArray[np.int64],
    dims: list[int],
    rng: np.random.Generator,
) -> Plan:
    items = list(instrument.items.select_related("dimension").order_by("position"))
    dim_of_item = np.array([dims.index(item.dimension_id) for item in items])
    reversed_ = np.array([item.reversed for item in items])
    aspects = [item.dimension.aspect for item in items]
    dont_know = np.array([{"bonding": 0.02, "bridging": 0.08, "linking": 0.05}.get(a, 0.03) for a in aspects])
    n = len(unit_of_respondent)
    person = rng.normal(0.0, 8.0, size=(n, 1)) + rng.normal(0.0, 5.0, size=(n, len(dims)))
    latent = climate[unit_of_respondent][:, dim_of_item] + person[:, dim_of_item]
    scores = latent + rng.normal(0.0, 10.0, size=latent.shape)
    options = _options(scores)
    options[:, reversed_] = 6 - options[:, reversed_]
    options[rng.random(options.shape) < dont_know] = 0
    return Plan(options, unit_of_respondent, latent.mean(axis=1))


def _comments(
    round_: Round,
    units: Sequence[int],
    means: Sequence[float],
    questions: Sequence[FreeTextQuestion],
    positive: Sequence[str],
    negative: Sequence[str],
    rater_group: str,
    rng: random.Random,
    share: float = 0.16,
    evaluation_ids: Sequence[int | None] | None = None,
) -> list[Comment]:
    """Some respondents comment; a happier respondent more often says what works well."""
    comments = []
    good_question, bad_question = questions[0], questions[-1]
    for i, (unit_id, mean) in enumerate(zip(units, means, strict=True)):
        if rng.random() >= share:
            continue
        happy = rng.random() < min(0.9, max(0.1, (mean - 40.0) / 45.0))
        question = good_question if happy else bad_question
        sentences = rng.sample(positive if happy else negative, k=1 if rng.random() < 0.7 else 2)
        comments.append(
            Comment(
                round=round_,
                unit_id=unit_id,
                rater_group=rater_group,
                evaluation_id=evaluation_ids[i] if evaluation_ids else None,
                question=question,
                text=" ".join(sentences),
            )
        )
    return comments


# --- The rounds ---------------------------------------------------------------------------------


def _social_capital_round(
    *,
    name: str,
    instrument: Instrument,
    target: Unit,
    tree: Tree,
    climate: npt.NDArray[np.float64],
    spring: dt.date,
    rates: dict[int, float],
    rng: np.random.Generator,
    prng: random.Random,
) -> tuple[int, int, int]:
    round_ = Round.objects.create(
        name=name,
        instrument=instrument,
        mode=Round.Mode.INVITED,
        target_unit=target,
        opens_at=_at(spring, 8),
        closes_at=_at(spring + dt.timedelta(days=21), 16),
        cut_off_date=spring - dt.timedelta(days=14),
        k=5,
        comment_k=5,
        languages=["da", "en"],
        status=Round.Status.CLOSED,
        released=True,
    )
    plan = services.invitation_plan(round_)
    # As at launch: the tree is frozen, and each invitation's answers are stored on its unit or,
    # when the unit's subtree had fewer than k invitations, on the nearest one above with k.
    stored_on = services.plan_response_units(round_, plan, services.round_tree_freeze(round_))
    hashes = _unusable_hashes(len(plan))
    by_unit: dict[int, list[int]] = defaultdict(list)
    for row, (_person, unit_id) in enumerate(plan):
        by_unit[unit_id].append(row)
    answered_rows: list[int] = []
    for unit_id, rows in by_unit.items():
        rate = rates[unit_id]
        count = min(len(rows), max(0, round(len(rows) * rate + rng.uniform(-0.5, 0.5))))
        answered_rows += prng.sample(rows, count)
    Invitation.objects.bulk_create(
        [
            Invitation(
                round=round_,
                person_id=person,
                unit_id=unit_id,
                response_unit_id=stored_on[unit_id],
                rater_group=RaterGroup.EMPLOYEE,
                token_hash=hashes[row],
                # A closed round: nobody marked answered, no reminder counts, no e-mail flags
                # (sealing.forget_respondents).
            )
            for row, (person, unit_id) in enumerate(plan)
        ],
        batch_size=BATCH,
    )
    # Respondents: one per answered invitation's unit, in a shuffled order (no link back).
    units_of_respondents = [plan[row][1] for row in answered_rows]
    prng.shuffle(units_of_respondents)
    unit_index = np.array([tree.index[u] for u in units_of_respondents], dtype=np.int64)
    dims = list(instrument.dimensions.order_by("position").values_list("pk", flat=True))
    result = _answers(instrument, climate, unit_index, dims, rng)
    item_count = result.answers.shape[1]
    first = {p: int(v) for p, v in enumerate(result.answers[0])} if len(result.answers) else {}
    assert not len(result.answers) or pack_answers(first, item_count) == result.answers[0].tobytes()
    # The answers follow each respondent's own unit's climate; they are stored on the response unit.
    stored_units = [stored_on[unit_id] for unit_id in units_of_respondents]
    Response.objects.bulk_create(
        [
            Response(
                round=round_,
                unit_id=unit_id,
                rater_group=RaterGroup.EMPLOYEE,
                answers=result.answers[i].tobytes(),
            )
            for i, unit_id in enumerate(stored_units)
        ],
        batch_size=BATCH,
    )
    questions = list(instrument.free_text_questions.order_by("position"))
    comments = _comments(
        round_,
        stored_units,
        result.mean.tolist(),
        questions,
        WORKS_WELL,
        STRENGTHEN,
        "employee",
        prng,
    )
    prng.shuffle(comments)
    Comment.objects.bulk_create(comments, batch_size=BATCH)
    return len(plan), len(units_of_respondents), len(comments)


def _response_rates(tree: Tree, rng: np.random.Generator) -> dict[int, float]:
    """Response rate per unit, 60–90 %: centres differ (care and cleaning lower, staff higher)."""
    centre_rate = {i: float(rng.uniform(0.66, 0.84)) for i in set(tree.centre.tolist())}
    rates = {}
    for i, unit in enumerate(tree.units):
        centre = tree.units[tree.centre[i]]
        adjust = 0.06 if centre.kind == "staff" else (-0.05 if "Omsorg" in centre.name else 0.0)
        rates[unit.pk] = float(np.clip(centre_rate[tree.centre[i]] + adjust + rng.normal(0, 0.06), 0.6, 0.9))
    return rates


def _leadership_round(
    *, tree: Tree, today: dt.date, rng: np.random.Generator, prng: random.Random
) -> tuple[int, int, int]:
    instrument = shipped_instrument(InstrumentKind.LEADERSHIP_360)
    centre = tree.by_name("Center for Sundhed og Omsorg") or next(u for u in tree.units if u.depth == 1)
    opened = today - dt.timedelta(days=6)
    round_ = services.round_create(
        actor=None,
        name=f"Ledelsesevaluering {today.year} – {centre.name}",
        instrument=instrument,
        target_unit=centre,
        opens_at=_at(opened, 8),
        closes_at=_at(today + dt.timedelta(days=15), 16),
        cut_off_date=opened - dt.timedelta(days=7),
        k=3,
        comment_k=3,
        languages=["da", "en"],
    )
    candidates = services.leaders_in_target(round_)
    departments = [p for p, u in candidates if u.depth == centre.depth + 1]
    deeper = [p for p, u in candidates if u.depth == centre.depth + 2]
    leaders = departments[:4] + prng.sample(deeper, k=min(2, len(deeper)))
    # The employee login's own team leader is evaluated too, and the employee's invitation
    # stays unanswered (see the module docstring).
    employee = Person.objects.filter(user__username=EMPLOYEE_LOGIN).first()
    if employee is not None:
        units = set(
            Engagement.objects.active(round_.cut_off_date)
            .filter(person=employee)
            .values_list("unit_id", flat=True)
        )
        leaders += [p for p, u in candidates if u.pk in units and p not in leaders][:1]
    evaluations = services.evaluations_add(actor=None, round=round_, leaders=leaders)
    waiting: set[int] = set()
    if employee is not None:
        waiting = set(Invitation.objects.filter(round=round_, person=employee).values_list("pk", flat=True))
    services.round_tree_freeze(round_)  # as at launch
    Round.objects.filter(pk=round_.pk).update(status=Round.Status.OPEN)
    round_.status = Round.Status.OPEN
    Invitation.objects.filter(round=round_).update(emailed=True)

    dims = list(instrument.dimensions.order_by("position").values_list("pk", flat=True))
    items = list(instrument.items.order_by("position"))
    dim_of_item = np.array([dims.index(item.dimension_id) for item in items])
    bias = {RaterGroup.SELF: 9.0, RaterGroup.MANAGER: -3.0, RaterGroup.PEER: 0.0, RaterGroup.EMPLOYEE: 0.0}
    spread = {RaterGroup.SELF: 4.0, RaterGroup.MANAGER: 5.0, RaterGroup.PEER: 7.0, RaterGroup.EMPLOYEE: 9.0}
    share = {RaterGroup.SELF: 0.85, RaterGroup.MANAGER: 0.7, RaterGroup.PEER: 0.5, RaterGroup.EMPLOYEE: 0.58}
    responses: list[Response] = []
    answered: list[int] = []
    meta: list[tuple[int, int, str, float]] = []
    for number, evaluation in enumerate(evaluations):
        quality = rng.normal(70.0, 5.0) + rng.normal(0.0, 6.0, size=len(dims))
        if number == len(evaluations) - 1:  # one leader is having a hard time with listening and feedback
            quality -= 8.0
        invitations = list(Invitation.objects.filter(evaluation=evaluation).values_list("pk", "rater_group"))
        for invitation_id, group in invitations:
            if invitation_id in waiting or prng.random() >= share[RaterGroup(group)]:
                continue
            answered.append(invitation_id)
            person = rng.normal(bias[RaterGroup(group)], spread[RaterGroup(group)])
            scores = quality[dim_of_item] + person + rng.normal(0.0, 8.0, size=len(items))
            options = _options(scores)
            options[rng.random(len(items)) < (0.08 if group == RaterGroup.PEER else 0.02)] = 0
            responses.append(
                Response(
                    round=round_,
                    unit_id=evaluation.unit_id,
                    rater_group=group,
                    evaluation=evaluation,
                    answers=options.tobytes(),
                )
            )
            meta.append((evaluation.unit_id, evaluation.pk, group, float(scores.mean())))
    order = list(range(len(responses)))
    prng.shuffle(order)
    Invitation.objects.filter(pk__in=answered).update(answered=True)
    Response.objects.bulk_create([responses[i] for i in order], batch_size=BATCH)
    questions = list(instrument.free_text_questions.order_by("position"))
    comments = []
    for unit_id, evaluation_id, group, mean in meta:
        # Only the anonymous groups comment here; the results page shows comments by group.
        if group in (RaterGroup.EMPLOYEE, RaterGroup.PEER) and prng.random() < 0.3:
            happy = prng.random() < min(0.9, max(0.1, (mean - 40.0) / 45.0))
            comments.append(
                Comment(
                    round=round_,
                    unit_id=unit_id,
                    rater_group=group,
                    evaluation_id=evaluation_id,
                    question=questions[0] if happy else questions[-1],
                    text=prng.choice(LEADER_WORKS_WELL if happy else LEADER_DIFFERENTLY),
                )
            )
    prng.shuffle(comments)
    Comment.objects.bulk_create(comments, batch_size=BATCH)
    return len(evaluations), len(responses), Invitation.objects.filter(round=round_).count()


def _citizen_round(
    *, tree: Tree, today: dt.date, rng: np.random.Generator, prng: random.Random
) -> tuple[int, int]:
    instrument = shipped_instrument(InstrumentKind.CITIZEN)
    root = tree.units[0]
    opened = today - dt.timedelta(days=20)
    round_ = services.round_create(
        actor=None,
        name=f"Borgernes oplevelse af kvalitet {today.year}",
        instrument=instrument,
        target_unit=root,
        opens_at=_at(opened, 8),
        closes_at=_at(today + dt.timedelta(days=40), 16),
        cut_off_date=opened,
        mode=Round.Mode.OPEN_LINK,
    )
    libraries = tree.by_name("Bibliotekerne")
    chosen: list[tuple[Unit, float]] = []
    if libraries is not None:
        chosen += [(u, 78.0) for u in tree.units if u.parent_id == libraries.pk]
    for name, quality in (("Borgerservice", 66.0), ("Hjemmeplejen", 71.0)):
        unit = tree.by_name(name)
        if unit is not None:
            chosen.append((unit, quality))
    if not chosen:
        chosen = [(root, 70.0)]
    services.open_links_set(actor=None, round=round_, units=[u for u, _q in chosen])
    services.round_tree_freeze(round_)  # as at launch
    Round.objects.filter(pk=round_.pk).update(status=Round.Status.OPEN)
    items = list(instrument.items.order_by("position"))
    responses: list[Response] = []
    units: list[int] = []
    means: list[float] = []
    for unit, quality in chosen:
        count = int(rng.poisson(45 if unit.name != "Borgerservice" else 90))
        unit_quality = quality + rng.normal(0.0, 4.0)
        for _ in range(count):
            scores = unit_quality + rng.normal(0.0, 13.0) + rng.normal(0.0, 8.0, size=len(items))
            options = _options(scores)
            options[rng.random(len(items)) < 0.03] = 0
            responses.append(
                Response(
                    round=round_,
                    unit=unit,
                    rater_group=RaterGroup.CITIZEN,
                    answers=options.tobytes(),
                )
            )
            units.append(unit.pk)
            means.append(float(scores.mean()))
    order = list(range(len(responses)))
    prng.shuffle(order)
    Response.objects.bulk_create([responses[i] for i in order], batch_size=BATCH)
    questions = list(instrument.free_text_questions.order_by("position"))
    comments = _comments(
        round_,
        units,
        means,
        questions,
        CITIZEN_POSITIVE,
        CITIZEN_NEGATIVE,
        RaterGroup.CITIZEN,
        prng,
        share=0.22,
    )
    prng.shuffle(comments)
    Comment.objects.bulk_create(comments, batch_size=BATCH)
    return len(chosen), len(responses)


def build(*, seed: int, stdout: Writer | None = None) -> None:
    """Add the survey demo to an organisation built by `kerne demo` (see the module docstring)."""

    def say(text: str) -> None:
        if stdout is not None:
            stdout.write(text)

    if not Unit.objects.exists():
        say("Målinger: ingen organisation; springer over.")
        return
    if Round.objects.exists():
        say("Målinger: der findes allerede målinger; springer over.")
        return
    rng = np.random.default_rng(seed + 7919)
    prng = random.Random(seed + 7919)
    today = timezone.localdate()
    last_spring_year = today.year if today.month >= 6 else today.year - 1
    tree = Tree.load()
    root = tree.units[0]
    instrument = shipped_instrument(InstrumentKind.SOCIAL_CAPITAL)
    dimensions = list(instrument.dimensions.select_related("value").order_by("position"))
    dims = [(d.value.key if d.value else "", d.aspect) for d in dimensions]
    now, before, strained = _climate(tree, dims, rng)
    rates_now = _response_rates(tree, rng)
    rates_before = {pk: float(np.clip(r + rng.normal(-0.03, 0.04), 0.6, 0.9)) for pk, r in rates_now.items()}
    with transaction.atomic():
        for year, climate, rates in (
            (last_spring_year - 1, before, rates_before),
            (last_spring_year, now, rates_now),
        ):
            spring = dt.date(year, 3, 3)
            invited, answered, comments = _social_capital_round(
                name=f"Social kapital forår {year}",
                instrument=instrument,
                target=root,
                tree=tree,
                climate=climate,
                spring=spring,
                rates=rates,
                rng=rng,
                prng=prng,
            )
            say(f"Social kapital forår {year}: {invited} inviteret, {answered} svar, {comments} kommentarer.")
        evaluations, answers, raters = _leadership_round(tree=tree, today=today, rng=rng, prng=prng)
        say(f"Ledelsesevaluering (åben): {evaluations} ledere, {raters} bedømmere, {answers} svar indtil nu.")
        links, citizen = _citizen_round(tree=tree, today=today, rng=rng, prng=prng)
        say(f"Borgerundersøgelse (åben): {links} enheder med link, {citizen} svar indtil nu.")
        audit_record(
            actor=None,
            action="surveys.demo",
            obj=root,
            changes={"seed": [None, seed], "strained_units": [None, len(strained)]},
        )
