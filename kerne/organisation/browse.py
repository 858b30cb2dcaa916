"""Reads behind the organisation pages (tree, search, unit page).

Everything user-scoped starts from `kerne.organisation.selectors` (the access rule);
this module only shapes what the selectors allow into what the pages show.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, Q

from kerne.accounts.roles import AnyUser
from kerne.organisation import selectors
from kerne.organisation.models import PATH_SEGMENT_WIDTH, Engagement, Task, Unit, subtree_upper_bound

SEARCH_LIMIT = 50


def danish_sort_key(text: str) -> str:
    """Sort like a Danish reader expects: æ, ø, å after z (binary UTF-8 order has å < æ < ø)."""
    return text.casefold().replace("æ", "{").replace("ø", "|").replace("å", "}").replace("aa", "}")


def _ranges(paths: Iterable[str]) -> list[tuple[str, str]]:
    """Path ranges that cover the subtrees of `paths`: one range when they are one unit or
    siblings (the usual case: a unit and its children, a unit's children), else one per
    path that lies in no other's subtree."""
    tops: list[str] = []
    for path in sorted(set(paths)):
        if not tops or not path.startswith(tops[-1]):
            tops.append(path)
    parents = {top[:-PATH_SEGMENT_WIDTH] for top in tops}
    if len(parents) == 1:
        return [(tops[0], subtree_upper_bound(tops[-1]))]
    return [(top, subtree_upper_bound(top)) for top in tops]


def people_counts_sql(paths: Sequence[str], on: dt.date | None = None) -> tuple[str, list[Any]]:
    """One aggregate over the subtrees of `paths`: active primary engagements per unit path.

    Grouping by the path follows the path index's order, so SQLite aggregates as it scans
    (no temporary sort)."""
    day = connection.ops.adapt_datefield_value(on or dt.date.today())
    unit_table = connection.ops.quote_name(Unit._meta.db_table)
    engagement_table = connection.ops.quote_name(Engagement._meta.db_table)
    ranges = _ranges(paths)
    where = " OR ".join(["(u.path >= %s AND u.path < %s)"] * len(ranges))
    sql = f"""
        SELECT u.path, COUNT(e.id)
        FROM {unit_table} u
        JOIN {engagement_table} e ON e.unit_id = u.id
        WHERE ({where})
          AND e.is_primary = %s
          AND e.valid_from <= %s AND (e.valid_to IS NULL OR e.valid_to >= %s)
        GROUP BY u.path
    """
    bounds = [value for low_high in ranges for value in low_high]
    return sql, [*bounds, True, day, day]


def people_counts(units: Iterable[Unit], on: dt.date | None = None) -> dict[int, int]:
    """Active primary engagements in each unit's whole subtree, in one aggregate query.

    A subtree is a path range (materialized path), so one pass over the engagements in the
    asked units' ranges, counted per unit path, gives every asked unit's count as the sum
    over its range of paths (prefix sums over the sorted paths). Nested units (a unit and
    its children, as on the tree's first view) cost one pass, not one each. A person counts
    once (their primary engagement).
    """
    asked = {u.pk: u.path for u in units}
    if not asked:
        return {}
    sql, params = people_counts_sql(list(asked.values()), on)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = sorted((str(path), int(n)) for path, n in cursor.fetchall())
    paths = [path for path, _n in rows]
    running = [0]
    for _path, n in rows:
        running.append(running[-1] + n)
    counts = {}
    for pk, path in asked.items():
        low, high = bisect_left(paths, path), bisect_left(paths, subtree_upper_bound(path))
        counts[pk] = running[high] - running[low]
    return counts


@dataclass
class Node:
    """A unit as a line of the tree: its people count and whether it has visible sub-units."""

    unit: Unit
    people: int
    child_count: int
    children: list[Node] = field(default_factory=list)

    @property
    def is_closed(self) -> bool:
        return not self.unit.is_active()


def nodes_for(user: AnyUser, units: Sequence[Unit], counts: dict[int, int] | None = None) -> list[Node]:
    """Tree lines for `units` (already visible to `user`), with counts in two queries in all."""
    if not units:
        return []
    counts = people_counts(units) if counts is None else counts
    child_counts = dict(
        selectors.units_visible_to(user)
        .filter(parent__in=[u.pk for u in units])
        .order_by()
        .values_list("parent")
        .annotate(n=Count("id"))
    )
    return [Node(unit=u, people=counts.get(u.pk, 0), child_count=child_counts.get(u.pk, 0)) for u in units]


def start_units(user: AnyUser) -> list[Unit]:
    """Where the user's tree starts: the roots for HR/executive/admin, the units a leader
    leads (their own engagements' units beside them), an employee's own units."""
    roots = selectors.visible_root_paths(user)
    visible = selectors.units_visible_to(user)
    if roots is None:
        units = list(visible.filter(parent__isnull=True))
    else:
        units = list(visible.filter(path__in=roots))
        units += [u for u in selectors.own_units(user) if not any(u.path.startswith(r) for r in roots)]
    return sorted(units, key=lambda u: danish_sort_key(u.name))


def children_of(user: AnyUser, unit: Unit) -> list[Unit]:
    units = selectors.units_visible_to(user).filter(parent=unit)
    return sorted(units, key=lambda u: danish_sort_key(u.name))


def tree(user: AnyUser) -> list[Node]:
    """The tree's first view: the start units, the first one opened when there is only one."""
    starts = start_units(user)
    children = children_of(user, starts[0]) if len(starts) == 1 else []
    counts = people_counts([*starts, *children])  # one pass for the unit and its children
    nodes = nodes_for(user, starts, counts)
    if children:
        nodes[0].children = nodes_for(user, children, counts)
    return nodes


@dataclass
class Hit:
    node: Node
    trail: list[Unit]


def search(user: AnyUser, query: str) -> tuple[list[Hit], bool]:
    """Units whose name contains `query`, among those the user sees, each with the trail of
    its visible ancestors. Returns (hits, more) where `more` means the list was cut."""
    visible = selectors.units_visible_to(user)
    # SQLite's LIKE ignores case for ASCII letters only; asking for the usual casings as well
    # finds "Økonomi" from "økonomi" (PostgreSQL's icontains is Unicode-aware anyway).
    variants = {query, query.lower(), query.upper(), query.capitalize(), query.title()}
    condition = Q()
    for variant in variants:
        condition |= Q(name__icontains=variant)
    found = list(visible.filter(condition).order_by("path")[: SEARCH_LIMIT + 1])
    more = len(found) > SEARCH_LIMIT
    found = found[:SEARCH_LIMIT]
    ancestor_ids = {pk for u in found for pk in u.ancestor_ids()}
    ancestors = {u.pk: u for u in visible.filter(pk__in=ancestor_ids)}
    nodes = nodes_for(user, found)
    hits = [
        Hit(node=node, trail=[ancestors[pk] for pk in node.unit.ancestor_ids() if pk in ancestors])
        for node in nodes
    ]
    hits.sort(key=lambda h: danish_sort_key(h.node.unit.name))
    return hits, more


def visible_ancestors(user: AnyUser, unit: Unit) -> list[Unit]:
    """The unit's ancestors the user may see, root first (for breadcrumbs)."""
    return list(selectors.units_visible_to(user).filter(pk__in=unit.ancestor_ids()).order_by("depth"))


def unit_leaders(unit: Unit) -> list[Engagement]:
    """Active leader engagements of a unit (the caller has checked the unit is visible)."""
    return list(
        Engagement.objects.active()
        .filter(unit=unit, is_leader=True)
        .select_related("person", "pipeline_level")
        .order_by("-pipeline_level__rank", "person__name")
    )


def unit_tasks(unit: Unit) -> list[Task]:
    """Tasks owned by units of this kind, highest level first."""
    return list(
        Task.objects.filter(unit_kind=unit.kind)
        .select_related("pipeline_level", "principle")
        .order_by("-pipeline_level__rank", "name_da")
    )
