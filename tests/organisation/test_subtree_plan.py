"""The subtree and people-count queries use the path index (a query plan check, not a timing;
the timings are in bench/subtree.py)."""

from __future__ import annotations

import pytest
from django.db import connection

from kerne.organisation import browse, demo
from kerne.organisation.models import Unit

pytestmark = pytest.mark.django_db


def _path_index_names() -> set[str]:
    """Names of the indexes on exactly (path): SQLite's automatic index of the UNIQUE column,
    PostgreSQL's unique constraint index."""
    table = Unit._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA index_list({table})")
            names = set()
            for index_name in [row[1] for row in cursor.fetchall()]:
                cursor.execute(f"PRAGMA index_info({index_name})")
                if [row[2] for row in cursor.fetchall()] == ["path"]:
                    names.add(index_name)
            return names
        constraints = connection.introspection.get_constraints(cursor, table)
    return {name for name, info in constraints.items() if info["columns"] == ["path"]}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="EXPLAIN QUERY PLAN is SQLite's")
def test_subtree_query_searches_the_path_index_on_sqlite():
    demo.build(people=300, seed=1)
    centre = Unit.objects.filter(depth=1).first()
    plan = Unit.objects.subtree_of(centre).explain()
    names = _path_index_names()
    assert names, "the path column has no index"
    assert "SEARCH" in plan and "(path>? AND path<?)" in plan, plan
    assert any(name in plan for name in names), plan
    assert "SCAN organisation_unit" not in plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="EXPLAIN QUERY PLAN is SQLite's")
def test_people_count_aggregate_ranges_over_the_path_index_on_sqlite():
    demo.build(people=300, seed=1)
    # Opening a department in the tree: the people counts of its sub-units.
    department = Unit.objects.filter(kind="department", depth=2).first()
    units = list(department.children.all())
    assert len(units) > 1
    sql, params = browse.people_counts_sql([u.path for u in units])
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
    assert "(path>? AND path<?)" in plan, plan
    assert any(name in plan for name in _path_index_names()), plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_subtree_query_can_use_the_path_index_on_postgresql():
    demo.build(people=300, seed=1)
    centre = Unit.objects.filter(depth=1).first()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = Unit.objects.subtree_of(centre).explain()
    assert any(name in plan for name in _path_index_names()), plan
