"""Reads about rounds that depend on who asks, and the response rates a page may show.

- Rounds: HR, the executive board and administrators see every round; a leader sees the
  launched rounds that reach their subtree; an employee the launched rounds that reach
  their own unit. Drafts are HR's alone.
- An employee's own invitations (`invitations_of`, `waiting_invitations_of`,
  `own_invitation_to_answer_or_404`): only those of the user's own Person, in launched
  rounds that are open or closed within RECENTLY_CLOSED_DAYS. Nothing about what was
  answered: an invitation knows only *that* it was answered (DESIGN §3.2).
- Response rates (`response_rates`): counts are results too (DESIGN §3.3), so a unit's
  answered count and rate are shown only when the group has at least k invitations and
  showing it lets no group of 1 to k−1 be derived by subtraction (disclosure.py). The
  invitation counts themselves come from the organisation register and are always shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kerne.accounts.roles import AnyUser, sees_whole_tree
from kerne.organisation.models import Unit, subtree_upper_bound
from kerne.organisation.selectors import own_units, person_of, visible_root_paths
from kerne.surveys.disclosure import Disclosure, Group, disclose
from kerne.surveys.models import InstrumentKind, Invitation, RaterGroup, Response, Round

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
    invited: int  # invitations (for open surveys: responses) in the group and below
    answered: int | None  # None when hidden
    kind: str = "unit"  # unit | evaluation | rater_group | link

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


def _row(key: str, label: str, depth: int, d: Disclosure, kind: str, size_is_result: bool = False) -> RateRow:
    # For open surveys the size *is* the number of responses: a result, hidden like one.
    size = d.total_size if d.shown or not size_is_result else 0
    return RateRow(key, label, depth, size, d.total_count if d.shown else None, kind)


def response_rates(round: Round) -> RateTable:
    """The round's response rates per unit (or per evaluation and rater group), suppressed."""
    if round.mode == Round.Mode.OPEN_LINK:
        return _open_counts(round)
    if is_360(round):
        return _evaluation_rates(round)
    return _unit_rates(round)


def _unit_rates(round: Round) -> RateTable:
    table = RateTable(round.k)
    per_unit = {
        row["unit_id"]: (row["n"], row["a"])
        for row in round.invitations.values("unit_id").annotate(
            n=Count("id"), a=Count("id", filter=Q(answered=True))
        )
    }
    if not per_unit:
        return table
    target = round.target_unit
    units = list(Unit.objects.subtree_of(target).only("pk", "name", "parent_id", "path", "depth"))
    groups = [
        Group(
            u.pk,
            u.parent_id if u.pk != target.pk else None,
            per_unit.get(u.pk, (0, 0))[0],
            per_unit.get(u.pk, (0, 0))[1],
        )
        for u in units
    ]
    disclosed = disclose(groups, round.k)
    for u in units:
        d = disclosed[u.pk]
        if d.total_size:
            table.rows.append(_row(str(u.pk), u.name, u.depth - target.depth, d, "unit"))
    table.total = table.rows[0] if table.rows else None
    return table


def _evaluation_rates(round: Round) -> RateTable:
    """Per evaluated leader and rater group. The groups hang directly under the round:
    a leader's own total is not shown (only the invitation count), since it minus the
    employee group would reveal whether the one manager and the leader answered."""
    from django.utils.translation import gettext as _

    table = RateTable(round.k)
    counts: dict[tuple[int, str], tuple[int, int]] = {
        (row["evaluation_id"], row["rater_group"]): (row["n"], row["a"])
        for row in round.invitations.filter(evaluation__isnull=False)
        .values("evaluation_id", "rater_group")
        .annotate(n=Count("id"), a=Count("id", filter=Q(answered=True)))
    }
    evaluations = list(round.evaluations.select_related("unit").order_by("unit__path", "leader_name"))
    groups: list[Group] = [Group("round", None, 0)]
    groups += [Group(("g", eid, rater_group), "round", n, a) for (eid, rater_group), (n, a) in counts.items()]
    disclosed = disclose(groups, round.k)
    labels = dict(RaterGroup.choices)
    table.total = _row("round", _("Hele målingen"), 0, disclosed["round"], "round")
    order = [RaterGroup.SELF, RaterGroup.MANAGER, RaterGroup.PEER, RaterGroup.EMPLOYEE]
    for e in evaluations:
        invited = sum(n for (eid, _g), (n, _a) in counts.items() if eid == e.pk)
        table.rows.append(
            RateRow(f"e{e.pk}", f"{e.leader_name} ({e.unit.name})", 0, invited, None, "evaluation")
        )
        for rater_group in order:
            key: Hashable = ("g", e.pk, rater_group)
            if key in disclosed:
                table.rows.append(
                    _row(f"e{e.pk}-{rater_group}", str(labels[rater_group]), 1, disclosed[key], "rater_group")
                )
    return table


def _open_counts(round: Round) -> RateTable:
    from django.utils.translation import gettext as _

    table = RateTable(round.k, counts_are_responses=True)
    per_unit = dict(
        Response.objects.filter(round=round)
        .values("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    )
    links = list(round.open_links.select_related("unit").order_by("unit__path"))
    groups = [Group("round", None, 0)] + [
        Group(link.unit_id, "round", per_unit.get(link.unit_id, 0), per_unit.get(link.unit_id, 0))
        for link in links
    ]
    disclosed = disclose(groups, round.k)
    table.total = _row("round", _("Hele målingen"), 0, disclosed["round"], "round", size_is_result=True)
    for link in links:
        table.rows.append(
            _row(str(link.unit_id), link.unit.name, 0, disclosed[link.unit_id], "link", size_is_result=True)
        )
    return table
