"""Reads about rounds that depend on who asks, and the response rates a page may show.

- Rounds: HR, the executive board and administrators see every round; a leader sees the
  launched rounds that reach their subtree; an employee the launched rounds that reach
  their own unit. Drafts are HR's alone.
- An employee's own invitations (`invitations_of`, `waiting_invitations_of`,
  `own_invitation_to_answer_or_404`): only those of the user's own Person, in launched
  rounds that are open or closed within RECENTLY_CLOSED_DAYS. Nothing about what was
  answered: an invitation knows only *that* it was answered (DESIGN §3.2), and once its
  round has closed not even that (sealing.forget_respondents): read `answered` only for a
  round that takes answers.
- Response rates (`response_rates`, the HR rates page and the API's round status): counts
  are results too (DESIGN §3.3–3.4), so they are read from the ONE decision the results
  read, `kerne.results.rollup.round_results(round)`: the round's tree frozen at launch,
  respondents as the basis, the same complementary suppression, and while the round runs
  the same coarse time buckets. A count shown here is the count the results show for the
  same group, or hidden on both; no subtraction across the two pages, and no
  reorganisation during the round, reveals a small group. The invitation counts come
  from the register and are always shown. (kerne.results is imported inside functions:
  the surveys app sits below the results app.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kerne.accounts.roles import AnyUser, sees_whole_tree
from kerne.organisation.models import Unit, subtree_upper_bound
from kerne.organisation.selectors import own_units, person_of, visible_root_paths
from kerne.surveys.models import InstrumentKind, Invitation, RaterGroup, Round

if TYPE_CHECKING:
    from kerne.results.rollup import IntArray, RoundResults, TreeLayout

RECENTLY_CLOSED_DAYS = 90
"""How long after closing a round's invitation is still listed on "Mine målinger"."""


def rounds_visible_to(user: AnyUser) -> QuerySet[Round]:
    rounds = Round.objects.select_related("instrument", "target_unit")
    if not user.is_authenticated:
        return rounds.none()
    if sees_whole_tree(user):
        return rounds
    roots = visible_root_paths(user) or []
    units = own_units(user)
    # A round reaches the user when its target is one of their units or above one, or
    # lies inside a subtree they lead.
    above: set[int] = set()
    for unit in units:
        above.update(unit.ancestor_ids())
        above.add(unit.pk)
    for root in roots:
        above.update(int(root[i : i + 7], 36) for i in range(0, len(root), 7))
    condition = Q(target_unit_id__in=above)
    for root in roots:
        condition |= Q(target_unit__path__gte=root, target_unit__path__lt=subtree_upper_bound(root))
    return rounds.exclude(status=Round.Status.DRAFT).filter(condition)


def round_visible_or_404(user: AnyUser, pk: int) -> Round:
    round_ = rounds_visible_to(user).filter(pk=pk).first()
    if round_ is None:
        raise Http404
    return round_


def open_round_condition(now: dt.datetime, prefix: str = "") -> Q:
    """Rounds that take answers at `now`: launched, opened and not yet closed (as the answer
    pages and the submission's claim judge it, kerne/surveys/submission.py)."""
    return Q(
        **{f"{prefix}status": Round.Status.OPEN, f"{prefix}opens_at__lte": now, f"{prefix}closes_at__gt": now}
    )


def invitations_of(user: AnyUser, now: dt.datetime | None = None) -> QuerySet[Invitation]:
    """The user's own invitations in launched rounds that are open, or closed within the
    last RECENTLY_CLOSED_DAYS; none for a user without a linked Person. Drafts never show."""
    person = person_of(user)
    if person is None:
        return Invitation.objects.none()
    now = now or timezone.now()
    return (
        Invitation.objects.filter(person=person)
        .exclude(round__status=Round.Status.DRAFT)
        .filter(round__closes_at__gte=now - dt.timedelta(days=RECENTLY_CLOSED_DAYS))
        .select_related("round", "round__instrument", "evaluation")
        .order_by("round__closes_at", "round__name", "pk")
    )


def waiting_invitations_of(user: AnyUser, now: dt.datetime | None = None) -> QuerySet[Invitation]:
    """The user's own unanswered invitations in rounds that take answers now."""
    now = now or timezone.now()
    return invitations_of(user, now).filter(open_round_condition(now, "round__"), answered=False)


def own_invitation_to_answer_or_404(user: AnyUser, pk: int) -> Invitation:
    """The user's own unanswered invitation `pk` in an open round. Anything else, another
    person's invitation included, is a 404 indistinguishable from one that does not exist."""
    invitation = waiting_invitations_of(user).filter(pk=pk).first()
    if invitation is None:
        raise Http404
    return invitation


def is_360(round: Round) -> bool:
    return round.instrument.kind == InstrumentKind.LEADERSHIP_360


@dataclass(frozen=True)
class RateRow:
    key: str
    label: str
    depth: int
    invited: int  # invitations in the group and below (register data; 0 for open surveys)
    answered: int | None  # respondents; None when hidden
    kind: str = "unit"  # unit | evaluation | rater_group | round

    @property
    def shown(self) -> bool:
        return self.answered is not None

    @property
    def percent(self) -> int | None:
        if self.answered is None or not self.invited:
            return None
        return round(100 * self.answered / self.invited)


@dataclass
class RateTable:
    k: int
    rows: list[RateRow] = field(default_factory=list)
    total: RateRow | None = None
    counts_are_responses: bool = False  # open surveys: no invitations, only responses

    @property
    def hidden(self) -> int:
        return sum(1 for row in self.rows if not row.shown and row.kind != "evaluation")


def response_rates(round: Round) -> RateTable:
    """The round's response counts and rates per unit (or per evaluation and rater group).

    Every respondent count, and with it every rate, is the one the results show for the
    same group: read from `kerne.results.rollup.round_results(round)` (the round's frozen
    tree, respondents as the basis, the results' disclosure decision, live numbers in the
    results' coarse time buckets), so no subtraction across the two pages reveals a small
    group. Invitation counts come from the register and are always shown.
    """
    open_survey = round.mode == Round.Mode.OPEN_LINK
    if round.status == Round.Status.DRAFT:
        return RateTable(round.k, counts_are_responses=open_survey)
    from kerne.results.rollup import round_results

    results = round_results(round)
    if results.evaluations is not None:
        return _evaluation_rates(round, results)
    return _unit_rates(round, results)


def _unit_rates(round: Round, results: RoundResults) -> RateTable:
    """Units of the round's frozen tree in tree order, each with everything below it.

    A row is listed when its subtree holds invitations (or, for an open survey, a link):
    register data, so that whether a row appears says nothing about who answered. Its
    respondent count is shown where the results show the unit's (`subtree_shown`)."""
    from kerne.results.rollup import range_sums

    block = results.units
    open_survey = round.mode == Round.Mode.OPEN_LINK
    table = RateTable(results.k, counts_are_responses=open_survey)
    if block is None or not len(block.tree):
        return table
    tree = block.tree
    if open_survey:
        own = np.zeros(len(tree), dtype=np.int64)
        links = np.array(list(round.open_links.values_list("unit_id", flat=True)), dtype=np.int64)
        index = tree.indices_of(links)
        np.add.at(own, index[index >= 0], 1)
        listed = range_sums(own, tree) > 0
        invited = np.zeros(len(tree), dtype=np.int64)
    else:
        invited = range_sums(_invitations_per_unit(round, tree), tree)
        listed = invited > 0
    indices = [int(i) for i in np.flatnonzero(listed)]
    names = _unit_names([int(tree.unit_ids[i]) for i in indices])
    root_depth = int(tree.depth[0])
    for i in indices:
        unit_id = int(tree.unit_ids[i])
        shown = bool(block.visibility.subtree_shown[i])
        table.rows.append(
            RateRow(
                key=str(unit_id),
                label=names.get(unit_id, "–"),
                depth=int(tree.depth[i]) - root_depth,
                invited=int(invited[i]),
                answered=int(block.subtree.respondents[i]) if shown else None,
                kind="unit",
            )
        )
    table.total = table.rows[0] if indices and indices[0] == 0 else None
    return table


def _invitations_per_unit(round: Round, tree: TreeLayout) -> IntArray:
    """The round's invitations per unit of its frozen tree (each person's unit at the
    cut-off); invitations of units outside the tree count at its root, as their answers do."""
    rows = list(round.invitations.values("unit_id").annotate(n=Count("id")).values_list("unit_id", "n"))
    counts = np.zeros(len(tree), dtype=np.int64)
    if rows:
        index = tree.indices_of(np.array([r[0] for r in rows], dtype=np.int64))
        np.add.at(counts, np.where(index >= 0, index, 0), np.array([r[1] for r in rows], dtype=np.int64))
    return counts


def _unit_names(ids: list[int]) -> dict[int, str]:
    names: dict[int, str] = {}
    for start in range(0, len(ids), 5000):
        names.update(Unit.objects.filter(pk__in=ids[start : start + 5000]).values_list("id", "name"))
    return names


def _evaluation_rates(round: Round, results: RoundResults) -> RateTable:
    """Per evaluated leader and rater group, as the evaluation's results show them.

    The groups and their decision are the results' (kerne.results.rollup.EVAL_GROUPS):
    the leader's own answers, all raters but the leader, and below those the manager,
    peers and employees. The leader and the manager are exempt groups (raters are told
    they are not anonymous) and are shown as the results show them. A leader's row shows
    only the invitation count. The round's total is shown only where it is the sum of
    shown numbers (every leader's own and "all but the leader" groups shown)."""
    from django.utils.translation import gettext as _

    from kerne.results.rollup import EVAL_GROUP_COUNT, EVAL_GROUPS, EVAL_OTHERS, EVAL_SELF

    block = results.evaluations
    assert block is not None
    table = RateTable(results.k)
    invited: dict[tuple[int, str], int] = {
        (evaluation_id, rater_group): n
        for evaluation_id, rater_group, n in round.invitations.filter(evaluation__isnull=False)
        .values("evaluation_id", "rater_group")
        .annotate(n=Count("id"))
        .values_list("evaluation_id", "rater_group", "n")
    }
    labels = {str(value): str(label) for value, label in RaterGroup.choices}
    labels["others"] = _("Alle andre end lederen selv")
    member_groups = {"others": ("manager", "peer", "employee")}
    total_invited = 0
    total_answered: int | None = 0
    for e in round.evaluations.select_related("unit").order_by("unit__path", "leader_name"):
        position = block.index_of(e.pk)
        group_invited = {
            key: sum(invited.get((e.pk, g), 0) for g in member_groups.get(key, (key,))) for key in EVAL_GROUPS
        }
        total_invited += group_invited["self"] + group_invited["others"]
        table.rows.append(
            RateRow(
                f"e{e.pk}",
                f"{e.leader_name} ({e.unit.name})",
                0,
                group_invited["self"] + group_invited["others"],
                None,
                "evaluation",
            )
        )
        for g, key in enumerate(EVAL_GROUPS):
            answered: int | None = None
            if position is not None and block.visibility.shown[position, g]:
                answered = int(block.stats.respondents[position * EVAL_GROUP_COUNT + g])
            if g in (EVAL_SELF, EVAL_OTHERS) and group_invited[key]:
                if answered is None or total_answered is None:
                    total_answered = None
                else:
                    total_answered += answered
            if group_invited[key]:
                depth = 1 if g in (EVAL_SELF, EVAL_OTHERS) else 2
                table.rows.append(
                    RateRow(f"e{e.pk}-{key}", labels[key], depth, group_invited[key], answered, "rater_group")
                )
    if table.rows:
        table.total = RateRow("round", _("Hele målingen"), 0, total_invited, total_answered, "round")
    return table
