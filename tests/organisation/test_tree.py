from __future__ import annotations

import datetime as dt

import pytest

from kerne.accounts.models import AuditEntry
from kerne.organisation.models import Unit
from kerne.organisation.services import TreeError, unit_close, unit_move
from tests.factories import make_unit

pytestmark = pytest.mark.django_db


def test_subtree_and_ancestors_follow_the_materialized_path():
    root = make_unit("Direktion")
    centre = make_unit("Center", parent=root)
    dept = make_unit("Afdeling", parent=centre)
    team = make_unit("Team", parent=dept)
    other = make_unit("Andet center", parent=root)

    assert set(centre.subtree()) == {centre, dept, team}
    assert list(team.ancestors()) == [root, centre, dept]
    assert team.depth == 3
    assert team.is_within(centre) and not other.is_within(centre)


def test_move_carries_the_subtree_and_refuses_cycles():
    root = make_unit()
    a = make_unit(parent=root)
    b = make_unit(parent=root)
    a_child = make_unit(parent=a)

    unit_move(actor=None, unit=a, new_parent=b)
    a_child.refresh_from_db()
    assert a_child.is_within(b)
    assert a_child.depth == 3
    assert set(b.subtree()) == {b, a, a_child}
    assert AuditEntry.objects.filter(action="unit.move", object_id=str(a.pk)).exists()

    with pytest.raises(TreeError):
        unit_move(actor=None, unit=b, new_parent=a_child)


def test_close_keeps_units_but_ends_their_validity():
    root = make_unit()
    child = make_unit(parent=root)
    closed = unit_close(actor=None, unit=root, valid_to=dt.date(2026, 1, 31))
    assert closed == 2
    assert Unit.objects.count() == 2
    assert not Unit.objects.active(dt.date(2026, 2, 1)).filter(pk=child.pk).exists()
    assert Unit.objects.active(dt.date(2026, 1, 31)).filter(pk=child.pk).exists()


def test_shipped_pipeline_levels_and_foundation_exist():
    from kerne.foundation.models import Behaviour, Principle, Value
    from kerne.organisation.models import PipelineLevel

    assert PipelineLevel.objects.count() == 5
    assert [p.key for p in Principle.objects.all()] == [
        "stable_operations",
        "better_effects",
        "welfare_together",
        "robust_organisation",
    ]
    assert set(Value.objects.values_list("key", flat=True)) == {"trust", "justice", "cooperation"}
    assert Behaviour.objects.count() == 11


def test_unit_paths_compare_in_code_point_order_on_postgresql():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite compares text with BINARY collation already")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT collation_name FROM information_schema.columns "
            "WHERE table_name = 'organisation_unit' AND column_name = 'path'"
        )
        assert cursor.fetchone()[0] == "C"
