"""Reads behind the organisation pages (tree, search, unit page).

Everything user-scoped starts from `kerne.organisation.selectors` (the access rule);
this module only shapes what the selectors allow into what the pages show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, Q

from kerne.accounts.roles import AnyUser
from kerne.organisation import selectors
from kerne.organisation.models import Engagement, Task, Unit, subtree_upper_bound

SEARCH_LIMIT = 50


def danish_sort_key(text: str) -> str:
    """Sort like a Danish reader expects: æ, ø, å after z (binary UTF-8 order has å < æ < ø)."""
    return text.casefold().replace("æ", "{").replace("ø", "|").replace("å", "}").replace("aa", "}")


def people_counts_sql(ids: Sequence[int], on: dt.date | None = None) -> tuple[str, list[Any]]:
    """The SQL of `people_counts` (also used to check its query plan)."""
    day = connection.ops.adapt_datefield_value(on or dt.date.today())
    unit_table = connection.ops.quote_name(Unit._meta.db_table)
    engagement_table = connection.ops.quote_name(Engagement._meta.db_table)
    placeholders = ", ".join(["%s"] * len(ids))
    sql = f"""
        SELECT top.id, COUNT(e.id)
        FROM {unit_table} top
        JOIN {unit_table} u ON u.path >= top.path AND u.path < top.path || %s
        JOIN {engagement_table} e ON e.unit_id = u.id
        WHERE top.id IN ({placeholders})
          AND e.is_primary = %s
          AND e.valid_from <= %s AND (e.valid_to IS NULL OR e.valid_to >= %s)
        GROUP BY top.id
    """
    return sql, [subtree_upper_bound(""), *ids, True, day, day]


def people_counts(units: Iterable[Unit], on: dt.date | None = None) -> dict[int, int]:
    """Active primary engagements in each unit's whole subtree, in one aggregate query.

    Each unit's subtree is its path range (materialized path), so one join of the asked
    units with the units in their ranges and those units' engagements, grouped by the
    asked unit, counts them all. A person counts once (their primary engagement).
    """
    ids = sorted({u.pk for u in units})
    if not ids:
        return {}
    sql, params = people_counts_sql(ids, on)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        counts = {int(pk): int(n) for pk, n in cursor.fetchall()}
    return {pk: counts.get(pk, 0) for pk in ids}


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


def nodes_for(user: AnyUser, units: Sequence[Unit]) -> list[Node]:
    """Tree lines for `units` (already visible to `user`), with counts in two queries in all."""
    if not units:
        return []
    counts = people_counts(units)
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
    nodes = nodes_for(user, start_units(user))
    if len(nodes) == 1 and nodes[0].child_count:
        nodes[0].children = nodes_for(user, children_of(user, nodes[0].unit))
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
