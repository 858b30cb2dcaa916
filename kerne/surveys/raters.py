"""Who rates a leader in a 360 evaluation: a proposal drawn from the governance chain.

For an evaluated leader L (leading the units LU, evaluated for one of them, U):

- **self**: L.
- **manager** (a group of one, not anonymous, DESIGN §3.6): a leader of M, the nearest
  unit above U that has a leader. With co-leaders in M, the first by name (HR may change it).
- **peers**: the other leaders of units whose own manager unit is M too (the leaders
  "under the same manager"), co-leaders of U included.
- **employees**: the people L leads *directly*:
  - non-leaders whose answering engagement (primary, else the first by unit path, as for
    invitations) is in a unit whose nearest leader unit is in LU, i.e. a unit L leads or a
    unit below it without a leader of its own;
  - the leaders of the nearest led units below LU (L's direct reports who lead others).

  Why the sub-unit leaders count as employees, and the staff under them do not: a
  leader's behaviour (direction, meaning, saying no, making employees succeed …) is
  experienced by those they lead day to day. For a leader of leaders that is the team
  leaders and the centre's own staff, not the frontline two levels down, who meet their
  own team leader and would rate someone they barely see. It is also what the
  Leadership Pipeline says a leader of leaders does: lead through leaders.

A person lands in one group only, in the order self, manager, employee, peer.
HR edits the proposal before launch (services.evaluation_rater_*).

`propose_raters` is a pure function over plain data; `proposal_for_leader` loads that
data from the database for one leader on the round's cut-off date.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from kerne.organisation.models import Engagement, Person, Unit
from kerne.surveys.models import RaterGroup

GROUP_ORDER = (RaterGroup.SELF, RaterGroup.MANAGER, RaterGroup.EMPLOYEE, RaterGroup.PEER)


@dataclass(frozen=True)
class TreeNode:
    id: int
    parent_id: int | None
    path: str


@dataclass(frozen=True)
class Post:
    """One active engagement: a person in a unit, as leader or not."""

    person_id: int
    unit_id: int
    is_leader: bool
    is_primary: bool
    person_name: str = ""


def answering_posts(posts: Iterable[Post], paths: dict[int, str]) -> dict[int, Post]:
    """Each person's answering engagement: the primary one, else the first by unit path."""
    best: dict[int, Post] = {}
    for post in posts:
        current = best.get(post.person_id)
        key = (not post.is_primary, paths.get(post.unit_id, ""), post.unit_id)
        if current is None or key < (not current.is_primary, paths.get(current.unit_id, ""), current.unit_id):
            best[post.person_id] = post
    return best


def propose_raters(
    *, nodes: Iterable[TreeNode], posts: Iterable[Post], leader_id: int, unit_id: int
) -> dict[int, RaterGroup]:
    """Person id → rater group for the evaluation of `leader_id` in unit `unit_id`.

    `nodes` must contain every unit on the paths between the units in `posts` and the
    manager's unit; `posts` the engagements active on the cut-off date.
    """
    node_by_id = {n.id: n for n in nodes}
    posts = list(posts)
    leaders_of: dict[int, set[int]] = defaultdict(set)
    names: dict[int, str] = {}
    for post in posts:
        names[post.person_id] = post.person_name
        if post.is_leader:
            leaders_of[post.unit_id].add(post.person_id)

    def nearest_led(unit: int | None) -> int | None:
        """The nearest unit at or above `unit` that has a leader."""
        while unit is not None:
            if leaders_of.get(unit):
                return unit
            node = node_by_id.get(unit)
            unit = node.parent_id if node else None
        return None

    def manager_unit(unit: int) -> int | None:
        node = node_by_id.get(unit)
        return nearest_led(node.parent_id) if node else None

    led_by_leader = {u for u, people in leaders_of.items() if leader_id in people}
    led_by_leader.add(unit_id)
    proposal: dict[int, RaterGroup] = {leader_id: RaterGroup.SELF}

    top = manager_unit(unit_id)
    if top is not None:
        managers = sorted(leaders_of[top] - {leader_id}, key=lambda p: (names.get(p, ""), p))
        if managers:
            proposal.setdefault(managers[0], RaterGroup.MANAGER)

    employees: set[int] = set()
    peers: set[int] = set()
    # Direct reports who lead others, and peers: by the leaders' units.
    for unit, people in leaders_of.items():
        above = manager_unit(unit)
        if above is not None and above in led_by_leader and unit not in led_by_leader:
            employees |= people
        if top is not None and above == top:
            peers |= people
    # Non-leaders: by their answering engagement.
    paths = {n.id: n.path for n in node_by_id.values()}
    leader_people = {p for people in leaders_of.values() for p in people}
    for person, post in answering_posts(posts, paths).items():
        if person in leader_people:
            continue
        if nearest_led(post.unit_id) in led_by_leader:
            employees.add(person)

    for person in sorted(employees):
        proposal.setdefault(person, RaterGroup.EMPLOYEE)
    for person in sorted(peers):
        proposal.setdefault(person, RaterGroup.PEER)
    return proposal


@dataclass(frozen=True)
class ProposedRater:
    person: Person
    rater_group: RaterGroup


def leader_units(leader: Person, on: dt.date, within: Unit | None = None) -> list[Unit]:
    """Units the person leads on `on` (active units only), primary engagement first, then by path."""
    engagements = (
        Engagement.objects.active(on)
        .filter(person=leader, is_leader=True)
        .select_related("unit")
        .order_by("-is_primary", "unit__path")
    )
    units = [e.unit for e in engagements if e.unit.is_active(on)]
    if within is not None:
        units = [u for u in units if u.is_within(within)]
    unique: dict[int, Unit] = {}
    for u in units:
        unique.setdefault(u.pk, u)
    return list(unique.values())


def proposal_for_leader(*, leader: Person, unit: Unit, on: dt.date) -> list[ProposedRater]:
    """Load the tree around `unit` on `on` and propose raters (see the module docstring)."""
    # Everything that can matter lies in the subtree of the nearest led unit above
    # `unit` (the manager's unit) and in the subtrees of the units the leader leads.
    ancestors = list(unit.ancestors())
    ancestor_ids = [a.pk for a in ancestors]
    leaders_above = set(
        Engagement.objects.active(on)
        .filter(unit_id__in=ancestor_ids, is_leader=True, unit__in=Unit.objects.active(on))
        .values_list("unit_id", flat=True)
    )
    scope_root = next((a for a in reversed(ancestors) if a.pk in leaders_above), None)
    scope_units = [scope_root or unit, *leader_units(leader, on)]
    scope_query = Unit.objects.none()
    for root in scope_units:
        scope_query = scope_query | Unit.objects.active(on).subtree_of(root)
    units = list(scope_query.distinct()) + ancestors
    nodes = [TreeNode(u.pk, u.parent_id, u.path) for u in units]
    unit_ids = {u.pk for u in units if u.is_active(on)}
    engagements = (
        Engagement.objects.active(on)
        .filter(unit_id__in=unit_ids)
        .values_list("person_id", "unit_id", "is_leader", "is_primary", "person__name")
    )
    posts = [Post(*row) for row in engagements]
    proposal = propose_raters(nodes=nodes, posts=posts, leader_id=leader.pk, unit_id=unit.pk)
    people = Person.objects.in_bulk(list(proposal))
    rows = [ProposedRater(people[pid], group) for pid, group in proposal.items() if pid in people]
    return sorted(rows, key=lambda r: (GROUP_ORDER.index(r.rater_group), r.person.name, r.person.pk))
