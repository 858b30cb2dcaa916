"""The fast path (numpy, one query, range sums over the pre-order) against a slow, obvious computation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kerne.results import rollup
from kerne.results.models import RoundTree
from kerne.results.rollup import (
    InstrumentLayout,
    ResponseData,
    compute_unit_block,
    round_results,
    tree_from_parents,
)
from kerne.surveys.models import Round
from tests.factories import make_unit
from tests.results.factories import add_invitations, add_responses, add_uniform, make_instrument, make_round
from tests.results.trees import ancestors_or_self, preorder_parents

SCORE = {1: 0.0, 2: 25.0, 3: 50.0, 4: 75.0, 5: 100.0}


def slow_results(parent, unit_of, options, reversed_items, item_dimension, dimension_count):
    """Per unit (with everything below it): respondents, item histograms, dimension n/sum/sq/bands.

    Deliberately plain Python: loops over respondents, items and ancestors.
    """
    units = len(parent)
    items = len(reversed_items)
    out = []
    for u in range(units):
        members = [r for r in range(len(unit_of)) if u in ancestors_or_self(parent, unit_of[r])]
        hist = [[0] * 5 for _ in range(items)]
        dim_n = [0] * dimension_count
        dim_sum = [0.0] * dimension_count
        dim_sq = [0.0] * dimension_count
        bands = [[0, 0, 0] for _ in range(dimension_count)]
        for r in members:
            scores: list[float | None] = []
            for i in range(items):
                option = int(options[r][i])
                if option == 0:
                    scores.append(None)
                    continue
                if reversed_items[i]:
                    option = 6 - option
                hist[i][option - 1] += 1
                scores.append(SCORE[option])
            for d in range(dimension_count):
                mine = [scores[i] for i in range(items) if item_dimension[i] == d]
                answered = [s for s in mine if s is not None]
                if not mine or not answered or 2 * len(answered) < len(mine):
                    continue
                score = sum(answered) / len(answered)
                dim_n[d] += 1
                dim_sum[d] += score
                dim_sq[d] += score * score
                bands[d][0 if score <= 25 else 2 if score >= 75 else 1] += 1
        out.append(
            {
                "respondents": len(members),
                "hist": hist,
                "dim_n": dim_n,
                "dim_sum": dim_sum,
                "dim_sq": dim_sq,
                "bands": bands,
            }
        )
    return out


def _layout(reversed_items: list[bool], item_dimension: list[int], dimension_count: int) -> InstrumentLayout:
    items = len(reversed_items)
    return InstrumentLayout(
        item_ids=tuple(range(items)),
        item_keys=tuple(f"i{i}" for i in range(items)),
        item_dimension=np.array(item_dimension, dtype=np.int64),
        reversed=np.array(reversed_items, dtype=bool),
        dimension_ids=tuple(range(dimension_count)),
        dimension_keys=tuple(f"d{d}" for d in range(dimension_count)),
        item_count=items,
    )


@st.composite
def round_data(draw):
    parent = draw(preorder_parents(max_units=10))
    items = draw(st.integers(min_value=1, max_value=6))
    dimension_count = draw(st.integers(min_value=1, max_value=3))
    item_dimension = [draw(st.integers(min_value=0, max_value=dimension_count - 1)) for _ in range(items)]
    reversed_items = [draw(st.booleans()) for _ in range(items)]
    respondents = draw(st.integers(min_value=0, max_value=40))
    unit_of = [draw(st.integers(min_value=0, max_value=len(parent) - 1)) for _ in range(respondents)]
    options = [
        [draw(st.integers(min_value=0, max_value=5)) for _ in range(items)] for _ in range(respondents)
    ]
    return parent, unit_of, options, reversed_items, item_dimension, dimension_count


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(round_data())
def test_fast_path_equals_slow_computation(data):
    parent, unit_of, options, reversed_items, item_dimension, dimension_count = data
    unit_ids = np.arange(100, 100 + len(parent), dtype=np.int64)
    tree = tree_from_parents(unit_ids, parent)
    responses = ResponseData(
        unit_ids=unit_ids[np.array(unit_of, dtype=np.int64)] if unit_of else np.zeros(0, dtype=np.int64),
        rater_groups=["employee"] * len(unit_of),
        evaluation_ids=np.full(len(unit_of), -1, dtype=np.int64),
        options=np.array(options, dtype=np.uint8).reshape(len(unit_of), len(reversed_items)),
    )
    layout = _layout(reversed_items, item_dimension, dimension_count)
    block = compute_unit_block(
        tree, responses, layout, np.zeros(len(parent), dtype=np.int64), k=3, comment_k=3
    )
    expected = slow_results(parent, unit_of, options, reversed_items, item_dimension, dimension_count)
    for u, want in enumerate(expected):
        got = block.subtree
        assert got.respondents[u] == want["respondents"]
        assert got.item_hist[u].tolist() == want["hist"]
        assert got.dim_n[u].tolist() == want["dim_n"]
        assert got.dim_bands[u].tolist() == want["bands"]
        np.testing.assert_allclose(got.dim_sum[u], want["dim_sum"], rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(got.dim_sq[u], want["dim_sq"], rtol=1e-12, atol=1e-7)
        # The unit alone = its own respondents only.
        own_count = sum(1 for x in unit_of if x == u)
        assert block.own.respondents[u] == own_count
        # Summaries agree with the textbook formulas on the slow numbers.
        for d in range(dimension_count):
            n = want["dim_n"][d]
            mean = block.subtree_summaries.dims.mean[u, d]
            if n == 0:
                assert math.isnan(mean)
            else:
                assert mean == pytest.approx(want["dim_sum"][d] / n)


@given(preorder_parents(max_units=30))
def test_subtree_ranges_match_the_parent_links(parent):
    tree = tree_from_parents(np.arange(len(parent)), parent)
    for u in range(len(parent)):
        below = {v for v in range(len(parent)) if u in ancestors_or_self(parent, v)}
        assert below == set(range(u, int(tree.end[u])))
        assert tree.depth[u] == len(ancestors_or_self(parent, u)) - 1


def test_a_tree_out_of_pre_order_is_refused():
    with pytest.raises(ValueError, match="pre-order"):
        tree_from_parents([1, 2, 3, 4], [-1, 0, 0, 1])  # unit 3 (child of 1) after unit 2


# --- With the database ---------------------------------------------------------------------


@pytest.fixture
def small_round(db):
    """root → a → a1; root → b. Instrument: dimension 0 = items 0, 1; dimension 1 = item 2 (reversed)."""
    root = make_unit("Forvaltning", kind="executive")
    a = make_unit("A", parent=root)
    a1 = make_unit("A1", parent=a, kind="team")
    b = make_unit("B", parent=root)
    instrument = make_instrument(dimensions=(2, 1), reversed_items=(2,))
    round_ = make_round(instrument, root, k=3)
    add_responses(round_, a1, [[5, 4, 1], [3, 0, 2], [1, 1, 5]])
    add_responses(round_, a, [[4, 4, 4]])
    add_responses(round_, b, [[2, 2, 0], [0, 0, 0]])
    add_invitations(round_, a1, 4)
    add_invitations(round_, a, 2)
    add_invitations(round_, b, 5)
    return round_, {"root": root, "a": a, "a1": a1, "b": b}


def test_round_results_by_hand(small_round):
    round_, units = small_round
    results = round_results(round_)
    block = results.units
    assert block is not None and results.respondents == 6
    at = {name: block.tree.index_of(unit.pk) for name, unit in units.items()}
    assert block.subtree.respondents[at["a"]] == 4 and block.own.respondents[at["a"]] == 1
    assert block.subtree.respondents[at["root"]] == 6 and block.own.respondents[at["root"]] == 0
    assert block.invited_subtree[at["a"]] == 6 and block.invited_subtree[at["root"]] == 11
    # A1, item 0: options 5, 3, 1 → scores 100, 50, 0: buckets 1, 3, 5 once each.
    assert block.own.item_hist[at["a1"], 0].tolist() == [1, 0, 1, 0, 1]
    # Item 2 is reversed: options 1, 2, 5 → scores 100, 75, 0.
    assert block.own.item_hist[at["a1"], 2].tolist() == [1, 0, 0, 1, 1]
    # Dimension 0 of A1: (100+75)/2 = 87.5, (50)/1 = 50 (1 of 2 answered is half), (0+0)/2 = 0.
    assert block.own.dim_n[at["a1"], 0] == 3
    assert block.own_summaries.dims.mean[at["a1"], 0] == pytest.approx((87.5 + 50 + 0) / 3)
    # B: the second respondent answered nothing; dimension 1 of the first is missing (0 of 1).
    assert block.own.respondents[at["b"]] == 2 and block.own.dim_n[at["b"]].tolist() == [1, 0]


def test_round_results_read_responses_in_one_query(small_round):
    round_, _units = small_round
    with CaptureQueriesContext(connection) as queries:
        rollup.compute_round_results(round_)
    reads = [q for q in queries.captured_queries if '"answers"' in q["sql"]]
    assert len(reads) == 1


def test_reading_by_index_or_in_table_order_gives_the_same_responses(small_round):
    round_, units = small_round
    # A second, larger round makes the first a small share of the table: read through the index.
    other = make_round(round_.instrument, units["root"], k=3)
    add_uniform(other, units["b"], 30, option=2)
    small = rollup.read_responses(round_.pk, 3)
    large = rollup.read_responses(other.pk, 3, per_rater=True)
    assert not rollup._sqlite_scan_is_cheaper(round_.pk)
    assert rollup._sqlite_scan_is_cheaper(other.pk)
    assert sorted(map(tuple, small.options.tolist())) == sorted(
        [(5, 4, 1), (3, 0, 2), (1, 1, 5), (4, 4, 4), (2, 2, 0), (0, 0, 0)]
    )
    assert large.rater_groups == ["employee"] * 30 and large.options.shape == (30, 3)
    assert (large.evaluation_ids == -1).all()


def test_live_results_move_only_when_the_refresh_bucket_turns(small_round, monkeypatch, settings):
    """Class 4 of issue 9: polling a running round must not show each answer arrive."""
    settings.KERNE_LIVE_REFRESH_SECONDS = 1800
    now = [1_800_000_000.0]
    monkeypatch.setattr(rollup.time, "time", lambda: now[0])
    round_, units = small_round
    round_.status = Round.Status.OPEN
    round_.save()
    first = round_results(round_)
    add_uniform(round_, units["b"], 1, option=5)
    now[0] += 1700  # the same 30-minute bucket: the same numbers
    assert round_results(round_) is first and first.respondents == 6
    now[0] += 200  # the next bucket: the arrival shows, at most once per bucket
    second = round_results(round_)
    assert second is not first and second.respondents == 7


def test_a_closed_round_is_cached_and_frozen_on_its_first_tree(small_round):
    round_, units = small_round
    first = round_results(round_)
    assert RoundTree.objects.filter(round=round_).exists()
    # Moving A1 under B afterwards does not change the closed round's numbers.
    from kerne.organisation.services import unit_move

    unit_move(actor=None, unit=units["a1"], new_parent=units["b"])
    rollup.clear_memo()
    from django.core.cache import cache

    cache.clear()
    again = round_results(round_)
    assert again is not first and again.units is not None
    b = again.units.tree.index_of(units["b"].pk)
    assert again.units.subtree.respondents[b] == 2


def test_a_closed_round_keeps_its_k(small_round):
    round_, _units = small_round
    round_results(round_)
    Round.objects.filter(pk=round_.pk).update(k=7, comment_k=7)
    round_.refresh_from_db()
    rollup.clear_memo()
    from django.core.cache import cache

    cache.clear()
    assert round_results(round_).k == 3


def test_a_shared_cache_holds_the_results_between_processes(small_round, settings):
    from django.core.cache import cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "t"}}
    assert rollup._shared_cache_in_use()
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert not rollup._shared_cache_in_use()
    round_, _units = small_round
    first = round_results(round_)
    assert cache.get(rollup.cache_key(round_)) is None  # not pickled a second time in-process
    assert round_results(round_) is first
