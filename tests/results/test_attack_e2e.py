"""The end-to-end attack (DESIGN §3.4, issue 9): everything HR, the executive board, a centre
head and a team leader can see, through the real pages, exports and API, gives no group of
1 to k−1 contributors away — proved with exact arithmetic, statistic by statistic. Below
it, the issue's classes 1–3 as named regression tests with the issue's own numbers.

The hostile organisation (k = 5; people per unit in brackets; ⋆ leads it):

    Kommunen (2, director⋆)
    ├── Center Nord (1, centre head⋆ — a role below)
    │   ├── Afdeling N1 (3⋆)
    │   │   ├── Team N1a (6, team leader⋆ — a role below)     a shown child
    │   │   └── Team N1b (2)                                  a hidden child; moved to N2 after round 1
    │   ├── Afdeling N2 (7⋆)
    │   └── Afdeling N3 (6⋆)
    │       └── Team N3a (7)
    ├── Center Syd (1⋆)
    │   ├── Afdeling S1 (4⋆)
    │   │   ├── Team S1a (5)
    │   │   └── Team S1b (1)
    │   ├── Team S2 (3)                                       moved to Center Nord while round 2 runs
    │   └── Afdeling S3 (7⋆)
    └── Stab (5)

Rounds, all through Kerne's services (create, launch, the real submission with tokens,
close, release): two social-capital rounds with "don't know" answers and comments from
small units (round 2 after the move of Team N1b; Team S2 moves while round 2 runs, and HR
and the executive board look at it before it closes); an open-link round with links on
nested units (Center Nord, Afdeling N1, Team N1a) and on Team S2; a 360 round with peer
groups of one and two, and one of five peers of whom only one answers a behaviour. A
survey-sourced goal indicator reads the first dimension of the social-capital rounds.

What is collected (tests/results/collect.py), per role, for every round and every unit
and evaluation the role can open: the unit report (HTML, its PDF's HTML, CSV, API), the
trend table and chart, drivers, the heatmap from every unit (HTML, XLSX, API), the round
page's response rates, the rates page and its API, the 360 report (HTML, API), and the
goal indicator's values for every unit (API). One real PDF is rendered and its text
checked against its HTML.

For every round and statistic (respondents; each item; each dimension — per rater group in
360; comments) the test builds, from what each role saw and from the union of all four,
the family of shown groups as sets of atoms (each unit's own respondents at the round's
tree as launched; in 360 one rater group of one evaluation, the leader and the manager
exempt), with each atom's true contributors to that statistic, computed here from the
answers the test itself gave. Every shown number is first checked against the group the
test takes it for (a count must equal the group's contributors, a mean the group's mean),
so the attack runs on what the pages mean, not on what we hope they mean; a count that
only fits today's tree is read as such and attacked. Then the exact attacker
(tests/results/attacker.py) must find no derivable set of 1…k−1 contributors, and the
Boolean attacker no isolable class of comments.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import re
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import pytest
from django.test import Client
from django.utils import timezone

from kerne.accounts.models import ApiToken, hash_token
from kerne.goals.models import Indicator
from kerne.organisation.models import Engagement, PipelineLevel, Unit
from kerne.organisation.services import unit_move
from kerne.results.services import round_release
from kerne.surveys import services
from kerne.surveys.models import Evaluation, Instrument, InstrumentKind, Invitation, RaterGroup, Round
from kerne.surveys.scales import DONT_KNOW
from kerne.surveys.submission import new_nonce, open_response_submit, response_submit
from tests.factories import make_executive, make_hr, make_person, make_unit, make_user
from tests.goals.helpers import make_indicator
from tests.results.attacker import Attacker, boolean_leaks
from tests.results.collect import Collector, Context, Seen, parse_html
from tests.results.factories import add_invitations, add_responses, make_evaluation, make_instrument
from tests.results.factories import make_round as make_round_directly

K = 5
ROLES = ("hr", "executive", "centre_head", "team_leader")
Atom = Hashable  # a unit id, or (evaluation id, rater group)
EVAL_MEMBERS = {"others": ("manager", "peer", "employee")}
EXEMPT = {"self", "manager"}

# --- The world and the truth the test keeps for itself ------------------------------------------


@dataclass
class Answer:
    """One respondent's answers, as the test gave them (options by item position, 0 = don't know)."""

    atom: Atom
    options: tuple[int, ...]
    comment: str | None


@dataclass
class RoundTruth:
    round: Round
    kind: str  # "units" | "360"
    item_keys: list[str]
    reversed: list[bool]
    item_dimension: list[str]
    dimension_keys: list[str]
    answers: list[Answer] = field(default_factory=list)
    atoms: list[Atom] = field(default_factory=list)
    parent: dict[int, int | None] = field(default_factory=dict)  # the round's tree (as launched)
    alone: dict[int, set[int]] = field(default_factory=dict)  # unit → atoms reported as "the unit alone"
    invited: dict[int, int] = field(default_factory=dict)
    previous: int | None = None

    @property
    def pk(self) -> int:
        return self.round.pk

    def exempt(self, atom: Atom) -> bool:
        return isinstance(atom, tuple) and atom[1] in EXEMPT


@dataclass
class World:
    units: dict[str, Unit]
    parent: dict[int, int | None]  # today's tree (the test's own bookkeeping of every move)
    people: dict[str, list]  # unit name → Person objects
    users: dict[str, object]
    rounds: dict[str, RoundTruth] = field(default_factory=dict)
    indicator: Indicator | None = None
    live: dict[str, list[Seen]] = field(default_factory=dict)

    def unit_ids(self) -> list[int]:
        return [u.pk for u in self.units.values()]


ORG = (  # name, parent, kind, people, pipeline level of its leader (first person) or None
    ("Kommunen", None, "executive", 2, "executive"),
    ("Center Nord", "Kommunen", "centre", 1, "function_head"),
    ("Afdeling N1", "Center Nord", "department", 3, "leader_of_leaders"),
    ("Team N1a", "Afdeling N1", "team", 6, "leader_of_employees"),
    ("Team N1b", "Afdeling N1", "team", 2, None),
    ("Afdeling N2", "Center Nord", "department", 7, "leader_of_employees"),
    ("Afdeling N3", "Center Nord", "department", 6, "leader_of_leaders"),
    ("Team N3a", "Afdeling N3", "team", 7, None),
    ("Center Syd", "Kommunen", "centre", 1, "function_head"),
    ("Afdeling S1", "Center Syd", "department", 4, "leader_of_leaders"),
    ("Team S1a", "Afdeling S1", "team", 5, None),
    ("Team S1b", "Afdeling S1", "team", 1, None),
    ("Team S2", "Center Syd", "team", 3, None),
    ("Afdeling S3", "Center Syd", "department", 7, "leader_of_employees"),
    ("Stab", "Kommunen", "staff", 5, None),
)
SMALL_UNITS = {"Team N1b", "Team S1b", "Team S2", "Afdeling N1"}  # everyone there comments


def build_org() -> World:
    units: dict[str, Unit] = {}
    parent: dict[int, int | None] = {}
    people: dict[str, list] = {}
    for name, up, kind, count, level in ORG:
        unit = make_unit(name, parent=units[up] if up else None, kind=kind)
        units[name] = unit
        parent[unit.pk] = units[up].pk if up else None
        people[name] = []
        for i in range(count):
            person = make_person(f"{name} person {i}")
            leads = i == 0 and level is not None
            Engagement.objects.create(
                person=person,
                unit=unit,
                is_leader=leads,
                pipeline_level=PipelineLevel.objects.get(key=level if leads else "employee"),
            )
            people[name].append(person)
    users = {
        "hr": make_hr("e2e-hr"),
        "executive": make_executive("e2e-direktion"),
        "centre_head": make_user("e2e-centerchef", person=people["Center Nord"][0]),
        "team_leader": make_user("e2e-teamleder", person=people["Team N1a"][0]),
    }
    return World(units=units, parent=parent, people=people, users=users)


def move(world: World, name: str, new_parent: str) -> None:
    unit = world.units[name]
    unit_move(actor=None, unit=unit, new_parent=world.units[new_parent])
    world.parent[unit.pk] = world.units[new_parent].pk
    for u in world.units.values():
        u.refresh_from_db()


def preorder(parent: dict[int, int | None], root: int) -> list[int]:
    children: dict[int | None, list[int]] = defaultdict(list)
    for u, p in parent.items():
        children[p].append(u)
    order, stack = [], [root]
    while stack:
        u = stack.pop()
        order.append(u)
        stack.extend(sorted(children[u], reverse=True))
    return order


def subtree(parent: dict[int, int | None], unit: int) -> set[int]:
    found = {unit}
    changed = True
    while changed:
        changed = False
        for u, p in parent.items():
            if p in found and u not in found:
                found.add(u)
                changed = True
    return found


def pooled_alone(
    parent: dict[int, int | None], invited: dict[int, int], k: int, root: int
) -> dict[int, set[int]]:
    """DESIGN §3.1: a unit whose subtree had fewer than k invitations at the cut-off is
    reported within ("alone" of) its nearest ancestor whose subtree had at least k."""
    size = {u: sum(invited.get(v, 0) for v in subtree(parent, u)) for u in parent}
    alone: dict[int, set[int]] = {u: set() for u in parent}
    for u in parent:
        target = u
        while size[target] < k and parent.get(target) is not None:
            target = parent[target]  # type: ignore[assignment]
        alone[target].add(u)
    return alone


def instrument_truth(instrument: Instrument, round_: Round, kind: str) -> RoundTruth:
    items = list(instrument.items.order_by("position").select_related("dimension"))
    return RoundTruth(
        round=round_,
        kind=kind,
        item_keys=[i.key for i in items],
        reversed=[i.reversed for i in items],
        item_dimension=[i.dimension.key for i in items],
        dimension_keys=list(instrument.dimensions.order_by("position").values_list("key", flat=True)),
    )


def random_options(rng: random.Random, items: int, dont_know: float = 0.25) -> tuple[int, ...]:
    return tuple(DONT_KNOW if rng.random() < dont_know else rng.randint(1, 5) for _ in range(items))


def submit_personal(invitation: Invitation, truth: RoundTruth, options: tuple[int, ...], comment: str | None):
    token = services.invitation_fresh_token(invitation=invitation)
    answers = {key: str(option) for key, option in zip(truth.item_keys, options, strict=True)}
    result = response_submit(
        token=token, answers=answers, comments={"comment": comment} if comment else {}, language="da"
    )
    assert result.stored, result


def social_capital_round(
    world: World, instrument: Instrument, name: str, opens_ago: dt.timedelta, cut_off: dt.date, seed: int
) -> RoundTruth:
    """Create, launch and answer a social-capital round; the test records who answered what."""
    now = timezone.now()
    round_ = services.round_create(
        actor=None,
        name=name,
        instrument=instrument,
        target_unit=world.units["Kommunen"],
        opens_at=now - opens_ago,
        closes_at=now + dt.timedelta(days=14),
        cut_off_date=cut_off,
        k=K,
    )
    services.round_launch(actor=None, round=round_)
    truth = instrument_truth(instrument, round_, "units")
    root = world.units["Kommunen"].pk
    truth.parent = dict(world.parent)
    truth.atoms = preorder(truth.parent, root)
    truth.invited = {world.units[n].pk: len(p) for n, p in world.people.items()}
    truth.alone = pooled_alone(truth.parent, truth.invited, K, root)
    rng = random.Random(seed)
    for name_, persons in world.people.items():
        unit = world.units[name_]
        for i, person in enumerate(persons):
            if rng.random() < 0.12 and i > 0:
                continue  # did not answer
            options = random_options(rng, len(truth.item_keys))
            comment = f"{name} fra {name_} nr. {i}" if name_ in SMALL_UNITS or rng.random() < 0.3 else None
            invitation = Invitation.objects.get(round=round_, person=person)
            submit_personal(invitation, truth, options, comment)
            truth.answers.append(Answer(unit.pk, options, comment))
    return truth


def close_and_release(world: World, truth: RoundTruth) -> None:
    services.round_close(actor=None, round=truth.round)
    round_release(actor=world.users["hr"], round=truth.round)
    truth.round.refresh_from_db()


def open_link_round(world: World) -> RoundTruth:
    instrument = make_instrument(dimensions=(2, 1), kind=InstrumentKind.CITIZEN, key="e2e-citizen")
    now = timezone.now()
    round_ = services.round_create(
        actor=None,
        name="Borgere 2026",
        instrument=instrument,
        target_unit=world.units["Kommunen"],
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=14),
        cut_off_date=timezone.localdate(),
        k=K,
        mode=Round.Mode.OPEN_LINK,
    )
    linked = {"Center Nord": 6, "Afdeling N1": 3, "Team N1a": 5, "Team S2": 2}
    links = services.open_links_set(actor=None, round=round_, units=[world.units[n] for n in linked])
    services.round_launch(actor=None, round=round_)
    truth = instrument_truth(instrument, round_, "units")
    root = world.units["Kommunen"].pk
    truth.parent = dict(world.parent)
    truth.atoms = preorder(truth.parent, root)
    truth.alone = {u: {u} for u in truth.parent}  # open links are not pooled
    rng = random.Random(3)
    for link in links:
        name = link.unit.name
        for i in range(linked[name]):
            options = random_options(rng, len(truth.item_keys))
            comment = f"Borger ved {name} nr. {i}" if name in SMALL_UNITS else None
            answers = {key: str(o) for key, o in zip(truth.item_keys, options, strict=True)}
            result = open_response_submit(
                slug=link.slug,
                nonce=new_nonce(link.round_id),
                answers=answers,
                comments={"comment": comment} if comment else {},
                language="da",
            )
            assert result.stored, result
            truth.answers.append(Answer(link.unit_id, options, comment))
    return truth


def evaluation_round(world: World) -> tuple[RoundTruth, dict[str, Evaluation]]:
    """360: the leader of Afdeling N2 (manager: the centre head) with two peers of whom one
    answers; the team leader (manager: the leader of Afdeling N1) with one peer; the leader
    of Afdeling N3 (manager: the centre head) with five peers of whom only one answers the
    first behaviour (class 2 of the issue: the peer group hidden for one behaviour)."""
    instrument = make_instrument(dimensions=(2, 2), kind=InstrumentKind.LEADERSHIP_360, key="e2e-360")
    now = timezone.now()
    round_ = services.round_create(
        actor=None,
        name="Ledelsesevaluering 2026",
        instrument=instrument,
        target_unit=world.units["Kommunen"],
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=14),
        cut_off_date=timezone.localdate(),
        k=K,
    )
    p = world.people
    plans = {
        "n2": (
            p["Afdeling N2"][0],
            {
                "manager": [p["Center Nord"][0]],
                "peer": [p["Afdeling N1"][0], p["Afdeling S1"][0]],
                "employee": p["Afdeling N2"][1:],
            },
            {"peer": 1, "employee": 5},
        ),
        "n1a": (
            p["Team N1a"][0],
            {"manager": [p["Afdeling N1"][0]], "peer": [p["Afdeling N2"][0]], "employee": p["Team N1a"][1:]},
            {"employee": 4},
        ),
        "n3": (
            p["Afdeling N3"][0],
            {
                "manager": [p["Center Nord"][0]],
                "peer": [
                    p[u][0]
                    for u in ("Afdeling N1", "Afdeling N2", "Afdeling S1", "Afdeling S3", "Center Syd")
                ],
                "employee": p["Afdeling N3"][1:],
            },
            {},
        ),
    }
    fixed: dict[tuple[str, str], list[tuple[int, ...]]] = {  # answers given as the issue tells them
        ("n3", "manager"): [(4, 4, 3, 3)],
        ("n3", "peer"): [(1, 1, 4, 4)] + [(DONT_KNOW, DONT_KNOW, 4, 3)] * 4,
        ("n3", "employee"): [(4, 4, 4, 4)] * 3 + [(4, 3, 4, 4)] * 2,
    }
    evaluations = {}
    truth = instrument_truth(instrument, round_, "360")
    answering: list[tuple[Invitation, Atom, tuple[int, ...] | None]] = []
    for key, (leader, raters, answered) in plans.items():
        evaluation = services.evaluation_add(actor=None, round=round_, leader=leader)
        for invitation in list(evaluation.invitations.exclude(rater_group=RaterGroup.SELF)):
            services.evaluation_rater_remove(actor=None, invitation=invitation)
        if not evaluation.invitations.filter(rater_group=RaterGroup.SELF).exists():
            services.evaluation_rater_add(
                actor=None, evaluation=evaluation, person=leader, rater_group="self"
            )
        for group, persons in raters.items():
            for person in persons:
                services.evaluation_rater_add(
                    actor=None, evaluation=evaluation, person=person, rater_group=group
                )
        evaluations[key] = evaluation
        for group in ("self", "manager", "peer", "employee"):
            truth.atoms.append((evaluation.pk, group))
            invitations = list(evaluation.invitations.filter(rater_group=group).order_by("pk"))
            given = fixed.get((key, group), [])
            answering += [
                (i, (evaluation.pk, group), given[n] if n < len(given) else None)
                for n, i in enumerate(invitations[: answered.get(group, len(invitations))])
            ]
    services.round_launch(actor=None, round=round_)
    rng = random.Random(360)
    for n, (invitation, atom, given_options) in enumerate(answering):
        invitation.refresh_from_db()
        options = given_options or random_options(rng, len(truth.item_keys), dont_know=0.3)
        comment = f"360-kommentar {n} ({atom[1]})" if atom[1] in ("peer", "employee", "manager") else None
        submit_personal(invitation, truth, options, comment)
        truth.answers.append(Answer(atom, options, comment))
    return truth, evaluations


# --- True statistics of a set of atoms ------------------------------------------------------------


def item_score(truth: RoundTruth, position: int, option: int) -> Fraction | None:
    if option == DONT_KNOW:
        return None
    score = Fraction(25 * (option - 1))
    return 100 - score if truth.reversed[position] else score


def dimension_score(truth: RoundTruth, answer: Answer, key: str) -> Fraction | None:
    positions = [i for i, d in enumerate(truth.item_dimension) if d == key]
    scores = [item_score(truth, i, answer.options[i]) for i in positions]
    answered = [s for s in scores if s is not None]
    if not answered or 2 * len(answered) < len(positions):
        return None
    return sum(answered, Fraction(0)) / len(answered)


def contributions(truth: RoundTruth, stat: str, answer: Answer) -> Fraction | bool | None:
    """The respondent's value for a statistic: a score, None (not a contributor), or True
    (respondent count and comments: every respondent contributes)."""
    if stat in ("respondents", "comments"):
        return True
    kind, key = stat.split(":", 1)
    if kind == "item":
        position = truth.item_keys.index(key)
        return item_score(truth, position, answer.options[position])
    return dimension_score(truth, answer, key)


def contributors_per_atom(truth: RoundTruth, stat: str) -> dict[Atom, int]:
    counts = dict.fromkeys(truth.atoms, 0)
    for answer in truth.answers:
        if contributions(truth, stat, answer) is not None:
            counts[answer.atom] += 1
    return counts


def true_stat(truth: RoundTruth, stat: str, atoms: frozenset[Atom]) -> tuple[int, Fraction | None, set[str]]:
    """(contributors, mean, comments) of the statistic over the atoms."""
    values = []
    comments = set()
    for answer in truth.answers:
        if answer.atom not in atoms:
            continue
        value = contributions(truth, stat, answer)
        if value is not None:
            values.append(value)
        if answer.comment:
            comments.add(" ".join(answer.comment.split()))
    scores = [v for v in values if not isinstance(v, bool)]
    mean = sum(scores, Fraction(0)) / len(scores) if scores else None
    return len(values), mean, comments


# --- What a shown group means -----------------------------------------------------------------


def candidates(world: World, truth: RoundTruth, group: str) -> list[tuple[str, frozenset[Atom]]]:
    """The sets of atoms a group key can stand for, the intended reading first.

    A unit's group is read in the round's tree as launched (DESIGN §3.4); today's tree
    is a second reading, so that a page still counting on today's tree is attacked for
    what it shows rather than rejected as unreadable."""
    parts = group.split(":")
    if truth.kind == "360":
        if parts[0] == "rate" and parts[1] == "round":
            return [("round", frozenset(truth.atoms))]
        if parts[0] == "rate" and parts[1] == "rater_group":
            match = re.fullmatch(r"e(\d+)-(\w+)", parts[2])
            if not match:
                return []
            parts = ["eval", match.group(1), match.group(2)]
        if parts[0] != "eval":
            return []
        evaluation, rater_group = int(parts[1]), parts[2]
        members = EVAL_MEMBERS.get(rater_group, (rater_group,))
        return [(rater_group, frozenset((evaluation, g) for g in members))]
    if parts[0] == "rate":
        kind, key = parts[1], parts[2]
        if kind == "round":
            return [("round", frozenset(truth.atoms))]
        if not key.isdigit():
            return []
        parts = ["unit", key, "alone" if kind == "link" else "subtree"]
        if kind == "link":
            unit = int(key)
            return [
                ("link alone", frozenset({unit})),
                ("frozen subtree", frozenset(subtree(truth.parent, unit))),
                ("today's subtree", frozenset(subtree(world.parent, unit) & set(truth.atoms))),
            ]
    if parts[0] != "unit" or not parts[1].isdigit():
        return []
    unit = int(parts[1])
    if unit not in truth.parent:
        return []
    if parts[2] == "subtree":
        return [
            ("frozen subtree", frozenset(subtree(truth.parent, unit))),
            ("today's subtree", frozenset(subtree(world.parent, unit) & set(truth.atoms))),
        ]
    return [("alone (pooled)", frozenset(truth.alone[unit])), ("alone", frozenset({unit}))]


TOLERANCE = {  # how far a printed mean may be from the exact one, by surface
    "heatmap.html": Fraction(1, 2),
    "unit.csv": Fraction(1, 20),
    "heatmap.xlsx": Fraction(1, 20),
}


def consistent(truth: RoundTruth, record: Seen, atoms: frozenset[Atom]) -> bool:
    n, mean, comments = true_stat(truth, record.stat, atoms)
    if record.field == "n":
        return record.value == n
    if record.field in ("mean", "mean~"):
        if mean is None:
            return False
        tolerance = TOLERANCE.get(record.surface.removeprefix("live:"), Fraction(1, 20))
        if record.surface.startswith("api."):
            tolerance = Fraction(1, 10**6)
        if record.field == "mean~":  # from a rounded difference of two rounded means
            tolerance = Fraction(1, 10)
        return abs(Fraction(str(record.value)) - mean) <= tolerance + Fraction(1, 10**9)
    if record.field == "comment":
        return record.value in comments
    if record.field == "none":  # a shown group said to have no comments
        return not comments
    return True


@dataclass
class Reading:
    """Every shown group of one round, statistic and viewer, as sets of atoms."""

    groups: dict[tuple[str, str], set[frozenset[Atom]]] = field(default_factory=lambda: defaultdict(set))
    unexplained: list[str] = field(default_factory=list)
    readings: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def read(world: World, records: Iterable[Seen]) -> dict[int, Reading]:
    """Resolve each record to the set of atoms it describes (checking its value)."""
    by_round: dict[int, RoundTruth] = {t.pk: t for t in world.rounds.values()}
    keyed: dict[tuple[str, str, int, str, str], list[Seen]] = defaultdict(list)
    for r in records:
        keyed[(r.role, r.surface, r.round_id, r.group, r.stat)].append(r)
    out: dict[int, Reading] = defaultdict(Reading)
    for (role, surface, round_id, group, stat), rs in keyed.items():
        truth = by_round.get(round_id)
        if truth is None:
            out[round_id].unexplained.append(f"{role} {surface}: a number of an unknown round {round_id}")
            continue
        reading = out[round_id]
        options = candidates(world, truth, group)
        fitting = [(label, atoms) for label, atoms in options if all(consistent(truth, r, atoms) for r in rs)]
        if not fitting:
            shown = sorted({(r.field, str(r.value)) for r in rs})
            expected = {label: true_stat(truth, stat, atoms)[:2] for label, atoms in options}
            reading.unexplained.append(
                f"{role} {surface} round {truth.round.name}: {group} {stat} shows {shown}, "
                f"which fits none of {expected}"
            )
            continue
        label, atoms = fitting[0]
        reading.readings[label] += 1
        layer = "comments" if stat == "comments" else stat
        reading.groups[(role, layer)].add(atoms)
    return out


# --- The attack ---------------------------------------------------------------------------------------


def attack(truth: RoundTruth, layer: str, groups: set[frozenset[Atom]], names: dict[int, str]) -> list[str]:
    """Exact attack on one statistic of one round: every derivable set of atoms must hold
    0 or at least k contributors. Atoms without contributors are known to add nothing and
    are left out, which only makes the attacker stronger."""
    counts = contributors_per_atom(truth, "respondents" if layer == "comments" else layer)
    if layer == "comments":
        k = truth.round.comment_k
        atoms = [a for a in truth.atoms if counts[a] > 0]
        index = {a: i for i, a in enumerate(atoms)}
        family = [{index[a] for a in g if a in index} for g in groups]
        family = [g for g in family if g]
        protected = [0 if truth.exempt(a) else counts[a] for a in atoms]
        found = boolean_leaks(protected, family, k)
        found += Attacker([counts[a] for a in atoms], family, [truth.exempt(a) for a in atoms]).leaks(k)
    else:
        k = truth.round.k
        atoms = [a for a in truth.atoms if counts[a] > 0]
        index = {a: i for i, a in enumerate(atoms)}
        family = [{index[a] for a in g if a in index} for g in groups]
        family = [g for g in family if g]
        found = Attacker([counts[a] for a in atoms], family, [truth.exempt(a) for a in atoms]).leaks(k)
    # A leak that needs an exempt (public) atom only when the same protected atoms leak
    # without it too adds nothing: report the minimal ones.
    plain = _plain(found, truth, atoms)
    minimal = [
        (leak, total)
        for leak, total in found
        if frozenset(leak) in plain or frozenset(i for i in leak if not truth.exempt(atoms[i])) not in plain
    ]
    lines = [
        f"{layer}: {{{', '.join(_atom_name(atoms[i], names) for i in sorted(leak))}}} "
        f"= {total} contributor(s), derivable from {len(family)} shown groups"
        for leak, total in minimal
    ]
    return lines[:6] + ([f"{layer}: … and {len(lines) - 6} more"] if len(lines) > 6 else [])


def _plain(found: list[tuple[set[int], int]], truth: RoundTruth, atoms: list[Atom]) -> set[frozenset[int]]:
    """The leaks made of protected atoms only."""
    return {frozenset(leak) for leak, _total in found if not any(truth.exempt(atoms[i]) for i in leak)}


def _atom_name(atom: Atom, names: dict[int, str]) -> str:
    if isinstance(atom, tuple):
        return f"evaluation {atom[0]} {atom[1]}"
    return names.get(atom, str(atom))  # type: ignore[arg-type]


def assert_no_leak(world: World, records: list[Seen], layers: set[str] | None = None) -> None:
    """Read every record as a set of atoms (checking its value), then attack each round and
    statistic (or only `layers`) for each viewer and for the union of all viewers."""
    union = [Seen("all roles", s.surface, s.round_id, s.group, s.stat, s.field, s.value) for s in records]
    readings = read(world, [*records, *union])
    names = {u.pk: n for n, u in world.units.items()}
    message = [u for r in readings.values() for u in r.unexplained]
    if message:
        message.insert(0, "Numbers that are not the statistic of the group they are shown for:")
    report = []
    for truth in world.rounds.values():
        reading = readings.get(truth.pk, Reading())
        for (viewer, layer), groups in sorted(reading.groups.items()):
            if layers is None or layer in layers:
                report += [
                    f"{truth.round.name} · {viewer} · {leak}" for leak in attack(truth, layer, groups, names)
                ]
    if report:
        message += ["Small groups an attacker derives from what is shown:", *report]
    assert not message, "\n  ".join(message)


# --- Collecting what each role sees ---------------------------------------------------------------


def api_headers(user) -> dict[str, str]:
    secret = ApiToken.new_secret()
    ApiToken.objects.create(user=user, name="e2e", token_hash=hash_token(secret))
    return {"Authorization": f"Bearer {secret}"}


def context_of(world: World) -> Context:
    dimension_names: dict[int, dict[str, str]] = {}
    for truth in world.rounds.values():
        instrument = truth.round.instrument
        dimension_names[truth.pk] = {d.name_da: d.key for d in instrument.dimensions.all()}
    labels = {str(label): str(value) for value, label in RaterGroup.choices}
    labels["Alle andre end lederen selv"] = "others"
    return Context(
        unit_names={u.pk: n for n, u in world.units.items()},
        round_names={t.pk: t.round.name for t in world.rounds.values()},
        dimension_names=dimension_names,
        rater_labels=labels,
    )


def collector(world: World, role: str, context: Context) -> Collector:
    client = Client()
    user = world.users[role]
    client.force_login(user)  # type: ignore[arg-type]
    return Collector(client, role, context, api_headers(user))


def collect_live(world: World, truth: RoundTruth, context: Context) -> None:
    """While round 2 runs (everyone has answered, Team S2 has just moved): what HR and the
    executive board see of it (counts only)."""
    for role in ("hr", "executive"):
        c = collector(world, role, context)
        c.round_page(truth.pk)
        c.rates_page(truth.pk)
        c.rates_api(truth.pk)
        for unit in world.unit_ids():
            if c.unit_page(truth.pk, unit):
                c.unit_api(truth.pk, unit)
        c.heatmap_page(truth.pk, None)
        c.heatmap_api(truth.pk, None)
        world.live[role] = [
            Seen(s.role, "live:" + s.surface, s.round_id, s.group, s.stat, s.field, s.value) for s in c.seen
        ]
        assert not c.problems, c.problems


def collect_role(world: World, role: str, context: Context, render_pdf: bool) -> Collector:
    c = collector(world, role, context)
    for truth in world.rounds.values():
        c.round_page(truth.pk)
        c.rates_page(truth.pk)
        c.rates_api(truth.pk)
        if truth.kind == "360":
            for evaluation in truth.round.evaluations.all():
                c.evaluation_page(truth.pk, evaluation.pk)
                c.evaluation_api(truth.pk, evaluation.pk)
            continue
        for unit in world.unit_ids():
            if not c.unit_page(truth.pk, unit):
                continue
            c.unit_api(truth.pk, unit)
            c.unit_csv(truth.pk, unit)
            c.unit_pdf(truth.pk, unit, render=render_pdf and not c.pdfs)
            c.drivers_page(truth.pk, unit)
            if c.heatmap_page(truth.pk, unit):
                c.heatmap_xlsx(truth.pk, unit)
                c.heatmap_api(truth.pk, unit)
    if world.indicator is not None:
        periods = {str(t.round.cut_off_date): t.pk for t in world.rounds.values() if t.kind == "units"}
        key = world.indicator.survey_dimension.key  # type: ignore[union-attr]
        for unit in world.unit_ids():
            c.indicator_api(world.indicator.pk, unit, periods, key)
    c.seen += world.live.get(role, [])
    return c


def pdf_numbers_in_html(pdf: bytes, html: str) -> list[float]:
    """Numbers in the PDF's text that its HTML does not print (there should be none)."""
    import io

    from pypdf import PdfReader

    from tests.results.collect import numbers

    text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
    in_html = set(numbers(parse_html(html).text()))
    return [n for n in numbers(text) if n not in in_html and n not in _PAGE_NUMBERS]


_PAGE_NUMBERS = {float(n) for n in range(1, 20)}  # "1 / 2" page counters and the like


# --- The test ---------------------------------------------------------------------------------------


@pytest.fixture
def hostile_world(db) -> World:
    world = build_org()
    today = timezone.localdate()
    social = make_instrument(dimensions=(3, 2), reversed_items=(2,), key="e2e-social")
    r1 = social_capital_round(
        world, social, "Social kapital 2025", dt.timedelta(hours=3), today - dt.timedelta(days=20), seed=1
    )
    close_and_release(world, r1)
    world.rounds["r1"] = r1
    move(world, "Team N1b", "Afdeling N2")  # a reorganisation between two rounds
    r2 = social_capital_round(
        world, social, "Social kapital 2026", dt.timedelta(hours=2), today - dt.timedelta(days=5), seed=2
    )
    r2.previous = r1.pk
    world.rounds["r2"] = r2
    move(world, "Team S2", "Center Nord")  # a reorganisation while round 2 runs
    collect_live(world, r2, context_of(world))
    close_and_release(world, r2)
    r3 = open_link_round(world)
    close_and_release(world, r3)
    world.rounds["r3"] = r3
    r4, _evaluations = evaluation_round(world)
    close_and_release(world, r4)
    world.rounds["r4"] = r4
    world.indicator = make_indicator(
        world.units["Kommunen"],
        name_da="Tillid (e2e)",
        source=Indicator.Source.SURVEY,
        survey_dimension=social.dimensions.get(key="d0"),
        frequency=Indicator.Frequency.YEARLY,
    )
    return world


@pytest.mark.django_db
def test_no_role_can_derive_a_small_group_from_everything_it_sees(hostile_world):
    world = hostile_world
    context = context_of(world)
    collectors = _collect_all(world, context)
    problems = [p for c in collectors.values() for p in c.problems]
    assert not problems, "\n".join(problems)

    # The PDF holds no number its HTML does not (one real PDF: HR's first report, with numbers).
    pdfs = [(pdf, html) for c in collectors.values() for pdf, html in c.pdfs]
    assert pdfs and pdfs[0][0].startswith(b"%PDF")
    for pdf, html in pdfs:
        assert pdf_numbers_in_html(pdf, html) == []

    records = [s for c in collectors.values() for s in c.seen]
    assert_no_leak(world, records)
    # The test saw something on every surface it claims to attack.
    surfaces = {s.surface for s in records}
    for expected in (
        "unit.html",
        "unit.pdf",
        "unit.csv",
        "api.unit",
        "heatmap.html",
        "heatmap.xlsx",
        "api.heatmap",
        "evaluation.html",
        "api.evaluation",
        "round.html",
        "rates.html",
        "rates.api",
        "api.indicator",
        "live:round.html",
    ):
        assert expected in surfaces, f"nothing collected from {expected}"


def _collect_all(world: World, context: Context) -> dict[str, Collector]:
    return {role: collect_role(world, role, context, render_pdf=role == "hr") for role in ROLES}


# --- The classes 1–3, each with its own numbers -------------------------------------------


def factory_world(tree: list[tuple[str, str | None]]) -> World:
    """Units (name, parent name) and an HR user; rounds are added by `factory_round`."""
    units: dict[str, Unit] = {}
    parent: dict[int, int | None] = {}
    for name, up in tree:
        units[name] = make_unit(name, parent=units[up] if up else None)
        parent[units[name].pk] = units[up].pk if up else None
    return World(units=units, parent=parent, people={}, users={"hr": make_hr("e2e-hr")})


def factory_round(
    world: World, instrument: Instrument, answers: dict[str, list[list[int]]], kind: str = "units"
) -> RoundTruth:
    """A closed round with these answers per unit (rows of options by item position, 0 =
    don't know), created directly (tests/results/factories.py), each unit invited as many
    as answered."""
    root = next(u for u in world.units.values() if world.parent[u.pk] is None)
    round_ = make_round_directly(instrument, root, k=K, name=f"Måling {len(world.rounds) + 1}")
    truth = instrument_truth(instrument, round_, kind)
    truth.parent = dict(world.parent)
    truth.atoms = preorder(truth.parent, root.pk)
    for name, rows in answers.items():
        unit = world.units[name]
        add_responses(round_, unit, rows)
        add_invitations(round_, unit, len(rows))
        truth.answers += [Answer(unit.pk, tuple(row), None) for row in rows]
    truth.invited = {world.units[n].pk: len(rows) for n, rows in answers.items()}
    truth.alone = pooled_alone(truth.parent, truth.invited, K, root.pk)
    world.rounds[round_.name] = truth
    return truth


def hr_sees_units(world: World, truth: RoundTruth) -> tuple[Collector, list[Seen]]:
    c = collector(world, "hr", context_of(world))
    for unit in world.unit_ids():
        if c.unit_page(truth.pk, unit):
            c.unit_api(truth.pk, unit)
            c.unit_csv(truth.pk, unit)
            c.unit_pdf(truth.pk, unit)
            c.heatmap_page(truth.pk, unit)
            c.heatmap_xlsx(truth.pk, unit)
            c.heatmap_api(truth.pk, unit)
    assert not c.problems, c.problems
    return c, c.seen


def api_stat(c: Collector, truth: RoundTruth, unit: Unit, key: str, alone: bool = False) -> dict:
    body = c.client.get(f"/api/results/rounds/{truth.pk}/units/{unit.pk}", headers=c.api).json()
    for dim in body["dimensions"]:
        entries = [dim, *dim["items"]]
        for entry in entries:
            if entry["key"] == key:
                return entry["alone" if alone else "stat"]
    raise KeyError(key)


@pytest.mark.django_db
def test_class1_item_differencing():
    """Issue 9, class 1: "trust-bonding-rely" with n = 7, mean 85.7 for the department and
    n = 6, mean 100 for its one shown team gives away the one person in the remainder, who
    answered "strongly disagree" (7 × 85.7 − 6 × 100 = 0). The team has a "don't know";
    the department's own five answered the item once."""
    world = factory_world([("Afdeling", None), ("Team", "Afdeling")])
    instrument = make_instrument(dimensions=(2, 1), key="class1-item")
    instrument.items.filter(key="d0-i0").update(key="trust-bonding-rely")
    truth = factory_round(
        world,
        instrument,
        {
            "Team": [[5, 4, 4]] * 6 + [[DONT_KNOW, 4, 4]],  # 6 × 100 on the item, 1 don't know
            "Afdeling": [[1, 3, 3]] + [[DONT_KNOW, 3, 3]] * 4,  # 1 × 0 on the item, 4 don't know
        },
    )
    department, team = world.units["Afdeling"], world.units["Team"]
    # The numbers of the issue, from the test's own arithmetic.
    n_dept, mean_dept, _ = true_stat(truth, "item:trust-bonding-rely", frozenset({department.pk, team.pk}))
    n_team, mean_team, _ = true_stat(truth, "item:trust-bonding-rely", frozenset({team.pk}))
    assert (n_dept, round(float(mean_dept), 1), n_team, mean_team) == (7, 85.7, 6, 100)  # type: ignore[arg-type]

    c, records = hr_sees_units(world, truth)
    shown_dept = api_stat(c, truth, department, "trust-bonding-rely")
    shown_team = api_stat(c, truth, team, "trust-bonding-rely")
    assert not (shown_dept["n"] == 7 and shown_team["n"] == 6), (shown_dept, shown_team)
    assert api_stat(c, truth, department, "trust-bonding-rely", alone=True)["n"] is None
    assert_no_leak(world, records)


@pytest.mark.django_db
def test_class1_dimension_differencing():
    """Issue 9, class 1: a dimension's n, mean and SD for a department (n = 10) and its one
    shown team (n = 7) give the sum and the sum of squares of the remaining three scores.
    Two of the department's own five have no dimension score (every item "don't know")."""
    world = factory_world([("Afdeling", None), ("Team", "Afdeling")])
    instrument = make_instrument(dimensions=(2, 1), key="class1-dimension")
    truth = factory_round(
        world,
        instrument,
        {
            "Team": [[4, 4, 3], [5, 4, 3], [3, 4, 3], [4, 5, 3], [4, 4, 3], [5, 5, 3], [2, 4, 3]],
            "Afdeling": [[1, 2, 3], [2, 1, 3], [5, 1, 3]] + [[DONT_KNOW, DONT_KNOW, 3]] * 2,
        },
    )
    department, team = world.units["Afdeling"], world.units["Team"]
    n_dept, _m, _ = true_stat(truth, "dim:d0", frozenset({department.pk, team.pk}))
    n_team, _m, _ = true_stat(truth, "dim:d0", frozenset({team.pk}))
    assert (n_dept, n_team) == (10, 7)

    c, records = hr_sees_units(world, truth)
    shown_dept = api_stat(c, truth, department, "d0")
    shown_team = api_stat(c, truth, team, "d0")
    assert not (shown_dept["n"] == 10 and shown_team["n"] == 7), (shown_dept, shown_team)
    assert_no_leak(world, records)


@pytest.mark.django_db
def test_class2_360_peer_score_per_behaviour():
    """Issue 9, class 2: for behaviour d0 only one of five peers answered; "all but the
    leader" (n = 9, 62.5), the manager (75) and the employees (n = 7, 69.6) shown with their
    n give (9 × 62.5 − 75 − 7 × 69.6) / 1 = that peer's exact score (0). Through the API."""
    world = factory_world([("Kommunen", None), ("Afdeling", "Kommunen")])
    instrument = make_instrument(dimensions=(2, 2), kind=InstrumentKind.LEADERSHIP_360, key="class2-360")
    round_ = make_round_directly(instrument, world.units["Kommunen"], k=K, name="Ledelsesevaluering")
    leader = make_person("Evalueret leder")
    evaluation = make_evaluation(round_, leader, world.units["Afdeling"])
    truth = instrument_truth(instrument, round_, "360")
    rows = {
        "self": [[4, 4, 4, 4]],
        "manager": [[4, 4, 3, 3]],  # d0: 75
        "peer": [[1, 1, 4, 4]] + [[DONT_KNOW, DONT_KNOW, 4, 3]] * 4,  # d0: one peer, score 0
        "employee": [[4, 4, 4, 4]] * 4 + [[4, 3, 4, 4]] * 3,  # d0: 4 × 75 + 3 × 62.5 = 487.5
    }
    for group, answers in rows.items():
        add_responses(round_, world.units["Afdeling"], answers, rater_group=group, evaluation=evaluation)
        add_invitations(
            round_, world.units["Afdeling"], len(answers), rater_group=group, evaluation=evaluation
        )
        truth.atoms.append((evaluation.pk, group))
        truth.answers += [Answer((evaluation.pk, group), tuple(a), None) for a in answers]
    world.rounds[round_.name] = truth
    others = frozenset((evaluation.pk, g) for g in ("manager", "peer", "employee"))
    n, mean, _ = true_stat(truth, "dim:d0", others)
    n_emp, mean_emp, _ = true_stat(truth, "dim:d0", frozenset({(evaluation.pk, "employee")}))
    assert (n, mean, n_emp, round(float(mean_emp), 1)) == (9, 62.5, 7, 69.6)  # type: ignore[arg-type]

    c = collector(world, "hr", context_of(world))
    assert c.evaluation_api(round_.pk, evaluation.pk) and c.evaluation_page(round_.pk, evaluation.pk)
    assert not c.problems, c.problems
    body = c.client.get(f"/api/results/rounds/{round_.pk}/evaluations/{evaluation.pk}", headers=c.api).json()
    d0 = next(b for b in body["behaviours"] if b["key"] == "d0")
    assert d0["groups"]["peer"]["n"] is None  # one peer: hidden
    all_but_peer = [d0["others"]["n"], d0["groups"]["manager"]["n"], d0["groups"]["employee"]["n"]]
    assert None in all_but_peer, d0  # else others − manager − employees = the one peer
    assert_no_leak(world, c.seen)


@pytest.mark.django_db
def test_class3_nonlinear_item_recovery():
    """Issue 9, class 3: in a group of five, item d0-i1 is answered by four (hidden, n < k)
    while d0-i0 and d0-i2 are answered by all five (shown). With the dimension's n, mean,
    SD and bands the hidden item's histogram would be pinned: checked here by enumerating
    every answer of the hidden item consistent with the numbers. So wherever the item is
    hidden in a group where someone answered it, every dimension containing it must be
    hidden too; and what Kerne does show must leave more than one histogram possible."""
    world = factory_world([("Team", None)])
    instrument = make_instrument(dimensions=(3, 1), key="class3")
    answers = [[3, 5, 2, 3], [4, 5, 4, 3], [4, 5, 1, 3], [1, 4, 2, 3], [5, DONT_KNOW, 2, 3]]
    truth = factory_round(world, instrument, {"Team": answers})
    team = world.units["Team"]

    # The data is hostile: with the dimension shown, the hidden item would be pinned.
    true_view = exact_view(truth, frozenset({team.pk}), ["d0-i0", "d0-i2", "d0"])
    assert len(consistent_histograms(truth, true_view, hidden_item=1)) == 1

    c, records = hr_sees_units(world, truth)
    body = c.client.get(f"/api/results/rounds/{truth.pk}/units/{team.pk}", headers=c.api).json()
    d0 = next(d for d in body["dimensions"] if d["key"] == "d0")
    items = {i["key"]: i["stat"] for i in d0["items"]}
    assert not items["d0-i1"]["shown"]  # answered by four
    assert not d0["stat"]["shown"], "a dimension is shown where one of its items is hidden"
    # Every surface: where an item is hidden for a group with contributors, its dimensions are.
    item_shown = {r.group for r in records if r.stat == "item:d0-i1"}
    for r in records:
        if r.stat == "dim:d0":
            assert r.group in item_shown, f"{r.surface} shows d0 for {r.group}, where d0-i1 is hidden"
    # And nothing shown pins the hidden item.
    api_view = shown_view(body)
    assert len(consistent_histograms(truth, api_view, hidden_item=1)) > 1
    assert_no_leak(world, records)


# Exhaustive non-linear check for one group: every answer matrix consistent with what is shown.


def exact_view(truth: RoundTruth, atoms: frozenset[Atom], stats: list[str]) -> dict[str, dict]:
    """The statistics as exact numbers, as if shown: n, mean, variance, and the histogram
    (items) or bands (dimensions), from the test's own answers."""
    rows = [a.options for a in truth.answers if a.atom in atoms]
    return {stat: _describe(truth, rows, stat) for stat in stats}


def _describe(truth: RoundTruth, rows: list[tuple[int, ...]], stat: str) -> dict:
    answers = [Answer(0, row, None) for row in rows]
    if stat in truth.dimension_keys:
        values = [dimension_score(truth, a, stat) for a in answers]
        values = [v for v in values if v is not None]
        bands = (
            sum(1 for v in values if v <= 25),
            sum(1 for v in values if 25 < v < 75),
            sum(1 for v in values if v >= 75),
        )
        shape: tuple = bands
    else:
        position = truth.item_keys.index(stat)
        values = [item_score(truth, position, a.options[position]) for a in answers]
        values = [v for v in values if v is not None]
        shape = tuple(sum(1 for v in values if v == 25 * b) for b in range(5))
    n = len(values)
    mean = sum(values, Fraction(0)) / n if n else None
    var = (
        sum(((v - mean) ** 2 for v in values), Fraction(0)) / (n - 1) if n > 1 and mean is not None else None
    )
    return {"n": n, "mean": mean, "var": var, "shape": shape}


def shown_view(body: dict) -> dict[str, dict]:
    """What the API shows of a unit's group, statistic by statistic (shown ones only)."""
    view: dict[str, dict] = {}
    for dim in body["dimensions"]:
        for key, stat in [(dim["key"], dim["stat"]), *((i["key"], i["stat"]) for i in dim["items"])]:
            if not stat["shown"]:
                continue
            n = stat["n"]
            shape = stat["distribution"] if stat.get("distribution") is not None else stat["shares"]
            view[key] = {
                "n": n,
                "mean": stat["mean"],
                "var": None if stat["sd"] is None else stat["sd"] ** 2,
                "shape": tuple(round(s * n) for s in shape),
            }
    return view


def consistent_histograms(truth: RoundTruth, view: dict[str, dict], hidden_item: int) -> set[tuple[int, ...]]:
    """Every histogram of item `hidden_item` (answers per option 1…5) that some answer
    matrix of the group reproduces every number in `view` with.

    The attacker knows the histograms of the dimension's other items (they are shown) but
    not who gave which answer: the first other item's answers are placed in a fixed order
    (respondents are exchangeable), every distinct arrangement of the others is tried, and
    the hidden item's answer (or "don't know") of every respondent is free. Vectorised
    over the hidden item's 6^n choices."""
    rows = [a.options for a in truth.answers]
    size = len(rows)
    dimension = truth.item_dimension[hidden_item]
    others = [i for i, d in enumerate(truth.item_dimension) if d == dimension and i != hidden_item]
    width = len(others) + 1

    def quarters(option: np.ndarray, item: int) -> np.ndarray:  # score / 25, −1 for don't know
        q = np.where(option > 0, option - 1, -1)
        return np.where(q >= 0, 4 - q, -1) if truth.reversed[item] else q

    choices = np.array(list(itertools.product(range(6), repeat=size)), dtype=np.int64)
    hidden_q = quarters(choices, hidden_item)
    hidden_view = view.get(truth.item_keys[hidden_item])
    dimension_view = view.get(dimension)
    columns = [tuple(row[i] for row in rows) for i in others]
    found: set[tuple[int, ...]] = set()
    arrangements = itertools.product(*(sorted(set(itertools.permutations(c))) for c in columns[1:]))
    for arrangement in arrangements:
        fixed = np.array([columns[0], *arrangement], dtype=np.int64)  # items × respondents
        fixed_q = np.stack([quarters(fixed[j], others[j]) for j in range(len(others))])
        total = np.where(fixed_q >= 0, fixed_q, 0).sum(axis=0)[None, :] + np.where(hidden_q >= 0, hidden_q, 0)
        count = (fixed_q >= 0).sum(axis=0)[None, :] + (hidden_q >= 0)
        ok = np.ones(len(choices), dtype=bool)
        if dimension_view is not None:
            ok &= _group_matches(total, count, (2 * count >= width) & (count > 0), dimension_view)
        if hidden_view is not None:
            ok &= _group_matches(
                np.where(hidden_q >= 0, hidden_q, 0), np.ones_like(hidden_q), hidden_q >= 0, hidden_view
            )
        for index in np.flatnonzero(ok):
            found.add(tuple(int((choices[index] == o).sum()) for o in range(1, 6)))
    return found


def _group_matches(total: np.ndarray, count: np.ndarray, present: np.ndarray, shown: dict) -> np.ndarray:
    """Per candidate (rows): do the present scores (25 × total / count) give the shown n,
    mean, variance and bands (dimensions) or histogram (items)?"""
    score = np.where(present, 25.0 * total / np.maximum(count, 1), 0.0)
    n = present.sum(axis=1)
    s = score.sum(axis=1)
    sq = (score**2).sum(axis=1)
    ok = n == shown["n"]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = s / n
        var = (sq - s * s / n) / (n - 1)
    if shown["mean"] is not None:
        ok &= np.abs(mean - float(shown["mean"])) < 1e-6
    if shown["var"] is not None:
        ok &= np.abs(var - float(shown["var"])) < 1e-6
    shape = shown["shape"]
    if len(shape) == 3:  # bands: ≤ 25, between, ≥ 75
        bands = (
            (present & (4 * total <= 4 * count)).sum(axis=1),
            (present & (total > count) & (total < 3 * count)).sum(axis=1),
            (present & (total >= 3 * count)).sum(axis=1),
        )
    else:  # histogram of scores 0, 25, 50, 75, 100
        bands = tuple((present & (total == b)).sum(axis=1) for b in range(5))
    for got, want in zip(bands, shape, strict=True):
        ok &= got == want
    return ok
