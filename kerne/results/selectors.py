"""Results as a given user may see them: access (DESIGN §3, access) + anonymity (anonymity.py).

Access
- HR, the executive board and administrators: every unit's results, also before release
  (and, while a round is open, its response counts).
- A leader: the units they lead and everything below, once the round is released.
- An employee: their own unit's result, once the round is released.
- 360 evaluations: the evaluated leader and their manager (the leader of the nearest unit
  above with a leader) once released, and HR. Not the executive board as such.
- Nobody, administrators included, sees an individual response: nothing here returns one.

Anonymity
- Every number comes from `rollup.round_results`, whose visibility decisions were made by
  the one function `anonymity.suppress` for the round as a whole. A user sees a subset of
  that one pattern, so what two users see together is still safe.
- Scores and distributions are shown only once a round has closed: a live result that
  changed with every response would let anyone watching subtract one response from the
  next. While a round is open, only response counts and rates are shown (to HR and the
  executive board).

The whole-organisation figure (the round's target unit with everything below it) is shown
as a comparison in every report of the round, like a published municipality-wide result;
the parent unit's figure only to those who may see the parent unit.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kerne.accounts.roles import AnyUser, is_hr, sees_whole_tree
from kerne.i18n import localized
from kerne.organisation.models import Engagement, Unit
from kerne.organisation.selectors import can_see_unit, person_of
from kerne.results import drivers as rwa
from kerne.results.reports import (
    CommentItem,
    ComparisonSource,
    EvaluationReport,
    Heatmap,
    Labels,
    SubUnit,
    UnitReport,
    build_evaluation_report,
    build_unit_report,
    heatmap_rows,
)
from kerne.results.rollup import (
    EVAL_GROUPS,
    RoundResults,
    TreeLayout,
    round_results,
)
from kerne.results.scoring import dimension_scores, score_buckets
from kerne.surveys.models import (
    Comment,
    Dimension,
    Evaluation,
    FreeTextQuestion,
    Instrument,
    InstrumentKind,
    Invitation,
    Item,
    RaterGroup,
    Response,
    Round,
)
from kerne.surveys.packing import answers_matrix

# --- Who may see what ------------------------------------------------------------------------


def shows_numbers(round: Round) -> bool:
    """Scores and distributions exist only for closed rounds (see the module docstring)."""
    return round.status == Round.Status.CLOSED


def is_released(round: Round) -> bool:
    return bool(round.released and round.status == Round.Status.CLOSED)


def may_see_round(user: AnyUser, round: Round) -> bool:
    """May the user see any result of the round at all?"""
    if not user.is_authenticated or round.status == Round.Status.DRAFT:
        return False
    return sees_whole_tree(user) or is_released(round)


def may_see_unit_results(user: AnyUser, round: Round, unit: Unit) -> bool:
    if not may_see_round(user, round):
        return False
    if round.instrument.kind == InstrumentKind.LEADERSHIP_360:
        return False  # 360 rounds are reported per evaluated leader (evaluation_report)
    return may_see_results_of_unit(user, unit)


def may_see_results_of_unit(user: AnyUser, unit: Unit) -> bool:
    """The unit part of `may_see_unit_results`, for any round: the whole tree, or the unit is
    one the user leads (or lies below one), or their own unit."""
    return bool(user.is_authenticated and (sees_whole_tree(user) or can_see_unit(user, unit)))


def results_unit_for(user: AnyUser, within: Unit) -> Unit | None:
    """The viewer's own unit to show results for in place of `within` (whose results they may
    not see): the highest unit inside `within` that they lead, else one they work in."""
    from kerne.organisation.selectors import led_units, own_units

    for unit in [*led_units(user), *own_units(user)]:
        if unit.is_within(within) and may_see_results_of_unit(user, unit):
            return unit
    return None


def rounds_with_results(user: AnyUser) -> list[Round]:
    """Rounds with results the user may see something of, newest first."""
    if not user.is_authenticated:
        return []
    rounds = Round.objects.select_related("instrument", "target_unit").exclude(status=Round.Status.DRAFT)
    if not sees_whole_tree(user):
        rounds = rounds.filter(status=Round.Status.CLOSED, released=True)
    return [round_ for round_ in rounds.order_by("-opens_at") if has_results_page(user, round_)]


def has_results_page(user: AnyUser, round: Round) -> bool:
    """Does the round's results page (/resultater/<id>/) open for the user? Pages link to it
    only then. A 360 round is reported per evaluated leader, so its page opens only for those
    who may open an evaluation: HR, the leader and their manager, not the executive board as such."""
    if not may_see_round(user, round):
        return False
    if round.instrument.kind == InstrumentKind.LEADERSHIP_360:
        return bool(evaluations_for_user(user, round))
    return sees_whole_tree(user) or _first_visible_unit(user, round) is not None


def _first_visible_unit(user: AnyUser, round: Round) -> Unit | None:
    """The highest unit of the round's target subtree whose report the user may open."""
    for unit in units_to_open(user, round):
        return unit
    return None


def units_to_open(user: AnyUser, round: Round) -> list[Unit]:
    """Entry points: the highest units of the round the user may see (target, led units, own units)."""
    if not may_see_round(user, round) or round.instrument.kind == InstrumentKind.LEADERSHIP_360:
        return []
    target = round.target_unit
    if sees_whole_tree(user):
        return [target]
    from kerne.organisation.selectors import led_units, own_units

    candidates = {u.pk: u for u in [*led_units(user), *own_units(user)]}
    inside = [u for u in candidates.values() if u.is_within(target)]
    if any(target.is_within(u) for u in candidates.values()):
        return [target]
    inside.sort(key=lambda u: u.path)
    tops: list[Unit] = []
    for unit in inside:
        if not any(unit.is_within(t) for t in tops):
            tops.append(unit)
    return tops


# --- Labels ------------------------------------------------------------------------------------


def instrument_labels(instrument_id: int) -> Labels:
    dims = {d.key: localized(d, "name") for d in Dimension.objects.filter(instrument_id=instrument_id)}
    items = {
        i.key: (localized(i, "text"), i.reversed) for i in Item.objects.filter(instrument_id=instrument_id)
    }
    return Labels(dimensions=dims, items=items)


@dataclass(frozen=True)
class HeatmapColumn:
    index: int  # into Heatmap.dimensions and each row's cells
    key: str
    name: str  # the dimension's full name
    label: str  # the column heading: the aspect under its value's group heading, else the name


@dataclass(frozen=True)
class HeatmapGroup:
    name: str  # the value ("Tillid"); "" when the instrument's dimensions have none
    columns: list[HeatmapColumn]


ASPECT_LABELS: dict[str, Any] = {
    Dimension.Aspect.BONDING.value: gettext_lazy("I enheden"),
    Dimension.Aspect.BRIDGING.value: gettext_lazy("På tværs"),
    Dimension.Aspect.LINKING.value: gettext_lazy("Til ledelsen"),
}


def heatmap_columns(instrument_id: int, dimensions: list[tuple[str, str]]) -> list[HeatmapGroup]:
    """The heatmap's columns grouped by the social-capital value each dimension measures (trust,
    justice, cooperation; in the values' order), each headed by its aspect (within the unit,
    across units, towards the management), so nine columns fit a laptop. An instrument whose
    dimensions lack a value or an aspect keeps one column per dimension under its full name."""
    meta = {d.key: d for d in Dimension.objects.filter(instrument_id=instrument_id).select_related("value")}
    found = [meta.get(key) for key, _name in dimensions]
    if not found or any(d is None or d.value is None or d.aspect not in ASPECT_LABELS for d in found):
        columns = [HeatmapColumn(i, key, name, name) for i, (key, name) in enumerate(dimensions)]
        return [HeatmapGroup("", columns)]
    groups: dict[int, HeatmapGroup] = {}
    for i, ((key, name), dimension) in enumerate(zip(dimensions, found, strict=True)):
        assert dimension is not None and dimension.value is not None
        value = dimension.value
        group = groups.setdefault(value.pk, HeatmapGroup(localized(value, "label"), []))
        group.columns.append(HeatmapColumn(i, key, name, str(ASPECT_LABELS[dimension.aspect])))
    order = {v.pk: (v.order, v.key) for v in (d.value for d in found if d is not None) if v is not None}
    return [groups[pk] for pk in sorted(groups, key=lambda pk: order[pk])]


def rater_group_labels() -> dict[str, str]:
    labels = {str(value): str(label) for value, label in RaterGroup.choices}
    labels["others"] = _("Alle andre end lederen selv")
    return labels


# --- Unit reports ------------------------------------------------------------------------------


def previous_round(round: Round) -> Round | None:
    """The latest earlier closed round of the same instrument (any version)."""
    return (
        Round.objects.filter(
            instrument__key=round.instrument.key,
            status=Round.Status.CLOSED,
            opens_at__lt=round.opens_at,
        )
        .exclude(pk=round.pk)
        .select_related("instrument", "target_unit")
        .order_by("-opens_at")
        .first()
    )


def _unit_index(results: RoundResults, unit: Unit) -> int | None:
    if results.units is None:
        return None
    return results.units.tree.index_of(unit.pk)


def result_for_user(user: AnyUser, round: Round, unit: Unit) -> UnitReport | None:
    """The unit's report for the round as the user may see it; None when they may not."""
    if not may_see_unit_results(user, round, unit):
        return None
    results = round_results(round)
    index = _unit_index(results, unit)
    if index is None:
        return None
    block = results.units
    assert block is not None
    tree = block.tree
    numbers = shows_numbers(round)
    comparisons: list[ComparisonSource] = []
    parent_index = int(tree.parent[index])
    if parent_index >= 0:
        parent = Unit.objects.filter(pk=int(tree.unit_ids[parent_index])).first()
        parent_shown = parent is not None and (sees_whole_tree(user) or can_see_unit(user, parent))
        if parent is not None and parent_shown:
            comparisons.append(ComparisonSource("parent", parent.name, results, parent_index))
        if parent_index != 0 or not parent_shown:
            comparisons.append(ComparisonSource("organisation", round.target_unit.name, results, 0))
    previous = previous_round(round) if numbers else None
    if previous is not None and (sees_whole_tree(user) or is_released(previous)):
        previous_results = round_results(previous)
        previous_index = _unit_index(previous_results, unit)
        if previous_index is not None:
            comparisons.append(ComparisonSource("previous", previous.name, previous_results, previous_index))
    report = build_unit_report(
        results,
        index,
        round_name=round.name,
        unit_name=unit.name,
        released=is_released(round),
        labels=instrument_labels(round.instrument_id),
        comparisons=comparisons,
        numbers=numbers,
    )
    report.sub_units = _sub_units(user, round, results, tree, index)
    if numbers:
        if block.visibility.comments_shown[index]:
            report.comments = _comments(round, tree, index)
        else:
            report.comments_hidden = True
    return report


def visible_results(user: AnyUser, round: Round, unit: Unit) -> UnitReport:
    """As `result_for_user`, raising Http404 where the user may not see the unit's results."""
    report = result_for_user(user, round, unit)
    if report is None:
        raise Http404
    return report


def _sub_units(
    user: AnyUser, round: Round, results: RoundResults, tree: TreeLayout, index: int
) -> list[SubUnit]:
    block = results.units
    assert block is not None
    children = tree.children(index)
    if not children:
        return []
    ids = [int(tree.unit_ids[c]) for c in children]
    units = {u.pk: u for u in Unit.objects.filter(pk__in=ids)}
    rows = []
    for c, unit_id in zip(children, ids, strict=True):
        unit = units.get(unit_id)
        if unit is None:
            continue
        shown = bool(block.visibility.subtree_shown[c])
        rows.append(
            SubUnit(
                unit_id=unit_id,
                name=unit.name,
                respondents=int(block.subtree.respondents[c]) if shown else None,
                may_open=may_see_unit_results(user, round, unit),
            )
        )
    return sorted(rows, key=lambda s: s.name)


def _subtree_ids(tree: TreeLayout, index: int) -> list[int]:
    return [int(u) for u in tree.unit_ids[index : int(tree.end[index])]]


def _comments(round: Round, tree: TreeLayout, index: int) -> list[CommentItem]:
    """All comments of the unit with everything below it: no unit, no date, shuffled (DESIGN §3.5)."""
    questions = {
        q.pk: localized(q, "text") for q in FreeTextQuestion.objects.filter(instrument_id=round.instrument_id)
    }
    rows: list[tuple[int, str]] = []
    query = Comment.objects.filter(round=round)
    if index == 0:
        rows = list(query.values_list("question_id", "text"))
    else:
        ids = _subtree_ids(tree, index)
        for start in range(0, len(ids), 5000):
            rows += list(
                query.filter(unit_id__in=ids[start : start + 5000]).values_list("question_id", "text")
            )
    random.SystemRandom().shuffle(rows)
    return [CommentItem(question=questions.get(q, ""), text=text) for q, text in rows]


# --- Heatmap -----------------------------------------------------------------------------------


def heatmap(user: AnyUser, round: Round, root_unit: Unit, depth: int = 2) -> Heatmap | None:
    """Units × dimensions under `root_unit` (down to `depth` levels below it) that the user may see."""
    if not may_see_unit_results(user, round, root_unit):
        return None
    results = round_results(round)
    root = _unit_index(results, root_unit)
    if root is None:
        return None
    block = results.units
    assert block is not None
    tree = block.tree
    end = int(tree.end[root])
    root_depth = int(tree.depth[root])
    indices = [i for i in range(root, end) if int(tree.depth[i]) - root_depth <= depth]
    ids = [int(tree.unit_ids[i]) for i in indices]
    units: dict[int, Unit] = {}
    for start in range(0, len(ids), 5000):
        units.update(
            (u.pk, u)
            for u in Unit.objects.filter(pk__in=ids[start : start + 5000]).only("id", "name", "path")
        )
    whole = sees_whole_tree(user)
    openable = {pk for pk, u in units.items() if whole or can_see_unit(user, u)}
    indices = [i for i in indices if int(tree.unit_ids[i]) in openable]
    labels = instrument_labels(round.instrument_id)
    numbers = shows_numbers(round)
    rows = heatmap_rows(block, indices, {pk: u.name for pk, u in units.items()}, root_depth, openable)
    if not numbers:
        rows = [
            type(r)(r.unit_id, r.name, r.depth, r.respondents, [None] * len(r.cells), r.may_open)
            for r in rows
        ]
    return Heatmap(
        round_id=round.pk,
        root_unit_id=root_unit.pk,
        k=results.k,
        dimensions=[(key, labels.dimensions.get(key, key)) for key in results.layout.dimension_keys],
        rows=rows,
        numbers=numbers,
    )


# --- 360 -------------------------------------------------------------------------------------


def managers_of(evaluation: Evaluation) -> set[int]:
    """Person ids of the evaluated leader's manager: those invited as the manager group, and the
    leaders of the nearest unit above the evaluated unit that has a leader (as surveys/raters.py)."""
    managers = set(
        Invitation.objects.filter(
            evaluation=evaluation, rater_group=RaterGroup.MANAGER, person__isnull=False
        ).values_list("person_id", flat=True)
    )
    for ancestor_id in reversed(evaluation.unit.ancestor_ids()):
        query = Engagement.objects.active().filter(unit_id=ancestor_id, is_leader=True)
        if evaluation.leader_id is not None:
            query = query.exclude(person_id=evaluation.leader_id)
        leaders = set(query.values_list("person_id", flat=True))
        if leaders:
            return managers | leaders
    return managers


def may_see_evaluation(user: AnyUser, evaluation: Evaluation) -> bool:
    if not user.is_authenticated:
        return False
    if is_hr(user):
        return evaluation.round.status != Round.Status.DRAFT
    if not is_released(evaluation.round):
        return False
    person = person_of(user)
    if person is None:
        return False
    return person.pk == evaluation.leader_id or person.pk in managers_of(evaluation)


def evaluations_for_user(user: AnyUser, round: Round) -> list[Evaluation]:
    evaluations = (
        Evaluation.objects.filter(round=round).select_related("round", "unit").order_by("leader_name")
    )
    if is_hr(user):
        return list(evaluations) if round.status != Round.Status.DRAFT else []
    if not is_released(round) or person_of(user) is None:
        return []
    return [e for e in evaluations if may_see_evaluation(user, e)]


def evaluation_report(user: AnyUser, evaluation: Evaluation) -> EvaluationReport | None:
    """Self vs others per behaviour, rater groups shown at their minimum (DESIGN §3.6)."""
    if not may_see_evaluation(user, evaluation):
        return None
    round_ = evaluation.round
    results = round_results(round_)
    if results.evaluations is None:
        return None
    position = results.evaluations.index_of(evaluation.pk)
    if position is None:
        return None
    numbers = shows_numbers(round_)
    report = build_evaluation_report(
        results,
        position,
        leader_name=evaluation.leader_name,
        unit_name=evaluation.unit.name,
        round_name=round_.name,
        labels=instrument_labels(round_.instrument_id),
        group_labels=rater_group_labels(),
        numbers=numbers,
    )
    if numbers:
        shown_comments = results.evaluations.visibility.comments_shown[position]
        allowed = [EVAL_GROUPS[g] for g in range(len(EVAL_GROUPS)) if shown_comments[g]]
        labels = rater_group_labels()
        rows = list(
            Comment.objects.filter(evaluation=evaluation, rater_group__in=allowed).values_list(
                "rater_group", "text"
            )
        )
        random.SystemRandom().shuffle(rows)
        # Grouped by rater group (that is what the label says), shuffled within each.
        order = {key: i for i, key in enumerate(("self", "manager", "peer", "employee"))}
        rows.sort(key=lambda r: order.get(r[0], 9))
        report.comments = [(labels.get(group, group), text) for group, text in rows]
    return report


# --- Trend -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    round_id: int
    round_name: str
    opens_at: object
    respondents: int | None
    dimensions: dict[str, float | None]  # key → mean of the unit with everything below it


def trend(user: AnyUser, instrument: Instrument, unit: Unit) -> list[TrendPoint]:
    """The unit's dimension scores across the closed rounds of the instrument (any version), oldest first."""
    rounds = (
        Round.objects.filter(instrument__key=instrument.key, status=Round.Status.CLOSED)
        .select_related("instrument", "target_unit")
        .order_by("opens_at")
    )
    points = []
    for round_ in rounds:
        if not may_see_unit_results(user, round_, unit):
            continue
        results = round_results(round_)
        index = _unit_index(results, unit)
        if index is None or results.units is None:
            continue
        block = results.units
        shown = bool(block.visibility.subtree_shown[index])
        dims: dict[str, float | None] = {}
        for d, key in enumerate(results.layout.dimension_keys):
            mean = float(block.subtree_summaries.dims.mean[index, d])
            dims[key] = mean if block.dimension_shown(index, d) and not np.isnan(mean) else None
        points.append(
            TrendPoint(
                round_id=round_.pk,
                round_name=round_.name,
                opens_at=round_.opens_at,
                respondents=int(block.subtree.respondents[index]) if shown else None,
                dimensions=dims,
            )
        )
    return points


# --- Drivers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DriverRow:
    key: str
    name: str
    importance: float  # share of the explained variance (0…1)
    raw_weight: float
    score: float | None  # the group's mean score on this dimension


@dataclass(frozen=True)
class Drivers:
    outcome_key: str
    outcome_name: str
    # The group's respondent count, as every other page shows it: the number of complete
    # cases the analysis uses is a statistic of its own, which a parent minus its shown
    # children would turn into a small group's count, so it is not shown.
    n: int
    r_squared: float
    rows: list[DriverRow]  # most important first


class NotEnoughRespondents(Exception):
    """Drivers need at least rwa.MIN_RESPONDENTS respondents with every dimension score."""


def drivers(user: AnyUser, round: Round, unit: Unit, outcome_key: str) -> Drivers | None:
    """Relative weights of the other dimensions for `outcome_key` in the unit with everything below it.

    None when the user may not see the unit's results or the group is hidden; raises
    NotEnoughRespondents for groups under 30 complete respondents and KeyError for an
    unknown dimension.
    """
    if not may_see_unit_results(user, round, unit) or not shows_numbers(round):
        return None
    results = round_results(round)
    index = _unit_index(results, unit)
    if index is None or results.units is None or not results.units.visibility.subtree_shown[index]:
        return None
    layout = results.layout
    if outcome_key not in layout.dimension_keys:
        raise KeyError(outcome_key)
    outcome = layout.dimension_keys.index(outcome_key)
    query = Response.objects.filter(round=round)
    tree = results.units.tree
    if index != 0:
        query = query.filter(_unit_in(_subtree_ids(tree, index)))
    answers = [a if isinstance(a, bytes) else bytes(a) for a in query.values_list("answers", flat=True)]
    matrix = answers_matrix(answers, layout.item_count)
    scores = dimension_scores(
        score_buckets(matrix, layout.reversed), layout.item_dimension, layout.dimension_count
    )
    x, y, columns = rwa.complete_cases(scores, outcome)
    if len(y) < rwa.MIN_RESPONDENTS:
        raise NotEnoughRespondents(len(y))
    weights = rwa.relative_weights(x, y)
    labels = instrument_labels(round.instrument_id)
    means = results.units.subtree_summaries.dims.mean[index]
    block = results.units
    rows = [
        DriverRow(
            key=layout.dimension_keys[d],
            name=labels.dimensions.get(layout.dimension_keys[d], layout.dimension_keys[d]),
            importance=float(weights.share[j]),
            raw_weight=float(weights.raw[j]),
            score=None if np.isnan(means[d]) or not block.dimension_shown(index, d) else float(means[d]),
        )
        for j, d in enumerate(columns)
    ]
    rows.sort(key=lambda r: -r.importance)
    return Drivers(
        outcome_key=outcome_key,
        outcome_name=labels.dimensions.get(outcome_key, outcome_key),
        n=int(results.units.subtree.respondents[index]),
        r_squared=weights.r_squared,
        rows=rows,
    )


def _unit_in(ids: list[int]) -> Q:
    condition = Q()
    for start in range(0, len(ids), 5000):
        condition |= Q(unit_id__in=ids[start : start + 5000])
    return condition


# --- Round overview (HR and the executive board) -----------------------------------------------


@dataclass(frozen=True)
class OverviewRow:
    unit_id: int
    name: str
    depth: int
    invited: int
    respondents: int | None  # None when hidden
    rate: float | None

    @property
    def percent(self) -> int | None:
        return None if self.rate is None else round(100 * self.rate)


def round_overview(user: AnyUser, round: Round, depth: int = 3) -> list[OverviewRow] | None:
    """Response rate per unit (with everything below it), down to `depth` levels; HR and executives."""
    if not sees_whole_tree(user) or round.status == Round.Status.DRAFT:
        return None
    results = round_results(round)
    block = results.units
    if block is None:
        return []
    tree = block.tree
    indices = [int(i) for i in np.flatnonzero(tree.depth <= depth)]
    ids = [int(tree.unit_ids[i]) for i in indices]
    names: dict[int, str] = {}
    for start in range(0, len(ids), 5000):
        names.update(Unit.objects.filter(pk__in=ids[start : start + 5000]).values_list("id", "name"))
    rows = []
    for i in indices:
        shown = bool(block.visibility.subtree_shown[i])
        invited = int(block.invited_subtree[i])
        n = int(block.subtree.respondents[i])
        rows.append(
            OverviewRow(
                unit_id=int(tree.unit_ids[i]),
                name=names.get(int(tree.unit_ids[i]), "?"),
                depth=int(tree.depth[i]),
                invited=invited,
                respondents=n if shown else None,
                rate=(n / invited) if shown and invited else None,
            )
        )
    return rows
